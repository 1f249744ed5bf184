/**
 * The `fulfillment.insertBlock` command. All modeling happens in `postExecute`: diagram-js records
 * the commands executed there under this command's id, so one undo removes the whole block and one
 * redo brings it back; `execute` and `revert` themselves change nothing.
 */
import type { BpmnFactory, Canvas, ElementFactory, Modeling, Shape, ElementTemplates } from '../host-services';
import { CompoundCommandHandler } from '../command/compound-command-handler';
import type { TemplateCatalog } from '../templates/template-catalog';
import type { BlockId } from './block-recipes';
import { blockRecipes } from './block-recipes';
import type { InsertOptions } from './build-block';
import { buildBlock } from './build-block';

/** Name of the command on the command stack. */
export const insertBlockCommand = 'fulfillment.insertBlock';

/** Context of the command; `elements` is filled in by the handler. */
export interface InsertBlockContext extends InsertOptions {
  blockId: BlockId;
  elements?: Shape[];
}

/** Command handler, instantiated by the command stack through the injector. */
export class InsertBlockHandler extends CompoundCommandHandler<InsertBlockContext> {
  postExecute(context: InsertBlockContext): void {
    const get = <T>(name: string, strict = true) => this.injector.get<T>(name, strict);
    context.elements = buildBlock(blockRecipes[context.blockId], context, {
      modeling: get<Modeling>('modeling'),
      elementFactory: get<ElementFactory>('elementFactory'),
      bpmnFactory: get<BpmnFactory>('bpmnFactory'),
      canvas: get<Canvas>('canvas'),
      catalog: get<TemplateCatalog>('fulfillmentTemplateCatalog'),
      elementTemplates: get<ElementTemplates | undefined>('elementTemplates', false) ?? undefined,
    });
  }
}
