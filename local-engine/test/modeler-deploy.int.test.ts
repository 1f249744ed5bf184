/**
 * Conformance: Camunda Modeler's Deploy and Run buttons work against the local engine. The client
 * is the one the Modeler builds for a "Camunda 8 Self-Managed" endpoint with authentication
 * "None" and cluster endpoint `http://localhost:<gRPC port>` (camunda/camunda-modeler v5.50.1,
 * `app/lib/zeebe-api/camunda-client-factory.js`; calls as in `app/lib/zeebe-api/zeebe-api.js`,
 * the process id picked as in `client/src/app/zeebe/util.js` `getProcessId`). See
 * `modeler-client.ts` for the options it passes.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitions } from './fixtures';
import { startHarness, type Harness } from './harness';
import { modelerBpmnResource, modelerClient, modelerErrorText, type ModelerClient } from './modeler-client';

const modelPath = fileURLToPath(new URL('../../bpmn/order-fulfillment-v1.bpmn', import.meta.url));

let h: Harness;
let url: string;
let modeler: ModelerClient;
let probeMs: number;

beforeAll(async () => {
  h = await startHarness('le_modeler_deploy');
  // What a person types: localhost and the gRPC port (26500 under `npm run engine`).
  url = `http://localhost:${h.engine.grpcAddress.split(':').pop()}`;
  const started = Date.now();
  modeler = await modelerClient(url);
  probeMs = Date.now() - started;
});
afterAll(async () => {
  await modeler?.camunda.closeAllClients();
  await h?.close();
});

const zeebe = () => modeler.camunda.getZeebeGrpcApiClient();

/** A stack frame or a source path in a message means internals leaked to the person. */
const internals = /\bat .+:\d+:\d+|\.ts:\d+|node_modules|\/work\/|[A-Za-z]:\\/;

describe('connecting', () => {
  it('given an http:// endpoint on the gRPC port, when the Modeler probes REST first, then the probe fails fast and it settles on gRPC', () => {
    expect(modeler.protocol).toBe('grpc');
    expect(modeler.options).toMatchObject({ ZEEBE_GRPC_ADDRESS: url.replace('http://', 'grpc://'), CAMUNDA_OAUTH_DISABLED: true });
    // A probe that hung would stall every Deploy click before the first call.
    expect(probeMs).toBeLessThan(5_000);
  });

  it('given the Modeler client, when it asks for the topology (connection check), then a broker leads a partition', async () => {
    const topology = await zeebe().topology();
    expect(topology.brokers.length).toBeGreaterThan(0);
    expect(topology.brokers[0]!.partitions).toContainEqual(expect.objectContaining({ partitionId: 1, role: 'LEADER' }));
    // The Modeler compares this with the diagram's execution platform version (8.8).
    expect(topology.gatewayVersion).toMatch(/^8\.8\./);
  });
});

describe('Deploy and Run', () => {
  it('given the fulfillment model, when deployed as the Modeler does, then the answer names its process under the file name, and Run starts an instance', async () => {
    const resource = modelerBpmnResource(modelPath);
    expect(resource.name).toBe('order-fulfillment-v1.bpmn');

    const deployed = await zeebe().deployResource(resource);

    const process = deployed.deployments.flatMap((deployment) => ('process' in deployment ? [deployment.process] : []));
    expect(process).toEqual([
      expect.objectContaining({ bpmnProcessId: 'order-fulfillment-v1', resourceName: 'order-fulfillment-v1.bpmn', processDefinitionKey: expect.stringMatching(/^\d+$/) }),
    ]);
    expect(deployed.key).toMatch(/^\d+$/);

    // Run: the Modeler takes the process id of the deployment whose resourceName is the file's name.
    const processId = process.find((entry) => entry.resourceName === resource.name)?.bpmnProcessId;
    const variables = { tenantId: 'tenant-a', orderId: 'modeler-run-1', fulfillmentPlanId: 'plan-1' };
    // The Modeler also sends an unset businessId, which this SDK version does not know (a no-op).
    const started = await zeebe().createProcessInstance({ bpmnProcessId: processId!, variables, startInstructions: undefined });

    expect(started).toMatchObject({
      bpmnProcessId: 'order-fulfillment-v1',
      processDefinitionKey: process[0]!.processDefinitionKey,
      processInstanceKey: expect.stringMatching(/^\d+$/),
    });
  });

  const invalidModels = [
    { name: 'a file that is not XML', file: 'not-xml.bpmn', xml: 'this is not a BPMN diagram', says: /not-xml\.bpmn.*not a valid BPMN file/ },
    {
      name: 'a sequence flow to a missing element',
      file: 'dangling-flow.bpmn',
      xml: definitions('dangling_flow', '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="Flow_dangling" sourceRef="start" targetRef="nowhere"/>'),
      says: /dangling-flow\.bpmn.*Flow_dangling/s,
    },
  ];

  it.each(invalidModels)('given $name, when deployed, then the text the Modeler logs is the engine\'s reason, not a stack', async ({ file, xml, says }) => {
    const failure = await zeebe()
      .deployResource({ name: file, process: Buffer.from(xml) })
      .then(
        () => undefined,
        (error: unknown) => error,
      );

    expect(failure, 'the deployment must be refused').toBeDefined();
    expect((failure as { code?: unknown }).code).toBe(3); // INVALID_ARGUMENT, as Zeebe answers
    const text = modelerErrorText(failure);
    expect(text).toMatch(says);
    expect(text).not.toMatch(internals);
  });
});
