/**
 * `fulfillmentModule`, the bpmn-js module the plugin adds to Camunda Modeler's Camunda 8 BPMN
 * editor: templates, building blocks with their palette and popup menu entries, and the upgrade.
 * It uses the host's bpmn-js services through the injector and bundles none of its own.
 */
import blocksModule from './blocks';
import paletteModule from './palette';
import popupMenuModule from './popup-menu';
import templatesModule from './templates';
import upgradeModule from './upgrade';

/** The whole plugin as one bpmn-js module. */
export const fulfillmentModule = {
  __depends__: [templatesModule, blocksModule, paletteModule, popupMenuModule, upgradeModule],
};
