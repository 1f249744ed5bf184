/**
 * bpmn-js module of our templates: the catalog bundled into the plugin (every generated and
 * versioned template, injected by the build as `fulfillment-pack:templates`) and the registry that
 * hands them to the host's element templates service.
 */
import templates from 'fulfillment-pack:templates';
import { TemplateCatalog } from './template-catalog';
import { TemplateRegistry } from './template-registry';

export default {
  __init__: ['fulfillmentTemplateRegistry'],
  fulfillmentTemplateCatalog: ['value', new TemplateCatalog(templates)],
  fulfillmentTemplateRegistry: ['type', TemplateRegistry],
};
