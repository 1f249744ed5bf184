/**
 * `npm run gen:templates`: writes `element-templates/generated/<template-id>.json` from the job
 * contracts and the event blocks, numbers them against `element-templates/versions.json` (retiring
 * changed ones to `versioned/`), and writes the lint plugin's catalog. Output is deterministic, so
 * regenerating an unchanged tree leaves git clean; a test regenerates into a temporary directory
 * and compares.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jobContracts } from '../../connector-runtime/src/jobs/index';
import { buildEventTemplates } from './event-templates';
import { buildJobTemplate } from './job-template';
import { buildLintCatalog } from './lint-catalog';
import { assignVersions, serializeTemplate } from './template-versions';
import type { TemplateVersionRecord } from './template-versions';
import type { ElementTemplate, UnversionedTemplate } from './template-types';

/** Repository root (this file is `element-templates/src/generate.ts`). */
export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The committed element-templates folder. */
export const templatesDir = join(repositoryRoot, 'element-templates');
/** Where the lint plugin reads its catalog. */
export const lintCatalogPath = join(repositoryRoot, 'modeler-plugin/bpmnlint-plugin-fulfillment/lib/fulfillment-catalog.json');

/** Every template, unversioned: the eleven job blocks, then the event blocks. */
export function buildAllTemplates(): UnversionedTemplate[] {
  return [...jobContracts.map((contract) => buildJobTemplate(contract)), ...buildEventTemplates()];
}

/** Where one generation run reads its history and writes its files. */
export interface GenerateOptions {
  /** Folder with the committed `versions.json` and `generated/` (the history). */
  sourceDir: string;
  /** Folder that receives `generated/`, `versioned/` and `versions.json`. */
  targetDir: string;
  /** File that receives the lint catalog. */
  catalogPath: string;
}

function readJson<T>(path: string, fallback: T): T {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : fallback;
}

function writeIfChanged(path: string, text: string): void {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Runs one generation and returns the versioned templates. */
export function generateTemplates(options: GenerateOptions): ElementTemplate[] {
  const record = readJson<TemplateVersionRecord>(join(options.sourceDir, 'versions.json'), {});
  const generatedSource = join(options.sourceDir, 'generated');
  const previousFiles = new Map<string, string>();
  if (existsSync(generatedSource)) {
    for (const file of readdirSync(generatedSource).filter((name) => name.endsWith('.json'))) {
      previousFiles.set(file.slice(0, -'.json'.length), readFileSync(join(generatedSource, file), 'utf8'));
    }
  }
  const { templates, record: nextRecord } = assignVersions(buildAllTemplates(), record, previousFiles);

  const generatedTarget = join(options.targetDir, 'generated');
  mkdirSync(generatedTarget, { recursive: true });
  const current = new Set(templates.map(({ template }) => `${template.id}.json`));
  // A template that left the registry must not linger as if it were current.
  for (const file of readdirSync(generatedTarget).filter((name) => name.endsWith('.json') && !current.has(name))) {
    rmSync(join(generatedTarget, file));
  }
  for (const { template, retired } of templates) {
    writeIfChanged(join(generatedTarget, `${template.id}.json`), serializeTemplate(template));
    if (retired) writeIfChanged(join(options.targetDir, 'versioned', `${template.id}-${retired.version}.json`), retired.file);
  }
  writeIfChanged(join(options.targetDir, 'versions.json'), `${JSON.stringify(nextRecord, null, 2)}\n`);
  const versioned = templates.map(({ template }) => template);
  writeIfChanged(options.catalogPath, `${JSON.stringify(buildLintCatalog(versioned), null, 2)}\n`);
  return versioned;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const written = generateTemplates({ sourceDir: templatesDir, targetDir: templatesDir, catalogPath: lintCatalogPath });
  console.log(`element templates: ${written.length} written to ${join(templatesDir, 'generated')}`);
}
