// Every service task must run one of our registered job types, or no worker will ever take its
// jobs (the list comes from connector-runtime/src/jobs/index.ts through gen:templates).

const { is, jobType, catalog } = require('../lib/model');

const registered = new Set(catalog.jobTypes.map((job) => job.type));

module.exports = function () {
  function check(node, reporter) {
    if (!is(node, 'bpmn:ServiceTask')) return;
    const type = jobType(node);
    if (!type) {
      reporter.report(node.id, 'Service task has no job type');
      return;
    }
    if (registered.has(type)) return;
    reporter.report(node.id, `Job type <${type}> is not a registered fulfillment job type`);
  }

  return { check };
};
