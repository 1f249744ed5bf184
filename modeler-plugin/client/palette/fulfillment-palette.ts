/**
 * Palette entries `fulfillment-block.<blockId>`, after a separator, in the `fulfillment` group.
 * A click inserts the block in the middle of the view; the compensation block attaches to the
 * selected task, so it needs one selected.
 */
import type { FulfillmentBlocks } from '../blocks/fulfillment-blocks';
import type { ViewboxCanvas } from '../blocks/viewport-centre';
import { viewportCentre } from '../blocks/viewport-centre';
import type { Shape } from '../host-services';

interface Palette {
  registerProvider(priority: number, provider: { getPaletteEntries(): Record<string, unknown> }): void;
}

interface Selection {
  get(): Shape[];
}

/** Palette entries come after bpmn-js's own (which register at the default priority, 1000). */
const paletteProviderPriority = 500;

/** The `fulfillmentPalette` service. */
export class FulfillmentPalette {
  static $inject = ['palette', 'fulfillmentBlocks', 'canvas', 'selection'];

  constructor(
    palette: Palette,
    private readonly blocks: FulfillmentBlocks,
    private readonly canvas: ViewboxCanvas,
    private readonly selection: Selection,
  ) {
    palette.registerProvider(paletteProviderPriority, this);
  }

  /** Entries of the palette, keyed by id. */
  getPaletteEntries(): Record<string, unknown> {
    const entries: Record<string, unknown> = {
      'fulfillment-separator': { group: 'fulfillment', separator: true },
    };
    for (const block of this.blocks.list()) {
      const insert = () => {
        if (block.id === 'compensation') {
          const task = this.selection.get().find((element) => element.businessObject.$instanceOf('bpmn:Activity'));
          if (!task) {
            console.warn('Fulfillment Pack: select the task to compensate first');
            return;
          }
          this.blocks.insert(block.id, { appendTo: task });
          return;
        }
        this.blocks.insert(block.id, { position: viewportCentre(this.canvas) });
      };
      entries[`fulfillment-block.${block.id}`] = {
        group: 'fulfillment',
        className: `fulfillment-block-icon fulfillment-block-icon--${block.id}`,
        title: block.id === 'compensation' ? `${block.label} (select the task to compensate first)` : block.label,
        action: { click: insert },
      };
    }
    return entries;
  }
}
