/**
 * The figures of each fault test: one row per fault, printed by the test and, when
 * FAULT_REPORT_FILE is set (by `npm run test:faults`), appended there as a JSON line so the
 * script prints them as one table after the run.
 */
import { appendFileSync } from 'node:fs';

/** One fault's outcome. */
export interface FaultFigure {
  /** What was done, e.g. "same callback 50×". */
  fault: string;
  orders: number;
  completed: number;
  lost: number;
  /** Side effects (partner calls, correlations, rows, events) that happened more than once per idempotency key. */
  duplicated: number;
  /** What else the test measured, in a few words (e.g. "1 correlation of 50 deliveries"). */
  note?: string;
}

/** Prints the figure and records it for the table. */
export function reportFault(figure: FaultFigure): void {
  const line = JSON.stringify(figure);
  console.log(`fault figure ${line}`);
  const file = process.env['FAULT_REPORT_FILE'];
  if (file) appendFileSync(file, `${line}\n`);
}

/** The table `npm run test:faults` prints. */
export function faultTable(figures: readonly FaultFigure[]): string {
  const header = ['fault', 'orders', 'completed', 'lost', 'duplicated side effects', 'note'];
  const rows = figures.map((f) => [f.fault, String(f.orders), String(f.completed), String(f.lost), String(f.duplicated), f.note ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = [false, true, true, true, true, false];
  const format = (cells: readonly string[]) => `| ${cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  return [format(header), `|${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`, ...rows.map(format)].join('\n');
}
