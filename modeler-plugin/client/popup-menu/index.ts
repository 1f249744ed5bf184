/** bpmn-js module of the create/append popup menu entries of the building blocks. */
import blocksModule from '../blocks';
import { FulfillmentMenuEntries } from './fulfillment-menu-entries';

export default {
  __depends__: [blocksModule],
  __init__: ['fulfillmentMenuEntries'],
  fulfillmentMenuEntries: ['type', FulfillmentMenuEntries],
};
