// bpmnlint plugin of Fulfillment Pack. CommonJS because bpmnlint's resolver require()s plugins and
// rules and expects each rule module to be the rule factory itself.

const ruleNames = [
  'await-callback-has-timeout',
  'registered-job-type',
  'correlation-key-shape',
  'fallout-waits-for-repair',
  'compensation-only-on-compensatable',
  'template-current-version',
];

module.exports = {
  configs: {
    recommended: {
      rules: Object.fromEntries(ruleNames.map((name) => [name, 'error'])),
    },
  },
  rules: Object.fromEntries(ruleNames.map((name) => [name, `./rules/${name}`])),
};
