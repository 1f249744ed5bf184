/**
 * Bundles a browser page of the e2e tests with esbuild, once per test file, into its own folder
 * under `.cache/e2e/` (test files run in parallel; each writes only its own folder).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { e2eCacheDir } from './paths';

/** A page in `harness/pages/`: `<name>.js` is its entry. */
export type PageName = 'editor-page' | 'form-page';

/** A bundled page: the folder it was written to. */
export interface BundledPage {
  dir: string;
}

const pagesDir = path.join(path.dirname(new URL(import.meta.url).pathname), 'pages');

/** The body of each page: the containers its entry renders into. */
const bodies: Record<PageName, string> = {
  'editor-page': '<div id="editor"><div id="canvas"></div><div id="properties"></div><div id="problems"></div></div>',
  'form-page': '<div id="form"></div>',
};

/**
 * Bundles `pages/<page>.js` (and the CSS it imports) into `.cache/e2e/<suite>/<page>/` with an
 * `index.html` that sets `window.e2eConfig` before the bundle runs.
 */
export async function bundlePage(suite: string, page: PageName, config: unknown = {}): Promise<BundledPage> {
  const dir = path.join(e2eCacheDir, suite, page);
  await mkdir(dir, { recursive: true });
  await build({
    entryPoints: [path.join(pagesDir, `${page}.js`)],
    outfile: path.join(dir, 'page.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl', '.eot': 'dataurl', '.svg': 'dataurl', '.png': 'dataurl' },
  });
  const html = [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><link rel="stylesheet" href="page.css">',
    // JSON in a script element: `<` is escaped so no value can close the element.
    `<script>window.e2eConfig = ${JSON.stringify(config).replace(/</g, '\\u003c')};</script>`,
    `</head><body>${bodies[page]}<script src="page.js"></script></body></html>`,
  ].join('\n');
  await writeFile(path.join(dir, 'index.html'), html);
  return { dir };
}
