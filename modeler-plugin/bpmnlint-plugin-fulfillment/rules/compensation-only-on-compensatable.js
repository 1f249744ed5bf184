// Compensation belongs to blocks whose effect can be undone (seed §16): a compensation boundary
// only on a service task whose job type is compensatable, and its handler runs
// execute-compensation-task, so the undo goes through the domain's compensation plan.

const { is, jobType, eventDefinition, catalog } = require('../lib/model');

const compensatable = new Set(catalog.jobTypes.filter((job) => job.compensatable).map((job) => job.type));
const handlerJobType = 'execute-compensation-task';

module.exports = function () {
  function check(node, reporter) {
    if (is(node, 'bpmn:Activity') && node.isForCompensation) {
      if (is(node, 'bpmn:ServiceTask') && jobType(node) === handlerJobType) return;
      reporter.report(node.id, `Compensation handler must be a service task running <${handlerJobType}>`);
      return;
    }
    if (!is(node, 'bpmn:BoundaryEvent') || !eventDefinition(node, 'bpmn:CompensateEventDefinition')) return;
    const activity = node.attachedToRef;
    if (is(activity, 'bpmn:ServiceTask') && compensatable.has(jobType(activity))) return;
    reporter.report(node.id, `Compensation boundary on <${activity ? activity.id : '?'}>, which is not a compensatable block`);
  }

  return { check };
};
