/**
 * `npm run test:faults`: runs the fault-injection tests (test/faults, also part of `npm test`)
 * and prints their figures as one table: fault, orders, completed, lost, duplicated side effects.
 * Exits with vitest's status; extra arguments go to vitest.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { faultTable, type FaultFigure } from '../test/faults/fault-report';

const dir = join('.cache', 'faults');
mkdirSync(dir, { recursive: true });
const file = join(dir, 'figures.jsonl');
rmSync(file, { force: true });

const run = spawnSync('npx', ['vitest', 'run', 'test/faults', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, FAULT_REPORT_FILE: file },
});

const figures: FaultFigure[] = existsSync(file)
  ? readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as FaultFigure)
  : [];
console.log(`\nFault injection: ${figures.length} figure(s)\n`);
console.log(faultTable(figures));
process.exit(run.status ?? 1);
