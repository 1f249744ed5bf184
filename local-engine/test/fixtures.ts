/**
 * Small BPMN fixtures for the conformance suite, written without diagram interchange (Zeebe does
 * not need it) and, on purpose, without <incoming>/<outgoing> children: the engine must follow
 * each sequence flow's sourceRef/targetRef as Zeebe does.
 */

/** Wraps process content in a definitions document with the zeebe namespace. */
export function definitions(processId: string, content: string, extra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  id="defs_${processId}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${processId}" isExecutable="true">
${content}
  </bpmn:process>
${extra}
</bpmn:definitions>`;
}

/** A sequence flow, optionally with a FEEL condition. */
export function flow(id: string, source: string, target: string, condition?: string): string {
  const body = condition ? `<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${condition}</bpmn:conditionExpression>` : '';
  return `<bpmn:sequenceFlow id="${id}" sourceRef="${source}" targetRef="${target}">${body}</bpmn:sequenceFlow>`;
}

/** A service task with a job type and optional mappings/headers. */
export function serviceTask(id: string, type: string, options: { retries?: number; inputs?: [string, string][]; outputs?: [string, string][]; headers?: Record<string, string>; inner?: string; attrs?: string } = {}): string {
  const io =
    options.inputs || options.outputs
      ? `<zeebe:ioMapping>${(options.inputs ?? []).map(([s, t]) => `<zeebe:input source="${s}" target="${t}"/>`).join('')}${(options.outputs ?? []).map(([s, t]) => `<zeebe:output source="${s}" target="${t}"/>`).join('')}</zeebe:ioMapping>`
      : '';
  const headers = options.headers
    ? `<zeebe:taskHeaders>${Object.entries(options.headers).map(([k, v]) => `<zeebe:header key="${k}" value="${v}"/>`).join('')}</zeebe:taskHeaders>`
    : '';
  return `<bpmn:serviceTask id="${id}" ${options.attrs ?? ''}><bpmn:extensionElements><zeebe:taskDefinition type="${type}" retries="${options.retries ?? 3}"/>${io}${headers}</bpmn:extensionElements>${options.inner ?? ''}</bpmn:serviceTask>`;
}

/** A message definition with a correlation key expression. */
export function message(id: string, name: string, correlationKey: string): string {
  return `<bpmn:message id="${id}" name="${name}"><bpmn:extensionElements><zeebe:subscription correlationKey="${correlationKey}"/></bpmn:extensionElements></bpmn:message>`;
}

/** start -> one service task -> end. */
export function oneTask(processId: string, type: string, taskOptions: Parameters<typeof serviceTask>[2] = {}): string {
  return definitions(
    processId,
    `<bpmn:startEvent id="start"/>
     ${serviceTask('task', type, taskOptions)}
     <bpmn:endEvent id="end"/>
     ${flow('f1', 'start', 'task')}
     ${flow('f2', 'task', 'end')}`,
  );
}
