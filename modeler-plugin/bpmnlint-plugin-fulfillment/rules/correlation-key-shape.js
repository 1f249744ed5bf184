// Correlation keys must be the shapes the correlation relay publishes (seed §6, §10): task
// messages use tenantId:orderId:taskId, order-cancel-requested uses tenantId:orderId:planId.
// Message start events have no key and are left alone.

const { is, extension, messageOf, catalog } = require('../lib/model');

const normalize = (expression) => String(expression).replace(/\s+/g, '');
const taskKey = normalize(catalog.correlationKeys.task);
const orderKey = normalize(catalog.correlationKeys.order);

function expectedKeys(name) {
  if (name === catalog.messages.cancelRequested) return [orderKey];
  if (name === catalog.messages.falloutRepaired || catalog.messages.callback.includes(name)) return [taskKey];
  return [taskKey, orderKey];
}

module.exports = function () {
  function check(node, reporter) {
    if (is(node, 'bpmn:StartEvent')) return;
    if (!is(node, 'bpmn:CatchEvent') && !is(node, 'bpmn:ReceiveTask')) return;
    const message = messageOf(node);
    if (!message) return;
    const subscription = extension(message, 'zeebe:Subscription');
    const key = subscription && subscription.correlationKey;
    const expected = expectedKeys(message.name);
    if (key && expected.includes(normalize(key))) return;
    reporter.report(node.id, `Correlation key of <${message.name}> must be ${expected.join(' or ')}`);
  }

  return { check };
};
