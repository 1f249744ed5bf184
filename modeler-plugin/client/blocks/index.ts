/** bpmn-js module of the building blocks: the `fulfillmentBlocks` service and its command. */
import templatesModule from '../templates';
import { FulfillmentBlocks } from './fulfillment-blocks';

export default {
  __depends__: [templatesModule],
  __init__: ['fulfillmentBlocks'],
  fulfillmentBlocks: ['type', FulfillmentBlocks],
};
