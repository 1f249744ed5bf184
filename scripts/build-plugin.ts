/**
 * `npm run build:plugin`: builds the Camunda Modeler plugin into
 * `dist/modeler-plugin/fulfillment-pack/` (copy that folder into the Modeler's
 * `resources/plugins/`) and zips it as `dist/modeler-plugin/fulfillment-pack.zip`:
 *
 *   index.js  menu.js  package.json      descriptor, Plugins menu, CommonJS marker
 *   client/client.js  client/style.css   the bundle (IIFE, browser) and its style
 *   element-templates/*.json             every generated and versioned template
 *
 * The bundle gets the templates and the lint rules from two generated modules
 * (`fulfillment-pack:templates`, `fulfillment-pack:lint-rules`), so neither list is kept by hand.
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';
import { zipSync } from 'fflate';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const pluginSource = join(repositoryRoot, 'modeler-plugin');
const lintPluginDirectory = join(pluginSource, 'bpmnlint-plugin-fulfillment');
const templateFolders = ['generated', 'versioned'].map((folder) => join(repositoryRoot, 'element-templates', folder));

/** Folder name of the plugin inside the Modeler's plugins folder. */
export const pluginFolderName = 'fulfillment-pack';

/** Default output: dist/modeler-plugin/. */
export const defaultOutDirectory = join(repositoryRoot, 'dist', 'modeler-plugin');

/** What a build wrote. */
export interface BuildResult {
  pluginDirectory: string;
  zipPath: string;
  files: string[];
}

function templateFiles(): string[] {
  return templateFolders.flatMap((folder) =>
    readdirSync(folder)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => join(folder, name)),
  );
}

/** Serves the two generated modules the client imports. */
function bundledAssets(): Plugin {
  const namespace = 'fulfillment-pack-assets';
  return {
    name: 'fulfillment-pack-assets',
    setup(builder) {
      builder.onResolve({ filter: /^fulfillment-pack:/ }, (args) => ({ path: args.path, namespace }));
      builder.onLoad({ filter: /.*/, namespace }, (args) => {
        if (args.path === 'fulfillment-pack:templates') {
          const files = templateFiles();
          const imports = files.map((file, index) => `import t${index} from ${JSON.stringify(file)};`).join('\n');
          return { contents: `${imports}\nexport default [${files.map((_, index) => `t${index}`).join(', ')}];`, resolveDir: repositoryRoot, loader: 'js' };
        }
        if (args.path === 'fulfillment-pack:lint-rules') {
          const plugin = createRequire(import.meta.url)(lintPluginDirectory) as { rules: Record<string, string> };
          const entries = Object.entries(plugin.rules).map(([name, path]) => `${JSON.stringify(name)}: require(${JSON.stringify(join(lintPluginDirectory, path))})`);
          const contents = `const plugin = require(${JSON.stringify(join(lintPluginDirectory, 'index.js'))});\nexport default { configs: plugin.configs, rules: { ${entries.join(', ')} } };`;
          return { contents, resolveDir: lintPluginDirectory, loader: 'js' };
        }
        return undefined;
      });
    },
  };
}

function listFiles(directory: string, base = directory): string[] {
  return readdirSync(directory)
    .sort()
    .flatMap((name) => {
      const path = join(directory, name);
      return statSync(path).isDirectory() ? listFiles(path, base) : [relative(base, path).split('\\').join('/')];
    });
}

/** Builds the plugin folder and its zip under `outDirectory` (replacing what was there). */
export async function buildPlugin(outDirectory = defaultOutDirectory): Promise<BuildResult> {
  const pluginDirectory = join(outDirectory, pluginFolderName);
  rmSync(pluginDirectory, { recursive: true, force: true });
  mkdirSync(join(pluginDirectory, 'client'), { recursive: true });
  mkdirSync(join(pluginDirectory, 'element-templates'), { recursive: true });

  await build({
    entryPoints: [join(pluginSource, 'client', 'client.ts')],
    outfile: join(pluginDirectory, 'client', 'client.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [bundledAssets()],
  });
  copyFileSync(join(pluginSource, 'style', 'fulfillment-pack.css'), join(pluginDirectory, 'client', 'style.css'));
  copyFileSync(join(pluginSource, 'index.js'), join(pluginDirectory, 'index.js'));
  copyFileSync(join(pluginSource, 'menu.js'), join(pluginDirectory, 'menu.js'));
  // Marks the folder CommonJS for Node wherever it is unpacked (e.g. below an ESM package).
  const version = (JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { version: string }).version;
  writeFileSync(join(pluginDirectory, 'package.json'), `${JSON.stringify({ name: pluginFolderName, version, private: true, type: 'commonjs' }, null, 2)}\n`);
  for (const file of templateFiles()) copyFileSync(file, join(pluginDirectory, 'element-templates', file.split(/[\\/]/).pop()!));

  const files = listFiles(pluginDirectory);
  const zipPath = join(outDirectory, `${pluginFolderName}.zip`);
  const entries = Object.fromEntries(files.map((file) => [`${pluginFolderName}/${file}`, new Uint8Array(readFileSync(join(pluginDirectory, file)))]));
  mkdirSync(dirname(zipPath), { recursive: true });
  writeFileSync(zipPath, zipSync(entries, { level: 9 }));
  return { pluginDirectory, zipPath, files };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outDirectory = process.argv[2] ?? defaultOutDirectory;
  const result = await buildPlugin(outDirectory);
  for (const file of result.files) {
    const size = statSync(join(result.pluginDirectory, file)).size;
    console.log(`build:plugin: wrote ${relative(process.cwd(), join(result.pluginDirectory, file))} (${size} bytes)`);
  }
  console.log(`build:plugin: wrote ${relative(process.cwd(), result.zipPath)} (${statSync(result.zipPath).size} bytes, ${result.files.length} files)`);
}
