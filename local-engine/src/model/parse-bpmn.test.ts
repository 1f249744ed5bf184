import { describe, expect, it } from 'vitest';
import { InvalidResourceError, parseBpmn } from './parse-bpmn';

const wrap = (content: string, extra = '') => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">${content}</bpmn:process>${extra}
</bpmn:definitions>`;

const task = (id: string, type = 'work') => `<bpmn:serviceTask id="${id}"><bpmn:extensionElements><zeebe:taskDefinition type="${type}" retries="5"/><zeebe:taskHeaders><zeebe:header key="k" value="v"/></zeebe:taskHeaders></bpmn:extensionElements></bpmn:serviceTask>`;

async function rejection(xml: string): Promise<string[]> {
  try {
    await parseBpmn('p.bpmn', xml);
  } catch (error) {
    if (error instanceof InvalidResourceError) return error.details;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('parseBpmn', () => {
  it('follows sourceRef/targetRef when <incoming>/<outgoing> are omitted', async () => {
    const [model] = await parseBpmn(
      'p.bpmn',
      wrap(`<bpmn:startEvent id="s"/>${task('t')}<bpmn:endEvent id="e"/>
        <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/><bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/>`),
    );
    expect(model!.elements.s!.outgoing).toEqual(['f1']);
    expect(model!.elements.t!.incoming).toEqual(['f1']);
    expect(model!.elements.t!.job).toEqual({ type: 'work', retries: '5', headers: { k: 'v' } });
    expect(model!.elements.p!.noneStartId).toBe('s');
  });

  it('rejects unsupported elements naming their id', async () => {
    const details = await rejection(
      wrap(`<bpmn:startEvent id="s"/><bpmn:complexGateway id="g"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="g"/>`),
    );
    expect(details.join('\n')).toMatch(/Element 'g': the element type 'ComplexGateway' is not supported/);
  });

  it('rejects a service task without a job type and a flow without condition after an exclusive gateway', async () => {
    const details = await rejection(
      wrap(`<bpmn:startEvent id="s"/><bpmn:serviceTask id="noType"/><bpmn:exclusiveGateway id="x"/><bpmn:endEvent id="a"/><bpmn:endEvent id="b"/>
        <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="x"/><bpmn:sequenceFlow id="f2" sourceRef="x" targetRef="a"/><bpmn:sequenceFlow id="f3" sourceRef="x" targetRef="b"/>`),
    );
    expect(details.some((d) => d.startsWith("Element 'noType'"))).toBe(true);
    expect(details.some((d) => d.startsWith("Element 'f2'"))).toBe(true);
  });

  it('rejects a message catch without a correlation key', async () => {
    const details = await rejection(
      wrap(`<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="c"><bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateCatchEvent><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="c"/>`, '<bpmn:message id="m" name="msg"/>'),
    );
    expect(details.join()).toMatch(/Element 'c': the message must have a zeebe:subscription correlationKey/);
  });

  it('links compensation boundary events to their handlers and reads multi-instance settings', async () => {
    const [model] = await parseBpmn(
      'p.bpmn',
      wrap(`<bpmn:startEvent id="s"/>
        <bpmn:serviceTask id="t"><bpmn:extensionElements><zeebe:taskDefinition type="w"/></bpmn:extensionElements>
          <bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" inputElement="item" outputCollection="out" outputElement="=r"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>
        </bpmn:serviceTask>
        <bpmn:boundaryEvent id="b" attachedToRef="t"><bpmn:compensateEventDefinition/></bpmn:boundaryEvent>
        <bpmn:serviceTask id="undo" isForCompensation="true"><bpmn:extensionElements><zeebe:taskDefinition type="undo"/></bpmn:extensionElements></bpmn:serviceTask>
        <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
        <bpmn:association id="a" sourceRef="b" targetRef="undo"/>`),
    );
    expect(model!.elements.t!.compensationHandlerId).toBe('undo');
    expect(model!.elements.t!.boundaryIds).toEqual(['b']);
    expect(model!.elements.t!.multiInstance).toEqual({ sequential: true, inputCollection: '=items', inputElement: 'item', outputCollection: 'out', outputElement: '=r' });
  });

  it('accepts a converging inclusive gateway that also splits, still requiring a condition on each outgoing flow', async () => {
    const gateway = `<bpmn:startEvent id="s"/><bpmn:parallelGateway id="p"/><bpmn:inclusiveGateway id="j"/><bpmn:endEvent id="a"/><bpmn:endEvent id="b"/>
        <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="p"/><bpmn:sequenceFlow id="f2" sourceRef="p" targetRef="j"/><bpmn:sequenceFlow id="f3" sourceRef="p" targetRef="j"/>`;
    const [model] = await parseBpmn(
      'p.bpmn',
      wrap(`${gateway}<bpmn:sequenceFlow id="f4" sourceRef="j" targetRef="a"><bpmn:conditionExpression>=true</bpmn:conditionExpression></bpmn:sequenceFlow>
        <bpmn:sequenceFlow id="f5" sourceRef="j" targetRef="b"><bpmn:conditionExpression>=false</bpmn:conditionExpression></bpmn:sequenceFlow>`),
    );
    expect(model!.elements.j!.incoming).toEqual(['f2', 'f3']);
    const details = await rejection(
      wrap(`${gateway}<bpmn:sequenceFlow id="f4" sourceRef="j" targetRef="a"/><bpmn:sequenceFlow id="f5" sourceRef="j" targetRef="b"/>`),
    );
    expect(details.join('\n')).toMatch(/Element 'f4': a sequence flow leaving an inclusive gateway needs a condition/);
  });

  it('ignores diagram interchange that refers to elements which do not exist, as Zeebe does not read it', async () => {
    // as the Camunda JS SDK's query-subscription-test-1.bpmn: the plane names another process id
    const diagram = `<bpmndi:BPMNDiagram id="dia" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC">
      <bpmndi:BPMNPlane id="plane" bpmnElement="no-such-process">
        <bpmndi:BPMNShape id="shape" bpmnElement="no-such-task"><dc:Bounds x="0" y="0" width="10" height="10"/></bpmndi:BPMNShape>
        <bpmndi:BPMNEdge id="edge" bpmnElement="no-such-flow"/>
      </bpmndi:BPMNPlane>
    </bpmndi:BPMNDiagram>`;
    const [model] = await parseBpmn('p.bpmn', wrap(`<bpmn:startEvent id="s"/>${task('t')}<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>`, diagram));
    expect(model!.elements.t!.kind).toBe('jobTask');
  });

  it('still rejects an unresolved reference of the process itself', async () => {
    const details = await rejection(wrap(`<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="missing"/>`));
    expect(details.join('\n')).toMatch(/unresolved reference <missing>/);
  });

  it('rejects a file that is not BPMN', async () => {
    await expect(parseBpmn('x.bpmn', 'not xml')).rejects.toBeInstanceOf(InvalidResourceError);
  });
});
