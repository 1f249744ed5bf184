/**
 * The lint plugin of the bundle: every rule of bpmnlint-plugin-fulfillment with its configs (the
 * build generates `fulfillment-pack:lint-rules` from the plugin's own rule list).
 */
import fulfillmentRules from 'fulfillment-pack:lint-rules';
import type { LintPlugin } from './lint-plugin';
import { createLintPlugin } from './lint-plugin';

/** `{ config, resolver }` for `registerClientPlugin(…, 'lintRules.cloud-bpmn')`. */
export const lintPlugin: LintPlugin = createLintPlugin(fulfillmentRules.rules, fulfillmentRules.configs);
