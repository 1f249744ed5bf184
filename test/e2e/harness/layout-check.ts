/**
 * Layout defects of one rendered diagram plane, from what bpmn-js drew: shape bounds, connection
 * waypoints and the bounding boxes of the drawn label texts. Four rules:
 *
 * - no two labels overlap;
 * - no label lies over a shape other than its own (expanded subprocesses, pools, lanes and groups
 *   are containers, checked by the next rule instead);
 * - no label crosses the border of a container: it is inside or outside, never on the edge;
 * - no connection passes through the interior of its own source or target (its first and last
 *   waypoints dock on their borders).
 *
 * Events are circles and gateways diamonds, so a label next to an event's corner is not "over"
 * it. Overlaps of up to `tolerance` pixels are anti-aliasing and docking noise, not defects.
 */

/** A point in diagram coordinates. */
export interface Point {
  x: number;
  y: number;
}

/** An axis-aligned box in diagram coordinates. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A shape as drawn. */
export interface ShapeGeometry {
  id: string;
  type: string;
  name: string;
  bounds: Box;
  outline: 'rect' | 'ellipse' | 'diamond';
  /** Expanded subprocess, pool, lane or group: its interior holds other elements. */
  container: boolean;
  hostId: string | null;
}

/** A drawn label text: an external label, or the text inside a shape (`embedded`). */
export interface LabelGeometry {
  id: string;
  ownerId: string;
  embedded: boolean;
  text: string;
  bounds: Box;
}

/** A connection as drawn. */
export interface ConnectionGeometry {
  id: string;
  type: string;
  sourceId: string | null;
  targetId: string | null;
  waypoints: Point[];
}

/** Everything drawn on one plane (the root, or one collapsed subprocess opened). */
export interface PlaneGeometry {
  rootId: string;
  shapes: ShapeGeometry[];
  labels: LabelGeometry[];
  connections: ConnectionGeometry[];
}

/** One defect, worded for the failure message. */
export interface LayoutDefect {
  rule: 'label-overlaps-label' | 'label-over-shape' | 'label-crosses-container-border' | 'connection-through-own-shape';
  message: string;
}

/** Pixels of overlap the rules forgive. */
export const tolerance = 1;

function shrink(box: Box, by: number): Box {
  return { x: box.x + by, y: box.y + by, width: box.width - 2 * by, height: box.height - 2 * by };
}

function boxesOverlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function boxInside(inner: Box, outer: Box): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
}

/** The outline of a shape as a convex polygon (a circle as a 32-gon). */
export function outlinePolygon(shape: Pick<ShapeGeometry, 'bounds' | 'outline'>, inset = 0): Point[] {
  const { x, y, width, height } = shape.bounds;
  const cx = x + width / 2;
  const cy = y + height / 2;
  if (shape.outline === 'ellipse') {
    const rx = width / 2 - inset;
    const ry = height / 2 - inset;
    return Array.from({ length: 32 }, (_, i) => ({ x: cx + rx * Math.cos((i * Math.PI) / 16), y: cy + ry * Math.sin((i * Math.PI) / 16) }));
  }
  if (shape.outline === 'diamond') {
    // Insetting a diamond's edges by `inset` moves its vertices by inset * sqrt(1 + (w/h)^2) along each axis.
    const dx = inset * Math.hypot(1, width / height);
    const dy = inset * Math.hypot(1, height / width);
    return [
      { x: cx, y: y + dy },
      { x: x + width - dx, y: cy },
      { x: cx, y: y + height - dy },
      { x: x + dx, y: cy },
    ];
  }
  const b = shrink(shape.bounds, inset);
  return [
    { x: b.x, y: b.y },
    { x: b.x + b.width, y: b.y },
    { x: b.x + b.width, y: b.y + b.height },
    { x: b.x, y: b.y + b.height },
  ];
}

function boxPolygon(box: Box): Point[] {
  return outlinePolygon({ bounds: box, outline: 'rect' });
}

function project(polygon: Point[], axis: Point): [number, number] {
  const values = polygon.map((p) => p.x * axis.x + p.y * axis.y);
  return [Math.min(...values), Math.max(...values)];
}

