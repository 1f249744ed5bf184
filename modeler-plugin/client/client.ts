/**
 * Entry of the plugin bundle (client/client.js), run by Camunda Modeler as a script: registers the
 * bpmn-js module for Camunda 8 diagrams and our lint rules for the Camunda 8 BPMN linter.
 */
import { registerClientPlugin, registerCloudBpmnJSPlugin } from 'camunda-modeler-plugin-helpers';
import { fulfillmentModule } from './fulfillment-module';
import { lintPlugin } from './lint';

registerCloudBpmnJSPlugin(fulfillmentModule);
registerClientPlugin(lintPlugin, 'lintRules.cloud-bpmn');
