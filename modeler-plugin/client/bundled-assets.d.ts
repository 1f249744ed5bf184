/**
 * Modules the plugin build (scripts/build-plugin.ts) generates while bundling: the JSON files of
 * element-templates/ and the rules of bpmnlint-plugin-fulfillment, so that neither list is kept by
 * hand.
 */
declare module 'fulfillment-pack:templates' {
  import type { ElementTemplate } from '../../element-templates/src/template-types';

  /** Every generated and versioned template. */
  const templates: ElementTemplate[];
  export default templates;
}

declare module 'fulfillment-pack:lint-rules' {
  /** Rule factories of bpmnlint-plugin-fulfillment by rule name, and its configs. */
  const plugin: { rules: Record<string, unknown>; configs: Record<string, { rules?: Record<string, string> }> };
  export default plugin;
}

declare module 'camunda-modeler-plugin-helpers' {
  /** Pushes `{ plugin, type }` to `window.plugins`, where the Modeler collects plugins. */
  export function registerClientPlugin(plugin: unknown, type: string): void;
  /** `registerClientPlugin(module, 'bpmn.cloud.modeler.additionalModules')`. */
  export function registerCloudBpmnJSPlugin(module: unknown): void;
}
