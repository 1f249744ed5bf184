/**
 * Builds the plugin into a temporary folder and runs its bundle the way the Modeler does: as a
 * script in a page whose `window.plugins` collects what it registers (here a node:vm context with
 * a fake `window`).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import type { BuildResult } from '../../scripts/build-plugin';
import { buildPlugin } from '../../scripts/build-plugin';

/** What the bundle pushed to `window.plugins`. */
export interface RegisteredPlugin {
  type: string;
  plugin: unknown;
}

/** Builds into a fresh temporary folder. */
export async function buildIntoTemp(): Promise<BuildResult> {
  return buildPlugin(mkdtempSync(join(tmpdir(), 'fulfillment-plugin-')));
}

/** Runs the built client/client.js against a fake window; returns `window.plugins`. */
export function runBundle(build: BuildResult): RegisteredPlugin[] {
  const window: { plugins?: RegisteredPlugin[] } = {};
  runInNewContext(readFileSync(join(build.pluginDirectory, 'client/client.js'), 'utf8'), { window, console });
  return window.plugins ?? [];
}
