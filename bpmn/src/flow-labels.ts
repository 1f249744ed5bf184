/**
 * Places the labels of named sequence flows the way the Camunda Modeler does for a gateway's
 * branches: beside the start of the part of the flow that is its own (a trunk shared with sibling
 * branches names none of them), sized to the text. Of the spots near that start, the first that
 * overlaps no shape or label, crosses no subprocess border and, for a gateway's branch, stays
 * within reach of the gateway wins; spots that cross fewer flow lines are preferred.
 */
import { gapBetween, samplesAlong, straddles } from './diagram-geometry';
import { intersects } from './process-graph';
import type { Bounds, FlowNode, Point, Scope, SequenceFlow } from './process-graph';

/** How far a branch label may sit from its gateway (the model test holds the layout to this). */
export const maxBranchLabelGap = 60;

/**
 * bpmn-js wraps external labels at 90 px; 11 px Arial averages about 6.5 px a character. bpmn-js
 * breaks a word that does not fit the label's width, so short labels get a margin ("no" drawn in
 * 12 px came out as "n o").
 */
const wrapWidth = 90;
const characterWidth = 6.5;
const labelMargin = 6;
const lineHeight = 14;

/** Size bpmn-js gives the external label of `text`. */
export function labelSize(text: string): { width: number; height: number } {
  const natural = Math.ceil(text.length * characterWidth) + labelMargin;
  return { width: Math.min(wrapWidth, natural), height: lineHeight * Math.ceil(natural / wrapWidth) };
}

/** What one plane holds: obstacles for labels and the borders they must not cross. */
interface PlaneContent {
  boxes: Bounds[];
  containers: Bounds[];
  segments: Array<[Point, Point]>;
}

/** Shapes, labels and lines of a scope and of the expanded subprocesses drawn inside it. */
function planeContent(scope: Scope): PlaneContent {
  const content: PlaneContent = { boxes: [], containers: [], segments: [] };
  for (const node of scope.nodes) {
    if (node.scope && !node.collapsed) {
      content.containers.push(node.bounds);
      const inner = planeContent(node.scope);
      content.boxes.push(...inner.boxes);
      content.containers.push(...inner.containers);
      content.segments.push(...inner.segments);
    } else content.boxes.push(node.bounds);
    if (node.labelBounds) content.boxes.push(node.labelBounds);
  }
  for (const flow of scope.flows) if (flow.labelBounds) content.boxes.push(flow.labelBounds);
  for (const flow of [...scope.flows, ...scope.associations]) {
    flow.waypoints.slice(1).forEach((to, index) => content.segments.push([flow.waypoints[index]!, to]));
  }
  return content;
}

function onSegment(point: Point, [from, to]: [Point, Point]): boolean {
  const within = (value: number, a: number, b: number) => value >= Math.min(a, b) - 0.5 && value <= Math.max(a, b) + 0.5;
  const collinear = Math.abs((to.x - from.x) * (point.y - from.y) - (to.y - from.y) * (point.x - from.x)) < 0.5;
  return collinear && within(point.x, from.x, to.x) && within(point.y, from.y, to.y);
}

function crossings(box: Bounds, segments: ReadonlyArray<[Point, Point]>): number {
  const inside = (point: Point) => point.x > box.x && point.x < box.x + box.width && point.y > box.y && point.y < box.y + box.height;
  return segments.filter(([from, to]) => samplesAlong(from, to, 3).some(inside)).length;
}

interface Candidate {
  box: Bounds;
  /** Path length from the start of the flow to the label's anchor. */
  distance: number;
}

/** Spots beside each segment, from the start of the flow on, skipping points a sibling branch shares. */
function candidates(flow: SequenceFlow, size: { width: number; height: number }, shared: ReadonlyArray<[Point, Point]>): Candidate[] {
  const spots: Candidate[] = [];
  let travelled = 0;
  flow.waypoints.slice(1).forEach((to, index) => {
    const from = flow.waypoints[index]!;
    const length = Math.hypot(to.x - from.x, to.y - from.y);
    const horizontal = Math.abs(to.y - from.y) < 1;
    const direction = { x: (to.x - from.x) / (length || 1), y: (to.y - from.y) / (length || 1) };
    for (let offset = 4; offset < length - 2; offset += 6) {
      const anchor = { x: from.x + direction.x * offset, y: from.y + direction.y * offset };
      if (shared.some((segment) => onSegment(anchor, segment))) continue;
      const { width, height } = size;
      const boxes: Bounds[] = horizontal
        ? [direction.x > 0 ? anchor.x : anchor.x - width].flatMap((x) => [
            { x, y: anchor.y - height - 3, width, height },
            { x, y: anchor.y + 3, width, height },
          ])
        : [direction.y > 0 ? anchor.y : anchor.y - height].flatMap((y) => [
            { x: anchor.x + 4, y, width, height },
            { x: anchor.x - width - 4, y, width, height },
          ]);
      for (const box of boxes) spots.push({ box, distance: travelled + offset });
    }
    travelled += length;
  });
  return spots;
}

/**
 * Gives every named flow of `scope` its label. Call it once the scope and the expanded
 * subprocesses inside it are complete; labels of nested scopes must already be placed.
 */
export function placeFlowLabels(scope: Scope, nodes: ReadonlyMap<string, FlowNode>): void {
  for (const flow of scope.flows) {
    if (!flow.name || flow.labelBounds) continue;
    const content = planeContent(scope);
    const source = nodes.get(flow.source)!;
    const isBranch = source.type === 'exclusiveGateway';
    const siblings = scope.flows.filter((other) => other !== flow && other.source === flow.source);
    const shared = siblings.flatMap((other) => other.waypoints.slice(1).map((to, index): [Point, Point] => [other.waypoints[index]!, to]));
    const spots = candidates(flow, labelSize(flow.name), shared).filter(
      ({ box }) =>
        !content.boxes.some((obstacle) => intersects(obstacle, box)) &&
        !content.containers.some((container) => straddles(container, box)) &&
        (!isBranch || gapBetween(box, source.bounds) <= maxBranchLabelGap),
    );
    const ranked = spots
      .map((spot) => ({ ...spot, crossed: crossings(spot.box, content.segments) }))
      .sort((a, b) => a.crossed - b.crossed || a.distance - b.distance);
    // No free spot: take the nearest one anyway, and let the model test name the clash.
    const best = ranked[0] ?? candidates(flow, labelSize(flow.name), [])[0];
    if (!best) throw new Error(`No spot at all for the label of ${flow.id}`);
    flow.labelBounds = { x: Math.round(best.box.x), y: Math.round(best.box.y), width: best.box.width, height: best.box.height };
  }
}
