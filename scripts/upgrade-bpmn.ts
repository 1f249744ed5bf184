/**
 * `npm run upgrade:bpmn -- [--dry-run] <file.bpmn>...`: upgrades every element that references an
 * older version of one of our element templates to the current version, keeps the analyst's
 * values, writes the file back (unless --dry-run) and prints what changed per element. The
 * decisions are the Modeler's "Upgrade fulfillment blocks" ones (modeler-plugin/client/upgrade).
 *
 * Exit code 0 when every file was read (and upgraded); 1 on bad input (unknown option, missing or
 * unparsable file, an element whose old template version is not kept), with a message and no
 * stack trace.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpmnModdle } from 'bpmn-moddle';
import type { ElementTemplate } from '../element-templates/src/template-types';
import { TemplateCatalog } from '../modeler-plugin/client/templates/template-catalog';
import type { ModdleElement, ModdleOps } from '../modeler-plugin/client/templates/template-values';
import { writeTemplateValues } from '../modeler-plugin/client/templates/template-values';
import { formatUpgradeReport } from '../modeler-plugin/client/upgrade/format-report';
import type { UpgradeReport } from '../modeler-plugin/client/upgrade/upgrade-elements';
import { allFlowElements, planDiagramUpgrade } from '../modeler-plugin/client/upgrade/upgrade-elements';

const require = createRequire(import.meta.url);
const zeebeSchema = require('zeebe-bpmn-moddle/resources/zeebe.json') as object;
const templatesRoot = fileURLToPath(new URL('../element-templates', import.meta.url));

/** A problem with what the user passed; printed without a stack trace. */
export class BadInputError extends Error {
  override readonly name = 'BadInputError';
}

/** Every generated and versioned template of the pack. */
export function loadTemplateCatalog(root = templatesRoot): TemplateCatalog {
  const templates: ElementTemplate[] = [];
  for (const folder of ['generated', 'versioned']) {
    const directory = join(root, folder);
    for (const file of readdirSync(directory).filter((name) => name.endsWith('.json')).sort()) {
      templates.push(JSON.parse(readFileSync(join(directory, file), 'utf8')) as ElementTemplate);
    }
  }
  return new TemplateCatalog(templates);
}

/** Plain moddle writes; new messages get an id as the Modeler would give them. */
function nodeOps(moddle: BpmnModdle): ModdleOps {
  let counter = 0;
  return {
    create: (type, attrs = {}) => {
      const element = moddle.create(type, attrs) as unknown as ModdleElement;
      if (type === 'bpmn:Message' && !attrs.id) (element as unknown as { id: string }).id = `Message_upgrade_${++counter}`;
      return element;
    },
    set: (target, properties) => {
      for (const [name, value] of Object.entries(properties)) (target as unknown as { set(name: string, value: unknown): void }).set(name, value);
    },
  };
}

/** Upgrades one BPMN document; returns the new XML and the report. */
export async function upgradeBpmnXml(xml: string, catalog: TemplateCatalog): Promise<{ xml: string; report: UpgradeReport }> {
  const moddle = new BpmnModdle({ zeebe: zeebeSchema });
  let definitions: ModdleElement;
  try {
    ({ rootElement: definitions } = (await moddle.fromXML(xml)) as unknown as { rootElement: ModdleElement });
  } catch (error) {
    throw new BadInputError(`not a BPMN 2.0 document (${(error as Error).message.split('\n')[0]})`);
  }
  const { planned, skipped } = planDiagramUpgrade(allFlowElements(definitions), catalog);
  const ops = nodeOps(moddle);
  for (const upgrade of planned) writeTemplateValues(upgrade.element, upgrade.newTemplate, upgrade.plan.values, ops, [upgrade.oldTemplate]);
  const { xml: upgraded } = await moddle.toXML(definitions as never, { format: true });
  return { xml: upgraded, report: { upgraded: planned.map((upgrade) => upgrade.report), skipped } };
}

/** Parses the command line; throws BadInputError on anything unexpected. */
export function parseArguments(args: string[]): { files: string[]; dryRun: boolean } {
  const files = args.filter((arg) => !arg.startsWith('--'));
  const options = args.filter((arg) => arg.startsWith('--'));
  const unknown = options.filter((option) => option !== '--dry-run');
  if (unknown.length > 0) throw new BadInputError(`unknown option ${unknown.join(', ')} (only --dry-run)`);
  if (files.length === 0) throw new BadInputError('usage: npm run upgrade:bpmn -- [--dry-run] <file.bpmn>...');
  return { files, dryRun: options.includes('--dry-run') };
}

/** The CLI; returns the exit code. */
export async function main(args: string[], print: (line: string) => void = console.log): Promise<number> {
  let failed = false;
  try {
    const { files, dryRun } = parseArguments(args);
    const catalog = loadTemplateCatalog();
    for (const file of files) {
      let xml: string;
      try {
        xml = readFileSync(file, 'utf8');
      } catch (error) {
        throw new BadInputError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
      let result: Awaited<ReturnType<typeof upgradeBpmnXml>>;
      try {
        result = await upgradeBpmnXml(xml, catalog);
      } catch (error) {
        if (error instanceof BadInputError) throw new BadInputError(`${file}: ${error.message}`);
        throw error;
      }
      print(`${file}${dryRun ? ' (dry run, not written)' : ''}`);
      for (const line of formatUpgradeReport(result.report)) print(`  ${line}`);
      if (result.report.skipped.length > 0) failed = true;
      if (!dryRun && result.report.upgraded.length > 0) writeFileSync(file, result.xml);
    }
  } catch (error) {
    if (!(error instanceof BadInputError)) throw error;
    console.error(`upgrade:bpmn: ${error.message}`);
    return 1;
  }
  return failed ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
