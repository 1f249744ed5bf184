// Every external wait needs a timeout (seed §14). A receive task carries a timer boundary itself;
// an intermediate catch event cannot, so it must sit behind an event-based gateway that also
// offers a timer, or inside a subprocess that carries a timer boundary.

const { is, eventDefinition, boundaryEvents, predecessors, successors, isAwaitCallback } = require('../lib/model');

function hasTimerBoundary(activity) {
  return boundaryEvents(activity).some((event) => eventDefinition(event, 'bpmn:TimerEventDefinition'));
}

function racesATimer(catchEvent) {
  return predecessors(catchEvent).some(
    (gateway) =>
      is(gateway, 'bpmn:EventBasedGateway') &&
      successors(gateway).some((target) => eventDefinition(target, 'bpmn:TimerEventDefinition')),
  );
}

module.exports = function () {
  function check(node, reporter) {
    if (!isAwaitCallback(node)) return;
    if (is(node, 'bpmn:ReceiveTask') && hasTimerBoundary(node)) return;
    if (is(node, 'bpmn:IntermediateCatchEvent') && racesATimer(node)) return;
    if (is(node.$parent, 'bpmn:SubProcess') && hasTimerBoundary(node.$parent)) return;
    reporter.report(node.id, 'Callback wait has no timeout: add a timer boundary or race it against a timer');
  }

  return { check };
};
