/**
 * Where a block goes: the first place, moving right from where it was asked for, where its box
 * (plus a margin) overlaps no shape already there. Pure geometry.
 */
import type { Bounds, Point } from '../host-services';

/** Gap kept between a block and the shapes around it. */
export const blockMargin = 30;

/** True when the two boxes overlap once `a` is grown by `margin` on every side. */
export function overlaps(a: Bounds, b: Bounds, margin = blockMargin): boolean {
  return a.x - margin < b.x + b.width && b.x < a.x + a.width + margin && a.y - margin < b.y + b.height && b.y < a.y + a.height + margin;
}

/**
 * The offset to add to `box` so it overlaps none of `occupied`: moves right past whatever it hits
 * (then, when `direction` is 'down', below it instead). Terminates because every step moves the
 * box past at least one occupied box.
 */
export function findFreeOffset(box: Bounds, occupied: readonly Bounds[], direction: 'right' | 'down' = 'right'): Point {
  const offset = { x: 0, y: 0 };
  for (let step = 0; step <= occupied.length; step += 1) {
    const moved = { ...box, x: box.x + offset.x, y: box.y + offset.y };
    const hit = occupied.filter((other) => overlaps(moved, other));
    if (hit.length === 0) return offset;
    if (direction === 'right') offset.x = Math.max(...hit.map((other) => other.x + other.width)) + blockMargin + 1 - box.x;
    else offset.y = Math.max(...hit.map((other) => other.y + other.height)) + blockMargin + 1 - box.y;
  }
  return offset;
}

/** Box around the given boxes. */
export function union(boxes: readonly Bounds[]): Bounds {
  const left = Math.min(...boxes.map((box) => box.x));
  const top = Math.min(...boxes.map((box) => box.y));
  const right = Math.max(...boxes.map((box) => box.x + box.width));
  const bottom = Math.max(...boxes.map((box) => box.y + box.height));
  return { x: left, y: top, width: right - left, height: bottom - top };
}
