/**
 * Lints the manual-task forms: the Camunda rules of `@camunda/form-linting` for the declared
 * execution platform, plus the checks that keep those rules from passing vacuously and keep the
 * user-task link intact (target platform, form id = file name, unique component ids).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { FormLinter } from '@camunda/form-linting';

/** The engine the forms are deployed to; `@camunda/form-linting` picks its rules from it. */
export const targetExecutionPlatform = { name: 'Camunda Cloud', minorVersion: '8.8' } as const;

/** Severity of a problem; only errors fail the lint. */
export type FormLintSeverity = 'error' | 'warn' | 'info';

/** One problem found in one form. */
export interface FormLintProblem {
  /** Id of the component the problem is on (the form id for form-level problems). */
  componentId: string;
  /** Label or text of that component, for people. */
  componentLabel: string;
  message: string;
  severity: FormLintSeverity;
}

/** A form file read from disk: its schema is still `unknown` until linted. */
export interface FormFile {
  path: string;
  /** The form id the file name promises (`<form-id>.form`). */
  expectedId: string;
  schema: unknown;
}

/** The `.form` files in a folder, sorted by name. */
export function listFormFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.form'))
    .sort()
    .map((name) => join(dir, name));
}

/** Reads a `.form` file; invalid JSON is thrown as is, so the caller can report it against the file. */
export function readFormFile(path: string): FormFile {
  return { path, expectedId: basename(path, '.form'), schema: JSON.parse(readFileSync(path, 'utf8')) as unknown };
}

interface FormComponentNode {
  id?: unknown;
  components?: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function collectComponentIds(node: FormComponentNode, ids: string[]): string[] {
  if (typeof node.id === 'string') ids.push(node.id);
  if (Array.isArray(node.components)) {
    for (const child of node.components) if (isObject(child)) collectComponentIds(child, ids);
  }
  return ids;
}

function formProblem(formId: string, message: string): FormLintProblem {
  return { componentId: formId, componentLabel: formId, message, severity: 'error' };
}

/** Checks the form schema against the target platform, its expected id and the Camunda form rules. */
export function lintForm(schema: unknown, expectedId: string): FormLintProblem[] {
  if (!isObject(schema)) return [formProblem(expectedId, 'A form must be a JSON object')];
  const problems: FormLintProblem[] = [];
  const formId = typeof schema.id === 'string' ? schema.id : expectedId;

  // Zeebe links a user task to its form by this id, and the file is named after it.
  if (schema.id !== expectedId) {
    problems.push(formProblem(formId, `Form id must be "${expectedId}" (the file name), found ${JSON.stringify(schema.id)}`));
  }

  // The linter silently returns no problems for a platform it does not know, so pin the target.
  const version = typeof schema.executionPlatformVersion === 'string' ? schema.executionPlatformVersion : '';
  if (
    schema.executionPlatform !== targetExecutionPlatform.name ||
    version.split('.').slice(0, 2).join('.') !== targetExecutionPlatform.minorVersion
  ) {
    problems.push(
      formProblem(
        formId,
        `Form must target ${targetExecutionPlatform.name} ${targetExecutionPlatform.minorVersion}, ` +
          `found ${JSON.stringify(schema.executionPlatform)} ${JSON.stringify(schema.executionPlatformVersion)}`,
      ),
    );
  }

  const ids = collectComponentIds(schema, []);
  for (const id of new Set(ids.filter((id, index) => ids.indexOf(id) !== index))) {
    problems.push({ componentId: id, componentLabel: id, message: `Component id "${id}" is used more than once`, severity: 'error' });
  }

  for (const report of new FormLinter().lint(schema)) {
    problems.push({ componentId: report.id, componentLabel: report.label, message: report.message, severity: report.category });
  }
  return problems;
}
