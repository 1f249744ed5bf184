import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BuildResult } from '../../scripts/build-plugin';
import { buildIntoTemp, runBundle } from './built-plugin';

const here = dirname(fileURLToPath(import.meta.url));
const generatedTemplates = join(here, '../../element-templates/generated');
const require = createRequire(import.meta.url);

let build: BuildResult;

beforeAll(async () => {
  build = await buildIntoTemp();
}, 60_000);

describe('npm run build:plugin', () => {
  it('given a build, when the Modeler requires index.js, then it names the plugin and files that exist', () => {
    const descriptor = require(join(build.pluginDirectory, 'index.js')) as Record<string, string>;

    expect(descriptor).toEqual({ name: 'Fulfillment Pack', script: './client/client.js', style: './client/style.css', menu: './menu.js' });
    for (const path of [descriptor.script!, descriptor.style!, descriptor.menu!]) {
      expect(statSync(join(build.pluginDirectory, path)).size, path).toBeGreaterThan(0);
    }
  });

  it('given the menu, when the Modeler builds it, then its entry emits the upgrade editor action', () => {
    const menu = require(join(build.pluginDirectory, 'menu.js')) as (app: { emit(...args: unknown[]): void }, state: object) => { label: string; action(): void }[];
    const emitted: unknown[][] = [];

    const entries = menu({ emit: (...args) => emitted.push(args) }, {});
    entries[0]!.action();

    expect(entries.map((entry) => entry.label)).toEqual(['Upgrade fulfillment blocks']);
    expect(emitted).toEqual([['menu:action', 'fulfillment.upgradeBlocks']]);
  });

  it('given the bundle, when its script runs in a page, then it registers the cloud bpmn-js module and the cloud lint rules', () => {
    const plugins = runBundle(build);

    expect(plugins.map((plugin) => plugin.type)).toEqual(['bpmn.cloud.modeler.additionalModules', 'lintRules.cloud-bpmn']);
    const module = plugins[0]!.plugin as { __depends__: unknown[] };
    expect(module.__depends__.length).toBeGreaterThan(0);
    const lint = plugins[1]!.plugin as { config: object; resolver: { resolveRule(pkg: string, name: string): unknown } };
    expect(lint.config).toEqual({ extends: 'plugin:fulfillment/recommended' });
    expect(typeof lint.resolver.resolveRule('bpmnlint-plugin-fulfillment', 'await-callback-has-timeout')).toBe('function');
  });

  it('given the build, when the templates folder is listed, then it holds every generated template', () => {
    const copied = readdirSync(join(build.pluginDirectory, 'element-templates'));

    for (const file of readdirSync(generatedTemplates).filter((name) => name.endsWith('.json'))) {
      expect(copied).toContain(file);
      expect(readFileSync(join(build.pluginDirectory, 'element-templates', file), 'utf8')).toBe(readFileSync(join(generatedTemplates, file), 'utf8'));
    }
  });

  it('given the zip, when listed, then it holds the same files under fulfillment-pack/', () => {
    expect(existsSync(build.zipPath)).toBe(true);
    const entries = unzipSync(new Uint8Array(readFileSync(build.zipPath)));

    expect(Object.keys(entries).sort()).toEqual(build.files.map((file) => `fulfillment-pack/${file}`).sort());
    expect(new TextDecoder().decode(entries['fulfillment-pack/index.js'])).toBe(readFileSync(join(build.pluginDirectory, 'index.js'), 'utf8'));
  });
});
