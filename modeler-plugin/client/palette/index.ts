/** bpmn-js module of the palette entries of the building blocks. */
import blocksModule from '../blocks';
import { FulfillmentPalette } from './fulfillment-palette';

export default {
  __depends__: [blocksModule],
  __init__: ['fulfillmentPalette'],
  fulfillmentPalette: ['type', FulfillmentPalette],
};
