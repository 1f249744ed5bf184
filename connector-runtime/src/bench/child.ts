/** Runs a bench script of this folder in a child process (node with tsx) and reads its JSON answer line. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs `script` (a file of this folder) with `argument` and resolves with the last JSON line it printed. */
export function runChild<T>(script: string, argument: unknown): Promise<T> {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path, JSON.stringify(argument)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = output.trim().split('\n').at(-1);
      if (code !== 0 || !line) reject(new Error(`${script} exited with code ${code}`));
      else resolve(JSON.parse(line) as T);
    });
  });
}
