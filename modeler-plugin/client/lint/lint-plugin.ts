/**
 * Our bpmnlint rules in the shape Camunda Modeler passes to `@camunda/linting`'s Linter for
 * `lintRules.cloud-bpmn` plugins: `{ config, resolver }`, like a compiled `.bpmnlintrc`. The
 * Linter adds `config` to its own (camunda-compat, correctness) and asks `resolver` for whatever
 * it cannot resolve itself. The resolver answers synchronously and throws when it does not know a
 * name, because the Linter's nested resolver tries its resolvers in a plain try/catch.
 */

/** Package name bpmnlint derives from the `fulfillment/` prefix. */
export const lintPackage = 'bpmnlint-plugin-fulfillment';

/** A bpmnlint config. */
export interface LintConfig {
  extends?: string | string[];
  rules?: Record<string, string | number>;
}

/** A bpmnlint resolver (the static flavour). */
export interface LintResolver {
  resolveRule(pkg: string, ruleName: string): unknown;
  resolveConfig(pkg: string, configName: string): LintConfig;
}

/** The plugin object registered as `lintRules.cloud-bpmn`. */
export interface LintPlugin {
  config: LintConfig;
  resolver: LintResolver;
}

/**
 * Builds the plugin from the rule factories (by rule name) and the configs of
 * bpmnlint-plugin-fulfillment; the config extends its `recommended`.
 */
export function createLintPlugin(rules: Readonly<Record<string, unknown>>, configs: Readonly<Record<string, LintConfig>>): LintPlugin {
  const resolver: LintResolver = {
    resolveRule(pkg, ruleName) {
      const rule = pkg === lintPackage ? rules[ruleName] : undefined;
      if (!rule) throw new Error(`unknown rule <${pkg}/${ruleName}>`);
      return rule;
    },
    resolveConfig(pkg, configName) {
      const config = pkg === lintPackage ? configs[configName] : undefined;
      if (!config) throw new Error(`unknown config <${pkg}/${configName}>`);
      return config;
    },
  };
  return { config: { extends: 'plugin:fulfillment/recommended' }, resolver };
}
