import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpmnModdle } from 'bpmn-moddle';
import { describe, expect, it } from 'vitest';
import { loadTemplateCatalog } from '../../scripts/upgrade-bpmn';
import type { ModdleElement } from '../client/templates/template-values';
import { readTemplateValues, templateReference } from '../client/templates/template-values';
import { allFlowElements } from '../client/upgrade/upgrade-elements';

const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = join(here, '../..');
const require = createRequire(import.meta.url);
const zeebeSchema = require('zeebe-bpmn-moddle/resources/zeebe.json') as object;
const catalog = loadTemplateCatalog();

function copyOfFixture(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'upgrade-bpmn-')), 'v1-diagram.bpmn');
  copyFileSync(join(here, 'fixtures/v1-diagram.bpmn'), file);
  return file;
}

function runCli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(repositoryRoot, 'scripts/upgrade-bpmn.ts'), ...args], { cwd: repositoryRoot, encoding: 'utf8' });
}

async function elementsOf(file: string): Promise<Map<string, ModdleElement>> {
  const { rootElement } = (await new BpmnModdle({ zeebe: zeebeSchema }).fromXML(readFileSync(file, 'utf8'))) as unknown as { rootElement: ModdleElement };
  return new Map([...allFlowElements(rootElement)].map((element) => [String(element.get('id')), element]));
}

describe('npm run upgrade:bpmn', () => {
  it('given a diagram made with version 1 templates, when upgraded, then every element is at its current version, analyst values kept, report printed, and it lints clean', async () => {
    const file = copyOfFixture();
    const before = await elementsOf(file);
    expect(templateReference(before.get('Activity_Execute')!)?.version).toBe(1);

    const run = runCli(file);

    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Activity_Execute: fulfillment-pack.execute-fulfillment-task 1 -> ');
    expect(run.stdout).toMatch(/kept {5}job\.retries = "7"/);
    expect(run.stdout).toMatch(/added {4}output\.taskReminder = "taskReminder" \(default\)/);
    const after = await elementsOf(file);
    for (const element of after.values()) {
      const reference = templateReference(element);
      if (!reference || !catalog.isOurs(reference.id)) continue;
      expect(`${element.get('id')}@${reference.version}`).toBe(`${element.get('id')}@${catalog.latest(reference.id).version}`);
    }
    const values = (id: string) => {
      const element = after.get(id)!;
      return readTemplateValues(element, catalog.latest(templateReference(element)!.id));
    };
    expect(values('Activity_Execute')).toMatchObject({ 'job.retries': '7', 'header.phase': 'PROVISIONING', 'output.taskReminder': 'taskReminder' });
    expect(values('Activity_Submit')).toMatchObject({ 'header.ownerSystem': 'provisioning', 'output.falloutReason': 'submitFalloutReason' });
    expect(values('Activity_OpenFallout')).toMatchObject({ 'header.severity': 'HIGH' });

    const lint = spawnSync(process.execPath, [require.resolve('bpmnlint/bin/bpmnlint.js'), file], { cwd: repositoryRoot, encoding: 'utf8' });
    expect((lint.stdout + lint.stderr).trim()).toBe('');
    expect(lint.status).toBe(0);
  });

  it('given --dry-run, when run, then the report is printed and the file is left as it was', () => {
    const file = copyOfFixture();
    const original = readFileSync(file, 'utf8');

    const run = runCli('--dry-run', file);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('(dry run, not written)');
    expect(run.stdout).toContain('element(s) upgraded');
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it.each([
    { name: 'no file', args: [], message: /usage: npm run upgrade:bpmn/ },
    { name: 'an unknown option', args: ['--force', 'x.bpmn'], message: /unknown option --force/ },
    { name: 'a missing file', args: ['does-not-exist.bpmn'], message: /does-not-exist\.bpmn: cannot read \(ENOENT\)/ },
  ])('given $name, when run, then it exits 1 with a message and no stack trace', ({ args, message }) => {
    const run = runCli(...args);

    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('given a file that is not BPMN, when run, then it exits 1 with a message', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'upgrade-bpmn-')), 'broken.bpmn');
    writeFileSync(file, 'this is not xml');

    const run = runCli(file);

    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/broken\.bpmn: not a BPMN 2\.0 document/);
  });
});
