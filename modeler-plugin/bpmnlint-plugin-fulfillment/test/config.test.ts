import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpmnModdle } from 'bpmn-moddle';
import { describe, expect, it } from 'vitest';

// The repository's own `.bpmnlintrc`, resolved the way `npm run lint:bpmn` resolves it: proves the
// plugin is reachable as `plugin:fulfillment` and that camunda-compat 8.8 and the recommended
// rules run beside it.
const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = join(here, '../../..');
const rc = JSON.parse(readFileSync(join(repositoryRoot, '.bpmnlintrc'), 'utf8')) as {
  extends: string[];
  moddleExtensions: Record<string, string>;
};
const { Linter } = require('bpmnlint') as {
  Linter: new (options: object) => { lint(root: unknown, config: object): Promise<Record<string, { id?: string }[]>> };
};
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver') as new (options?: object) => object;

async function lint(fixture: string): Promise<Record<string, string[]>> {
  const extensions = Object.fromEntries(Object.entries(rc.moddleExtensions).map(([key, path]) => [key, require(path) as object]));
  const moddle = new BpmnModdle(extensions);
  const { rootElement } = await moddle.fromXML(readFileSync(join(here, 'fixtures/config', fixture), 'utf8'));
  const linter = new Linter({ resolver: new NodeResolver({ require: createRequire(join(repositoryRoot, 'package.json')) }) });
  const results = await linter.lint(rootElement, { extends: rc.extends });
  return Object.fromEntries(Object.entries(results).map(([rule, reports]) => [rule, reports.map((report) => report.id ?? '')]));
}

describe('.bpmnlintrc', () => {
  it('extends bpmnlint recommended, camunda-compat for Camunda 8.8 and our recommended config', () => {
    expect(rc.extends).toEqual(['bpmnlint:recommended', 'plugin:camunda-compat/camunda-cloud-8-8', 'plugin:fulfillment/recommended']);
  });

  it.each([
    // submit, callback raced against a timer, timeout policy, fallout and repair wait
    'valid-provisioning-wait.bpmn',
    // phase subprocess with cancel boundary, compensation handler, manual user task with form and timeout
    'valid-manual-phase-with-cancel.bpmn',
  ])('given the Camunda 8.8 model %s built our way, when linted with the repository config, then nothing is reported', async (fixture) => {
    expect(await lint(fixture)).toEqual({});
  });

  it('given the same model with an unregistered job type and a keyless message, when linted, then compat and our rules report it', async () => {
    const reports = await lint('invalid-provisioning-wait.bpmn');
    expect(reports['fulfillment/registered-job-type']).toEqual(['Submit']);
    expect(reports['fulfillment/correlation-key-shape']).toEqual(['AwaitRepair']);
    expect(reports['camunda-compat/subscription']).toEqual(['AwaitRepair']);
  });
});
