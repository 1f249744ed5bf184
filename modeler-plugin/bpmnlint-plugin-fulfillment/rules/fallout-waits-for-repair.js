// A fallout route must wait for the repair (seed §17): after open-fulfillment-fallout the flow
// reaches a fulfillment-fallout-repaired catch, passing through gateways only. Anything else
// would end or continue the process while the case is still open.

const { is, jobType, messageName, successors, catalog } = require('../lib/model');

const falloutJobType = 'open-fulfillment-fallout';

function reachesRepairWait(start) {
  const seen = new Set();
  const queue = successors(start);
  while (queue.length > 0) {
    const element = queue.shift();
    if (!element || seen.has(element)) continue;
    seen.add(element);
    const waits = is(element, 'bpmn:IntermediateCatchEvent') || is(element, 'bpmn:ReceiveTask');
    if (waits && messageName(element) === catalog.messages.falloutRepaired) return true;
    if (is(element, 'bpmn:Gateway')) queue.push(...successors(element));
  }
  return false;
}

module.exports = function () {
  function check(node, reporter) {
    if (!is(node, 'bpmn:ServiceTask') || jobType(node) !== falloutJobType) return;
    if (reachesRepairWait(node)) return;
    reporter.report(node.id, `Fallout route does not wait for <${catalog.messages.falloutRepaired}> after opening the case`);
  }

  return { check };
};