/** Separating-axis test of two convex polygons: true when their interiors intersect. */
export function convexPolygonsOverlap(a: Point[], b: Point[]): boolean {
  for (const polygon of [a, b]) {
    for (let i = 0; i < polygon.length; i++) {
      const p = polygon[i]!;
      const q = polygon[(i + 1) % polygon.length]!;
      const axis = { x: q.y - p.y, y: p.x - q.x };
      const [minA, maxA] = project(a, axis);
      const [minB, maxB] = project(b, axis);
      if (maxA <= minB || maxB <= minA) return false;
    }
  }
  return true;
}

/** Cyrus-Beck clipping: true when the segment p-q passes through the interior of the convex polygon. */
export function segmentCrossesConvexPolygon(p: Point, q: Point, polygon: Point[]): boolean {
  let tIn = 0;
  let tOut = 1;
  const d = { x: q.x - p.x, y: q.y - p.y };
  // Orientation decides which side of each edge is inside.
  const area = polygon.reduce((sum, a, i) => {
    const b = polygon[(i + 1) % polygon.length]!;
    return sum + (a.x * b.y - b.x * a.y);
  }, 0);
  const sign = area > 0 ? 1 : -1;
  for (let i = 0; i < polygon.length; i++) {
    const a = polygon[i]!;
    const b = polygon[(i + 1) % polygon.length]!;
    // Inward normal of edge a-b.
    const n = { x: -(b.y - a.y) * sign, y: (b.x - a.x) * sign };
    const numerator = n.x * (p.x - a.x) + n.y * (p.y - a.y);
    const denominator = n.x * d.x + n.y * d.y;
    if (denominator === 0) {
      if (numerator < 0) return false;
      continue;
    }
    const t = -numerator / denominator;
    if (denominator > 0) tIn = Math.max(tIn, t);
    else tOut = Math.min(tOut, t);
    if (tIn >= tOut) return false;
  }
  return tOut - tIn > 1e-9;
}

const describeLabel = (label: LabelGeometry) => `${label.embedded ? 'text of' : 'label of'} ${label.ownerId} ("${label.text.slice(0, 40)}")`;

/** The defects of one plane; an empty list is a clean layout. */
export function findLayoutDefects(plane: PlaneGeometry): LayoutDefect[] {
  const defects: LayoutDefect[] = [];
  const shapes = new Map(plane.shapes.map((s) => [s.id, s]));
  const labels = plane.labels.map((label) => ({ label, inner: shrink(label.bounds, tolerance / 2) }));

  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i]!;
      const b = labels[j]!;
      if (boxesOverlap(a.inner, b.inner)) {
        defects.push({ rule: 'label-overlaps-label', message: `${describeLabel(a.label)} overlaps ${describeLabel(b.label)}` });
      }
    }
  }

  for (const { label, inner } of labels) {
    const labelPolygon = boxPolygon(inner);
    for (const shape of plane.shapes) {
      if (shape.id === label.ownerId) continue;
      if (shape.container) {
        const box = shape.bounds;
        if (boxesOverlap(inner, box) && !boxInside(inner, box)) {
          defects.push({ rule: 'label-crosses-container-border', message: `${describeLabel(label)} crosses the border of ${shape.id}` });
        }
        continue;
      }
      if (convexPolygonsOverlap(labelPolygon, outlinePolygon(shape, tolerance / 2))) {
        defects.push({ rule: 'label-over-shape', message: `${describeLabel(label)} lies over ${shape.id}` });
      }
    }
    // A container's own title must stay inside it too.
    const owner = shapes.get(label.ownerId);
    if (owner?.container && label.embedded && !boxInside(inner, owner.bounds)) {
      defects.push({ rule: 'label-crosses-container-border', message: `${describeLabel(label)} sticks out of ${owner.id}` });
    }
  }

  for (const connection of plane.connections) {
    for (const endId of new Set([connection.sourceId, connection.targetId])) {
      const shape = endId ? shapes.get(endId) : undefined;
      if (!shape) continue;
      const interior = outlinePolygon(shape, 2);
      const crossing = connection.waypoints.findIndex((p, k) => {
        const q = connection.waypoints[k + 1];
        return q !== undefined && segmentCrossesConvexPolygon(p, q, interior);
      });
      if (crossing >= 0) {
        const role = endId === connection.sourceId ? 'source' : 'target';
        defects.push({
          rule: 'connection-through-own-shape',
          message: `${connection.id} passes through its ${role} ${shape.id} (segment ${crossing} of ${connection.waypoints.length - 1})`,
        });
      }
    }
  }
  return defects;
}
