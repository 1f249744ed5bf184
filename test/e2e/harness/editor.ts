/**
 * Node side of the e2e editor: bundles `pages/editor-page.js`, serves it with the Modeler plug-in
 * mounted the way the Modeler mounts plug-ins, opens it in the file's browser, and hands the test
 * a typed handle on the page's editor API.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, JSHandle, Page } from 'playwright-core';
import { bundlePage } from './bundle';
import { collectPageErrors } from './browser';
import type { PlaneGeometry } from './layout-check';
import type { Services } from './modeler-types';
import { pluginDir, repoRoot } from './paths';
import { startStaticServer, type StaticServer } from './static-server';

/** The bpmn-js modeler inside the page. */
export interface ModelerApi {
  get<K extends keyof Services>(name: K): Services[K];
}

/** A lint report as @camunda/linting returns it. */
export interface LintReport {
  id: string;
  name?: string;
  message: string;
  category: string;
  rule: string;
}

/** What `pages/editor-page.js` exposes as `window.editor`. */
export interface EditorApi {
  modeler: ModelerApi;
  templateErrors: string[];
  getPlugins(type: string): unknown[];
  lint(): Promise<LintReport[]>;
  setTemplates(templates: unknown[]): void;
  importXML(xml: string): Promise<{ warnings: string[] }>;
  exportXML(): Promise<string>;
  planes(): string[];
  measurePlane(rootId: string): PlaneGeometry;
  /** Shows one plane on a canvas-only page; the viewport size that draws it at about 100 %. */
  showPlane(rootId: string): { width: number; height: number };
  /** Zooms the shown plane to fit the (resized) viewport. */
  fitPlane(): void;
  /** Back to canvas, properties panel and Problems panel. */
  showEditor(): void;
  expandPanelGroups(): void;
  inspectPanel(): PanelContent;
  describeElements(ids: string[]): ElementSummary[];
  /** Opens a popup menu next to an element; the groups and entry ids it shows. */
  openPopupMenu(elementId: string, providerId: string, title: string): { groups: { id: string; name: string; entries: string[] }[] };
  /** Zooms so that these elements fill the canvas right of the palette (never above 100 %), nothing selected. */
  zoomTo(ids: string[]): void;
}

/** A diagram element as plain data (see `describeElements` in pages/editor-page.js). */
export interface ElementSummary {
  id: string;
  type: string;
  name: string;
  parentId: string | null;
  template: string | null;
  templateVersion: number | null;
  eventDefinition: string | null;
  timerDuration: string | null;
  messageName: string | null;
  correlationKey: string | null;
  attachedTo: string | null;
  cancelActivity: boolean | null;
  isForCompensation: boolean;
  jobType: string | null;
  formId: string | null;
  headers: Record<string, string>;
  multiInstance: { sequential: boolean; inputCollection: string | null } | null;
  sourceId: string | null;
  targetId: string | null;
  condition: string | null;
  isDefault: boolean;
}

/** What the properties panel shows. */
export interface PanelContent {
  header: string;
  entries: { entryId: string; groupId: string; label: string; description: string | null }[];
  selects: { entryId: string; options: string[] }[];
  /** Height of the panel's content, to size a screenshot of all of it. */
  height: number;
}

/** A plug-in as the Modeler's `app/lib/plugins.js` reads it from `<plugin>/index.js`. */
export interface AppPlugin {
  name: string;
  script?: string;
  style?: string;
}

/** The editor page's normal viewport. */
export const editorViewport = { width: 1600, height: 1000 };

/** Largest viewport a plane screenshot gets; bigger planes are zoomed out to fit. */
const maxPlaneViewport = { width: 4000, height: 2600 };

/** Screenshots one plane alone, at about 100 % when it fits in {@link maxPlaneViewport}. */
export async function screenshotPlane(editor: Editor, rootId: string, file: string): Promise<void> {
  const wanted = await editor.editor.evaluate((e, id) => e.showPlane(id), rootId);
  await editor.page.setViewportSize({
    width: Math.min(Math.max(wanted.width, 800), maxPlaneViewport.width),
    height: Math.min(Math.max(wanted.height, 500), maxPlaneViewport.height),
  });
  await editor.editor.evaluate((e) => e.fitPlane());
  await editor.page.locator('#canvas').screenshot({ path: file });
  await editor.page.setViewportSize(editorViewport);
  await editor.editor.evaluate((e) => e.showEditor());
}

/** Screenshots the whole properties panel (the viewport grows to its content), groups expanded. */
export async function screenshotPanel(editor: Editor, file: string): Promise<PanelContent> {
  await editor.editor.evaluate((e) => e.expandPanelGroups());
  const { height } = await editor.editor.evaluate((e) => e.inspectPanel());
  await editor.page.setViewportSize({ width: editorViewport.width, height: Math.max(editorViewport.height, height + 40) });
  await editor.page.locator('#properties').screenshot({ path: file });
  const content = await editor.editor.evaluate((e) => e.inspectPanel());
  await editor.page.setViewportSize(editorViewport);
  return content;
}

/** An open editor page. */
export interface Editor {
  page: Page;
  editor: JSHandle<EditorApi>;
  /** Uncaught page errors and console errors so far. */
  errors: string[];
  close(): Promise<void>;
}

/** Every element template of the pack: current (`generated/`) and old versions (`versioned/`). */
export async function loadElementTemplates(): Promise<Record<string, unknown>[]> {
  const templates: Record<string, unknown>[] = [];
  for (const folder of ['element-templates/generated', 'element-templates/versioned']) {
    const dir = path.join(repoRoot, folder);
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) {
      templates.push(JSON.parse(await readFile(path.join(dir, file), 'utf8')));
    }
  }
  return templates;
}

/**
 * The built plug-in's descriptor with its script and style as URLs under `/plugins/<name>/`,
 * resolved like `app/lib/plugins.js` does (a missing file marks the plug-in broken).
 */
export function builtPlugin(): AppPlugin {
  const descriptor = createRequire(import.meta.url)(path.join(pluginDir, 'index.js')) as AppPlugin;
  if (!descriptor.name) throw new Error('plug-in descriptor is missing <name>');
  const url = (file: string | undefined): string | undefined => {
    if (!file) return undefined;
    if (!existsSync(path.join(pluginDir, file))) throw new Error(`plug-in ${descriptor.name} names ${file}, which does not exist`);
    return path.posix.join('/plugins', encodeURIComponent(descriptor.name), file);
  };
  return { name: descriptor.name, script: url(descriptor.script), style: url(descriptor.style) };
}

/**
 * Bundles the editor page for `suite` and opens it with `plugins` loaded before the editor is
 * created; the element templates are set as the Modeler sets them on opening a tab.
 */
export async function openEditor(browser: Browser, suite: string, plugins: AppPlugin[] = []): Promise<Editor> {
  const bundled = await bundlePage(suite, 'editor-page', { plugins });
  const mounts: Record<string, string> = { '/': bundled.dir };
  for (const plugin of plugins) mounts[`/plugins/${plugin.name}/`] = pluginDir;
  const server: StaticServer = await startStaticServer(mounts);
  const page = await browser.newPage({ viewport: editorViewport });
  const errors = collectPageErrors(page);
  await page.goto(`${server.origin}/index.html`);
  const editor = (await page.evaluateHandle('window.e2eEditor')) as JSHandle<EditorApi>;
  await editor.evaluate((e, templates) => e.setTemplates(templates), await loadElementTemplates());
  return {
    page,
    editor,
    errors,
    async close() {
      await page.close();
      await server.close();
    },
  };
}
