/** bpmn-js module of the template upgrade: the `fulfillmentUpgrade` service and its editor action. */
import templatesModule from '../templates';
import { FulfillmentUpgrade } from './fulfillment-upgrade';

export default {
  __depends__: [templatesModule],
  __init__: ['fulfillmentUpgrade'],
  fulfillmentUpgrade: ['type', FulfillmentUpgrade],
};
