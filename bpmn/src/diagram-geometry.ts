/**
 * Pure geometry of a diagram plane: distances between rectangles, whether a point lies on a
 * shape's outline, whether a segment passes through a shape. The layout builder places labels
 * with it and the model test judges the written diagram with the same reading, so the two cannot
 * disagree about what "touching" or "beside" means.
 */
import type { Bounds, Point } from './process-graph';

/** Outline a docking point is measured against: bpmn-js draws events round, gateways as diamonds. */
export type Outline = 'rectangle' | 'circle' | 'diamond';

/** Gap between two rectangles along both axes combined (0 when they touch or overlap). */
export function gapBetween(a: Bounds, b: Bounds): number {
  const dx = Math.max(0, b.x - (a.x + a.width), a.x - (b.x + b.width));
  const dy = Math.max(0, b.y - (a.y + a.height), a.y - (b.y + b.height));
  return Math.hypot(dx, dy);
}

/** `bounds` grown by `margin` on every side (shrunk when negative). */
export function grow(bounds: Bounds, margin: number): Bounds {
  return { x: bounds.x - margin, y: bounds.y - margin, width: bounds.width + 2 * margin, height: bounds.height + 2 * margin };
}

/** True when `point` lies strictly inside `bounds`. */
export function strictlyInside(bounds: Bounds, point: Point): boolean {
  return point.x > bounds.x && point.x < bounds.x + bounds.width && point.y > bounds.y && point.y < bounds.y + bounds.height;
}

/**
 * True when `point` lies on the outline of a shape within `tolerance` pixels. A circle or diamond
 * also accepts its bounding rectangle: a flow docked there still touches the drawn shape's box.
 */
export function onOutline(bounds: Bounds, point: Point, outline: Outline = 'rectangle', tolerance = 1): boolean {
  const onRectangle = !strictlyInside(grow(bounds, -tolerance), point) && strictlyInside(grow(bounds, tolerance), point);
  if (onRectangle || outline === 'rectangle') return onRectangle;
  const rx = bounds.width / 2;
  const ry = bounds.height / 2;
  const dx = point.x - (bounds.x + rx);
  const dy = point.y - (bounds.y + ry);
  if (outline === 'circle') return Math.abs(Math.hypot(dx, dy) - rx) <= tolerance;
  // Distance to the diamond's edge, scaled back to pixels along the half-diagonal.
  return Math.abs(Math.abs(dx) / rx + Math.abs(dy) / ry - 1) * Math.min(rx, ry) <= tolerance;
}

/** Points every `step` pixels along a segment, both ends included. */
export function samplesAlong(from: Point, to: Point, step = 2): Point[] {
  const count = Math.max(1, Math.ceil(Math.hypot(to.x - from.x, to.y - from.y) / step));
  return Array.from({ length: count + 1 }, (_, index) => ({
    x: from.x + ((to.x - from.x) * index) / count,
    y: from.y + ((to.y - from.y) * index) / count,
  }));
}

/** True when some segment of `waypoints` runs through the interior of `bounds` (shrunk by 1 px). */
export function crossesInterior(waypoints: readonly Point[], bounds: Bounds): boolean {
  const interior = grow(bounds, -1);
  return waypoints.slice(1).some((to, index) => samplesAlong(waypoints[index]!, to).some((point) => strictlyInside(interior, point)));
}

/** True when `inner` and `outer` share area but `inner` is not wholly inside `outer`. */
export function straddles(outer: Bounds, inner: Bounds): boolean {
  const overlaps = inner.x < outer.x + outer.width && outer.x < inner.x + inner.width && inner.y < outer.y + outer.height && outer.y < inner.y + inner.height;
  const within = inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
  return overlaps && !within;
}
