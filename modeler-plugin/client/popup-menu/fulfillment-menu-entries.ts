/**
 * Entries `fulfillment-block-<blockId>` (group `fulfillment`) in the create and append popup menus
 * of Camunda Modeler 5 (providers `bpmn-create` and `bpmn-append`, as
 * bpmn-js-create-append-anything registers them). A plain bpmn-js has no such menus; the
 * providers are registered anyway and show up when something opens a menu by those ids.
 */
import type { FulfillmentBlocks } from '../blocks/fulfillment-blocks';
import type { ViewboxCanvas } from '../blocks/viewport-centre';
import { viewportCentre } from '../blocks/viewport-centre';
import type { Shape } from '../host-services';

interface PopupMenu {
  registerProvider(id: string, priority: number, provider: unknown): void;
  close(): void;
}

/** Popup menu provider ids of the create and append menus. */
export const createMenuId = 'bpmn-create';
export const appendMenuId = 'bpmn-append';

/** Group of our entries in both menus. */
export const fulfillmentGroup = { id: 'fulfillment', name: 'Fulfillment' };

const lowPriority = 500;

/** The `fulfillmentMenuEntries` service. */
export class FulfillmentMenuEntries {
  static $inject = ['popupMenu', 'fulfillmentBlocks', 'canvas'];

  constructor(
    private readonly popupMenu: PopupMenu,
    private readonly blocks: FulfillmentBlocks,
    private readonly canvas: ViewboxCanvas,
  ) {
    popupMenu.registerProvider(createMenuId, lowPriority, { getPopupMenuEntries: () => this.createEntries() });
    popupMenu.registerProvider(appendMenuId, lowPriority, { getPopupMenuEntries: (element: Shape) => this.appendEntries(element) });
  }

  private entry(label: string, description: string, insert: () => void): Record<string, unknown> {
    const action = () => {
      this.popupMenu.close();
      insert();
    };
    return { label, description, group: fulfillmentGroup, className: 'fulfillment-block-icon', action: { click: action } };
  }

  /** Create menu: every block that stands on its own, inserted in the middle of the view. */
  createEntries(): Record<string, unknown> {
    const entries: Record<string, unknown> = {};
    for (const block of this.blocks.list().filter((candidate) => candidate.id !== 'compensation')) {
      entries[`fulfillment-block-${block.id}`] = this.entry(block.label, block.description, () => this.blocks.insert(block.id, { position: viewportCentre(this.canvas) }));
    }
    return entries;
  }

  /** Append menu: every block after the element; compensation only on an activity. */
  appendEntries(element: Shape): Record<string, unknown> {
    const entries: Record<string, unknown> = {};
    const isActivity = element.businessObject.$instanceOf('bpmn:Activity');
    for (const block of this.blocks.list()) {
      if (block.id === 'compensation' && !isActivity) continue;
      entries[`fulfillment-block-${block.id}`] = this.entry(block.label, block.description, () => this.blocks.insert(block.id, { appendTo: element }));
    }
    return entries;
  }
}
