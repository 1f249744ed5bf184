/**
 * `npm run lint:forms`: lints every `forms/*.form` (see form-lint.ts), prints each problem with its
 * file and component, and exits 1 when any error is found.
 */
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintForm, listFormFiles, readFormFile } from './form-lint';
import type { FormLintProblem } from './form-lint';

const formsDir = dirname(fileURLToPath(import.meta.url));

function lintFile(path: string): FormLintProblem[] {
  try {
    const file = readFormFile(path);
    return lintForm(file.schema, file.expectedId);
  } catch (error) {
    return [{ componentId: '-', componentLabel: '-', message: `Cannot read form: ${(error as Error).message}`, severity: 'error' }];
  }
}

const files = listFormFiles(formsDir);
const counts = { error: 0, warn: 0, info: 0 };
for (const path of files) {
  const name = relative(process.cwd(), path);
  for (const problem of lintFile(path)) {
    counts[problem.severity] += 1;
    console.log(`${name}  ${problem.severity}  ${problem.componentId} (${problem.componentLabel}): ${problem.message}`);
  }
}
// No form at all is a broken checkout, not a clean lint.
if (files.length === 0) counts.error += 1;
console.log(
  `lint:forms: ${files.length} forms, ${counts.error} errors, ${counts.warn} warnings, ${counts.info} infos` +
    (files.length === 0 ? ` (no .form files in ${formsDir})` : ''),
);
process.exitCode = counts.error > 0 ? 1 : 0;
