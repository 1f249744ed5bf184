/**
 * The layout rules on small hand-made planes: each defect the rules name is found, and the
 * near misses a tidy diagram has (a label beside an event's corner, a flow docked on a border)
 * are not.
 */
import { describe, expect, it } from 'vitest';
import { findLayoutDefects, type LabelGeometry, type PlaneGeometry, type ShapeGeometry } from './layout-check';

const task = (id: string, x: number, y: number): ShapeGeometry => ({
  id,
  type: 'bpmn:Task',
  name: id,
  bounds: { x, y, width: 100, height: 80 },
  outline: 'rect',
  container: false,
  hostId: null,
});
const event = (id: string, x: number, y: number): ShapeGeometry => ({ ...task(id, x, y), type: 'bpmn:EndEvent', bounds: { x, y, width: 36, height: 36 }, outline: 'ellipse' });
const subprocess = (id: string, x: number, y: number, width: number, height: number): ShapeGeometry => ({
  ...task(id, x, y),
  type: 'bpmn:SubProcess',
  bounds: { x, y, width, height },
  container: true,
});
const label = (ownerId: string, x: number, y: number, width = 40, height = 14): LabelGeometry => ({
  id: `${ownerId}_label`,
  ownerId,
  embedded: false,
  text: ownerId,
  bounds: { x, y, width, height },
});
const plane = (parts: Partial<PlaneGeometry>): PlaneGeometry => ({ rootId: 'Process_1', shapes: [], labels: [], connections: [], ...parts });

const rulesOf = (p: PlaneGeometry) => findLayoutDefects(p).map((d) => d.rule);

describe('findLayoutDefects', () => {
  it('given two labels drawn on top of each other, when checked, then label-overlaps-label', () => {
    expect(rulesOf(plane({ labels: [label('Flow_a', 100, 100), label('Flow_b', 120, 105)] }))).toEqual(['label-overlaps-label']);
  });

  it('given labels one pixel apart, when checked, then nothing', () => {
    expect(rulesOf(plane({ labels: [label('Flow_a', 100, 100), label('Flow_b', 141, 100)] }))).toEqual([]);
  });

  it('given a flow label over a task, when checked, then label-over-shape; under its own event, nothing', () => {
    const shapes = [task('Task_1', 200, 100), event('End_1', 400, 100)];
    expect(rulesOf(plane({ shapes, labels: [label('Flow_a', 190, 120)] }))).toEqual(['label-over-shape']);
    expect(rulesOf(plane({ shapes, labels: [label('End_1', 398, 120)] }))).toEqual([]);
  });

  it("given a label beside an event's bounding-box corner but off the circle, when checked, then nothing", () => {
    expect(rulesOf(plane({ shapes: [event('End_1', 400, 100)], labels: [label('Flow_a', 360, 86, 44, 16)] }))).toEqual([]);
  });

  it('given a label across a subprocess border, when checked, then label-crosses-container-border; wholly inside, nothing', () => {
    const shapes = [subprocess('Sub_1', 100, 100, 400, 200)];
    expect(rulesOf(plane({ shapes, labels: [label('Flow_a', 80, 150)] }))).toEqual(['label-crosses-container-border']);
    expect(rulesOf(plane({ shapes, labels: [label('Flow_a', 120, 150)] }))).toEqual([]);
  });

  it('given a flow that enters its target and ends on the far side, when checked, then connection-through-own-shape; docked on the border, nothing', () => {
    const shapes = [task('Task_1', 100, 100), event('End_1', 300, 122)];
    const through = { id: 'Flow_1', type: 'bpmn:SequenceFlow', sourceId: 'Task_1', targetId: 'End_1', waypoints: [{ x: 200, y: 140 }, { x: 336, y: 140 }] };
    const docked = { ...through, waypoints: [{ x: 200, y: 140 }, { x: 300, y: 140 }] };
    expect(rulesOf(plane({ shapes, connections: [through] }))).toEqual(['connection-through-own-shape']);
    expect(rulesOf(plane({ shapes, connections: [docked] }))).toEqual([]);
  });

  it('given a flow that starts at the bottom of its source and runs up through it, when checked, then connection-through-own-shape', () => {
    const shapes = [task('Task_1', 100, 100), task('Task_2', 100, -100)];
    const flow = { id: 'Flow_1', type: 'bpmn:SequenceFlow', sourceId: 'Task_1', targetId: 'Task_2', waypoints: [{ x: 150, y: 180 }, { x: 150, y: -20 }] };
    expect(rulesOf(plane({ shapes, connections: [flow] }))).toEqual(['connection-through-own-shape']);
  });
});
