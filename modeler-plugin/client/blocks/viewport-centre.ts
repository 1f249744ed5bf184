/** Centre of what the analyst currently sees, in diagram coordinates. */
import type { Point } from '../host-services';

/** The part of diagram-js Canvas this needs. */
export interface ViewboxCanvas {
  viewbox(): { x: number; y: number; width: number; height: number };
}

/** Where a block inserted from the palette or the create menu goes before free-space shifting. */
export function viewportCentre(canvas: ViewboxCanvas): Point {
  const viewbox = canvas.viewbox();
  return { x: Math.round(viewbox.x + viewbox.width / 2), y: Math.round(viewbox.y + viewbox.height / 2) };
}
