/** Where the e2e tests read the repository and write bundles and screenshots. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Bundles, pages and exported models of the e2e tests (git-ignored). */
export const e2eCacheDir = path.join(repoRoot, '.cache/e2e');

/** Screenshots: `SCREENSHOTS_DIR` (relative to the repository) or `.cache/e2e/screenshots`. */
export const screenshotsDir = path.resolve(repoRoot, process.env.SCREENSHOTS_DIR ?? '.cache/e2e/screenshots');

/** The Camunda Modeler plug-in as `npm run build:plugin` writes it. */
export const pluginDir = path.join(repoRoot, 'dist/modeler-plugin/fulfillment-pack');

/** The path of screenshot `name` (a `.png` file name), its folder created. */
export async function screenshotFile(name: string): Promise<string> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(screenshotsDir, { recursive: true });
  return path.join(screenshotsDir, name);
}
