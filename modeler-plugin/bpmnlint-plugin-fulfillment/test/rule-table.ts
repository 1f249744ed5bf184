/**
 * Runs a bpmnlint rule of this plugin against a table of `.bpmn` fixtures, bpmnlint's RuleTester
 * style, under vitest: valid fixtures report nothing, invalid ones report exactly the listed
 * element ids and messages. Fixtures live in `test/fixtures/<rule-name>/`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpmnModdle } from 'bpmn-moddle';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const zeebeSchema = require('zeebe-bpmn-moddle/resources/zeebe.json') as object;
const { Linter } = require('bpmnlint') as { Linter: new (options: object) => BpmnLinter };

interface BpmnLinter {
  lint(root: unknown, config: object): Promise<Record<string, { id?: string; message: string; category: string }[]>>;
}

/** One expected report of an invalid fixture. */
export interface ExpectedReport {
  id: string;
  message: string;
}

/** The table of one rule. */
export interface RuleTable {
  valid: { name: string; fixture: string }[];
  invalid: { name: string; fixture: string; reports: ExpectedReport[] }[];
}

const pluginDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Parses a fixture with the Zeebe extension, as the Modeler and `.bpmnlintrc` do. */
export async function readFixture(ruleName: string, fixture: string): Promise<unknown> {
  const xml = readFileSync(join(pluginDir, 'test/fixtures', ruleName, fixture), 'utf8');
  const moddle = new BpmnModdle({ zeebe: zeebeSchema });
  const { rootElement, warnings } = await moddle.fromXML(xml);
  if (warnings.length > 0) throw new Error(`${fixture}: ${warnings.map((warning: { message: string }) => warning.message).join('; ')}`);
  return rootElement;
}

/** Lints a fixture with only the named rule of this plugin and returns its reports. */
export async function lintFixture(ruleName: string, fixture: string): Promise<ExpectedReport[]> {
  const rule: unknown = require(join(pluginDir, 'rules', ruleName));
  const linter = new Linter({
    resolver: {
      resolveRule: () => Promise.resolve(rule),
      resolveConfig: () => {
        throw new Error('no configs in rule tests');
      },
    },
  });
  const results = await linter.lint(await readFixture(ruleName, fixture), { rules: { [ruleName]: 'error' } });
  return (results[ruleName] ?? []).map((report) => ({ id: report.id ?? '', message: report.message }));
}

/** Declares the vitest cases of one rule's table. */
export function describeRule(ruleName: string, table: RuleTable): void {
  describe(`rules/${ruleName}`, () => {
    it.each(table.valid)('given valid fixture $fixture ($name), when linted, then it reports nothing', async ({ fixture }) => {
      expect(await lintFixture(ruleName, fixture)).toEqual([]);
    });
    it.each(table.invalid)(
      'given invalid fixture $fixture ($name), when linted, then it reports the offending elements',
      async ({ fixture, reports }) => {
        const actual = await lintFixture(ruleName, fixture);
        expect(actual).toEqual(reports);
      },
    );
  });
}
