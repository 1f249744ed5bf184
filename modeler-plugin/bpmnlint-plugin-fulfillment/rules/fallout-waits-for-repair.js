// A fallout route must wait for the repair (seed §17): after open-fulfillment-fallout the flow
// reaches a fulfillment-fallout-repaired catch, passing through gateways and the steps that
// collect a repair decision (a user task and the apply-manual-decision task that turns it into the
// domain's repair command). Anything else would end or continue the process while the case is
// still open: the repair is confirmed only by the domain's message.

const { is, jobType, messageName, successors, catalog } = require('../lib/model');

const falloutJobType = 'open-fulfillment-fallout';
const repairDecisionJobType = 'apply-manual-decision';

/** Steps that only collect the repair decision, so the wait may come after them. */
function collectsRepairDecision(element) {
  return is(element, 'bpmn:UserTask') || (is(element, 'bpmn:ServiceTask') && jobType(element) === repairDecisionJobType);
}

function reachesRepairWait(start) {
  const seen = new Set();
  const queue = successors(start);
  while (queue.length > 0) {
    const element = queue.shift();
    if (!element || seen.has(element)) continue;
    seen.add(element);
    const waits = is(element, 'bpmn:IntermediateCatchEvent') || is(element, 'bpmn:ReceiveTask');
    if (waits && messageName(element) === catalog.messages.falloutRepaired) return true;
    if (is(element, 'bpmn:Gateway') || collectsRepairDecision(element)) queue.push(...successors(element));
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
