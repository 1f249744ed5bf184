import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CamundaLinter } from './camunda-linter';
import { asCamunda88, loadCamundaLinter } from './camunda-linter';
import { buildIntoTemp, runBundle } from './built-plugin';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '../bpmnlint-plugin-fulfillment/test/fixtures');

let Linter: CamundaLinter;
let lintRules: unknown[];

beforeAll(async () => {
  Linter = await loadCamundaLinter();
  lintRules = runBundle(await buildIntoTemp())
    .filter((registered) => registered.type === 'lintRules.cloud-bpmn')
    .map((registered) => registered.plugin);
}, 60_000);

// What the Modeler's Camunda 8 BPMN tab does: new Linter({ plugins: getPlugins('lintRules.cloud-bpmn') }).
async function lint(fixture: string) {
  const linter = new Linter({ modeler: 'desktop', type: 'cloud', plugins: lintRules });
  return linter.lint(asCamunda88(readFileSync(join(fixtures, fixture), 'utf8')));
}

describe('live lint in the Modeler', () => {
  it('given an await-callback catch without a timeout, when the Camunda linter runs with the bundle lint plugin, then our rule reports it', async () => {
    const reports = await lint('await-callback-has-timeout/invalid-catch-without-timer.bpmn');

    expect(reports.filter((report) => report.rule.startsWith('fulfillment/'))).toEqual([
      expect.objectContaining({ id: 'AwaitCallback', rule: 'fulfillment/await-callback-has-timeout', category: 'error' }),
    ]);
  });

  it('given a model built our way, when linted the same way, then none of our rules report', async () => {
    const reports = await lint('config/valid-provisioning-wait.bpmn');

    expect(reports.filter((report) => report.rule.startsWith('fulfillment/'))).toEqual([]);
  });
});
