// @camunda/form-linting ships no type declarations; this is the part of its API the forms lint uses
// (read from node_modules/@camunda/form-linting/lib/FormLinter.js and ProblemsReporter.js).
declare module '@camunda/form-linting' {
  /** One problem, reported against the component it was found on. */
  export interface FormLintReport {
    id: string;
    label: string;
    message: string;
    category: 'error' | 'warn' | 'info';
  }

  export class FormLinter {
    /**
     * Lints a form schema (JSON text or parsed). Returns nothing at all when the schema names no
     * execution platform version the linter knows.
     */
    lint(contents: string | object): FormLintReport[];
  }
}
