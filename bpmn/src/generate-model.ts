/**
 * `npm run gen:model`: writes bpmn/order-fulfillment-v1.bpmn from the generated element templates.
 * Run it after `npm run gen:templates` changed a template; the model test fails while the
 * committed file differs from what this writes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { orderFulfillmentProcessId } from '../../connector-runtime/src/jobs/model-names';
import { buildOrderFulfillmentModel } from './order-fulfillment-v1';
import { loadTemplates } from './template-catalog';
import { toBpmnXml } from './to-bpmn-xml';

/** Where the model file lives. */
export const modelPath = fileURLToPath(new URL(`../${orderFulfillmentProcessId}.bpmn`, import.meta.url));

/** The model file's content from the given templates folder. */
export async function renderModel(templatesDirectory?: string): Promise<string> {
  return toBpmnXml(buildOrderFulfillmentModel(loadTemplates(templatesDirectory)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const xml = await renderModel();
  writeFileSync(modelPath, xml);
  console.log(`model: wrote ${modelPath} (${xml.length} characters)`);
}
