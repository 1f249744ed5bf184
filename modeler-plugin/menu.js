// Plugins menu of the Fulfillment Pack. The Modeler calls this with its Electron app and the menu
// state; an entry's action emits `menu:action`, which the client passes to the active editor, and
// the Camunda 8 BPMN editor hands actions it does not know to bpmn-js editorActions, where the
// plugin registered `fulfillment.upgradeBlocks` (other editors ignore it; the Modeler's action
// dispatch is fail-safe).
module.exports = function (electronApp) {
  return [
    {
      label: 'Upgrade fulfillment blocks',
      action: function () {
        electronApp.emit('menu:action', 'fulfillment.upgradeBlocks');
      },
    },
  ];
};
