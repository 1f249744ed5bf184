// Camunda Modeler plugin descriptor of the Fulfillment Pack. CommonJS: the Modeler require()s every
// plugins/*/index.js and resolves these paths against the plugin folder (the built
// dist/modeler-plugin/fulfillment-pack/, see scripts/build-plugin.ts).
module.exports = {
  name: 'Fulfillment Pack',
  script: './client/client.js',
  style: './client/style.css',
  menu: './menu.js',
};
