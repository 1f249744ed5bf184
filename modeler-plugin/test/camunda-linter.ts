/**
 * `@camunda/linting`'s Linter for Node tests. The package ships browser ESM without file
 * extensions (the Modeler bundles it with webpack), so the tests bundle it the same way, with
 * esbuild, into a temporary file and import that.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/** One report of the Camunda linter. */
export interface CamundaLintReport {
  id: string;
  message: string;
  rule: string;
  category: string;
}

/** The Linter class, constructed as the Modeler's Camunda 8 BPMN tab does. */
export type CamundaLinter = new (options: { modeler?: string; type?: string; plugins?: unknown[] }) => { lint(xml: string): Promise<CamundaLintReport[]> };

/** Bundles and imports the Linter. */
export async function loadCamundaLinter(): Promise<CamundaLinter> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'camunda-linting-')), 'linting.mjs');
  await build({ stdin: { contents: "export { Linter } from '@camunda/linting';", resolveDir: process.cwd() }, bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'error' });
  const { Linter } = (await import(pathToFileURL(outfile).href)) as { Linter: CamundaLinter };
  return Linter;
}

/** Declares a fixture a Camunda 8.8 diagram: without that the Camunda linter lints nothing. */
export function asCamunda88(xml: string): string {
  return xml.replace(
    '<bpmn:definitions ',
    '<bpmn:definitions xmlns:modeler="http://camunda.org/schema/modeler/1.0" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.8.0" ',
  );
}
