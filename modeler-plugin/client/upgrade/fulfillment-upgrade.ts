/**
 * `fulfillmentUpgrade.upgradeAll()` and the editor action `fulfillment.upgradeBlocks` (the
 * plugin menu's "Upgrade fulfillment blocks"): moves every element of ours that references an
 * older template version to the current one, with the same decisions as `npm run upgrade:bpmn`,
 * as one command-stack entry, and reports what it did.
 */
import type { BpmnFactory, CommandStack, EditorActions, ElementRegistry, ElementTemplates, EventBus, Modeling, Shape } from '../host-services';
import { CompoundCommandHandler } from '../command/compound-command-handler';
import { applyTemplateToShape } from '../templates/apply-to-shape';
import type { TemplateCatalog } from '../templates/template-catalog';
import type { ModdleElement } from '../templates/template-values';
import { readTemplateValues } from '../templates/template-values';
import { formatUpgradeReport } from './format-report';
import type { PlannedUpgrade, UpgradeReport } from './upgrade-elements';
import { planDiagramUpgrade } from './upgrade-elements';

/** Name of the command on the command stack. */
export const upgradeBlocksCommand = 'fulfillment.upgradeBlocks';

/** Name of the editor action the plugin menu triggers. */
export const upgradeBlocksAction = 'fulfillment.upgradeBlocks';

interface UpgradeContext {
  planned: PlannedUpgrade[];
  shapes: Map<ModdleElement, Shape>;
}

/** Applies the planned upgrades inside the command, so one undo reverts them all. */
class UpgradeBlocksHandler extends CompoundCommandHandler<UpgradeContext> {
  postExecute(context: UpgradeContext): void {
    const host = {
      modeling: this.injector.get<Modeling>('modeling'),
      bpmnFactory: this.injector.get<BpmnFactory>('bpmnFactory'),
      elementTemplates: this.injector.get<ElementTemplates | undefined>('elementTemplates', false) ?? undefined,
    };
    for (const upgrade of context.planned) {
      const shape = context.shapes.get(upgrade.element);
      if (!shape) continue;
      const upgraded = applyTemplateToShape(shape, upgrade.newTemplate, upgrade.plan.values, host, [upgrade.oldTemplate]);
      // The host's template update keeps or drops values by its own rules; where it ended up
      // elsewhere than the plan, the plan wins, so the Modeler and the CLI agree.
      const actual = readTemplateValues(upgraded.businessObject, upgrade.newTemplate);
      const differs = Object.entries(upgrade.plan.values).some(([id, value]) => (actual[id] ?? '') !== value);
      if (differs && host.elementTemplates) applyTemplateToShape(upgraded, upgrade.newTemplate, upgrade.plan.values, { ...host, elementTemplates: undefined }, [upgrade.oldTemplate]);
    }
  }
}

/** The `fulfillmentUpgrade` service. */
export class FulfillmentUpgrade {
  static $inject = ['commandStack', 'elementRegistry', 'eventBus', 'fulfillmentTemplateCatalog'];

  constructor(
    private readonly commandStack: CommandStack,
    private readonly elementRegistry: ElementRegistry,
    eventBus: EventBus,
    private readonly catalog: TemplateCatalog,
  ) {
    commandStack.registerHandler(upgradeBlocksCommand, UpgradeBlocksHandler);
    eventBus.on('editorActions.init', (event) => {
      (event.editorActions as EditorActions).register({ [upgradeBlocksAction]: () => this.upgradeAll() });
    });
  }

  /** Upgrades every element of ours to its template's current version; logs and returns the report. */
  upgradeAll(): UpgradeReport {
    const shapes = new Map<ModdleElement, Shape>();
    for (const shape of this.elementRegistry.filter((element) => !element.labelTarget && !element.waypoints && Boolean(element.businessObject))) {
      if (!shapes.has(shape.businessObject)) shapes.set(shape.businessObject, shape);
    }
    const { planned, skipped } = planDiagramUpgrade(shapes.keys(), this.catalog);
    if (planned.length > 0) this.commandStack.execute(upgradeBlocksCommand, { planned, shapes } as unknown as Record<string, unknown>);
    const report: UpgradeReport = { upgraded: planned.map((upgrade) => upgrade.report), skipped };
    console.info(`Fulfillment Pack: upgrade fulfillment blocks\n${formatUpgradeReport(report).join('\n')}`);
    return report;
  }
}
