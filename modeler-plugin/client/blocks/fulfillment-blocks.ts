/**
 * `fulfillmentBlocks`: the building blocks analysts insert. `list()` names them; `insert()` adds
 * one as a single command (undo removes it whole).
 */
import type { CommandStack, Shape } from '../host-services';
import type { BlockId } from './block-recipes';
import { blockIds, blockRecipes } from './block-recipes';
import type { InsertOptions } from './build-block';
import type { InsertBlockContext } from './insert-block-handler';
import { InsertBlockHandler, insertBlockCommand } from './insert-block-handler';

/** What the palette and the menus show of a block. */
export interface BlockDescription {
  id: BlockId;
  label: string;
  description: string;
}

/** The `fulfillmentBlocks` service. */
export class FulfillmentBlocks {
  static $inject = ['commandStack'];

  constructor(private readonly commandStack: CommandStack) {
    commandStack.registerHandler(insertBlockCommand, InsertBlockHandler);
  }

  /** Every block, in palette order. */
  list(): BlockDescription[] {
    return blockIds.map((id) => ({ id, label: blockRecipes[id].label, description: blockRecipes[id].description }));
  }

  /** Inserts a block; throws on an unknown id (or a compensation block without a task to attach to). */
  insert(blockId: string, options: InsertOptions = {}): { elements: Shape[] } {
    if (!(blockIds as readonly string[]).includes(blockId)) throw new Error(`Unknown fulfillment block ${blockId}; known: ${blockIds.join(', ')}`);
    const context: InsertBlockContext = { ...options, blockId: blockId as BlockId };
    this.commandStack.execute(insertBlockCommand, context as unknown as Record<string, unknown>);
    return { elements: context.elements ?? [] };
  }
}
