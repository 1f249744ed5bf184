// Elements built from our templates must use the current template version, so the model carries
// the bindings the runtime expects today (older versions stay in element-templates/versioned/
// only so the Modeler can open and upgrade old diagrams).

const { catalog, is } = require('../lib/model');

const ourPrefix = 'fulfillment-pack.';

module.exports = function () {
  function check(node, reporter) {
    const id = node.modelerTemplate;
    if (!id || !id.startsWith(ourPrefix)) return;
    // The Modeler stamps the bpmn:Message it creates for a message template with the template id
    // but no version (zeebe:TemplatedRootElement); only the elements carry a version.
    if (!is(node, 'bpmn:FlowElement')) return;
    const current = catalog.templateVersions[id];
    if (current === undefined) {
      reporter.report(node.id, `Template <${id}> does not exist (any more)`);
      return;
    }
    const version = Number(node.modelerTemplateVersion);
    if (version === current) return;
    reporter.report(node.id, `Template <${id}> is at version ${Number.isNaN(version) ? 'none' : version}; current is ${current}`);
  }

  return { check };
};
