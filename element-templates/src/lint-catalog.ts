/**
 * The facts the bpmnlint plugin checks against, as JSON. The plugin runs inside Camunda Modeler,
 * where it cannot import our TypeScript, so the generator writes this file next to the rules and a
 * test keeps it in sync with the registry.
 */
import { callbackMessages } from '../../connector-runtime/src/domain/vocabulary';
import { jobContracts } from '../../connector-runtime/src/jobs/index';
import {
  cancelRequestedMessageName,
  falloutRepairedMessageName,
  orderCorrelationKeyExpression,
  taskCorrelationKeyExpression,
} from '../../connector-runtime/src/jobs/model-names';
import { eventTemplateIds } from './event-templates';
import type { ElementTemplate } from './template-types';

/** Shape of `bpmnlint-plugin-fulfillment/lib/fulfillment-catalog.json`. */
export interface FulfillmentCatalog {
  jobTypes: { type: string; templateId: string; compensatable: boolean }[];
  /** Current version of each of our templates. */
  templateVersions: Record<string, number>;
  templateIds: typeof eventTemplateIds;
  messages: { callback: string[]; falloutRepaired: string; cancelRequested: string };
  correlationKeys: { task: string; order: string };
}

/** Builds the catalog from the registry and the versioned templates. */
export function buildLintCatalog(templates: readonly ElementTemplate[]): FulfillmentCatalog {
  return {
    jobTypes: jobContracts.map((contract) => ({
      type: contract.type,
      templateId: contract.template.id,
      compensatable: contract.template.compensatable,
    })),
    templateVersions: Object.fromEntries(
      [...templates].sort((a, b) => a.id.localeCompare(b.id)).map((template) => [template.id, template.version]),
    ),
    templateIds: eventTemplateIds,
    messages: {
      callback: callbackMessages.map((message) => message.name),
      falloutRepaired: falloutRepairedMessageName,
      cancelRequested: cancelRequestedMessageName,
    },
    correlationKeys: { task: taskCorrelationKeyExpression, order: orderCorrelationKeyExpression },
  };
}
