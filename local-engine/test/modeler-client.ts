/**
 * The SDK clients Camunda Modeler builds for its Deploy and Run buttons, rebuilt here so a test can
 * check the local engine against exactly what the Modeler sends. Read from camunda/camunda-modeler
 * v5.50.1, `app/lib/zeebe-api/camunda-client-factory.js` (`_getProtocol`, `_getClientConfig`,
 * `_withTLSConfig`, `_withPortConfig`) and `app/lib/zeebe-api/zeebe-api.js` (`deploy`,
 * `startInstance`, `_getZeebeResources`, `asSerializedError`), for the endpoint a person picks as
 * "Camunda 8 Self-Managed" with authentication "None".
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { Camunda8 } from '@camunda8/sdk';

type Camunda8Options = NonNullable<ConstructorParameters<typeof Camunda8>[0]>;

/** The transport the Modeler settles on for an endpoint. */
export type ModelerProtocol = 'grpc' | 'http';

// The Modeler reads the OS trust store on Linux from the first of these files that exists.
const linuxCaCertificatePaths = ['/etc/ssl/certs/ca-certificates.crt', '/etc/ssl/certs/ca-bundle.crt'];

function systemRootCertificates(): Buffer | undefined {
  for (const path of linuxCaCertificatePaths) {
    try {
      return readFileSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return undefined;
}

/**
 * The options the Modeler passes to `new Camunda8(...)` for a self-managed endpoint without
 * authentication, as `_getClientConfig` builds them for one protocol. Only the log levels are
 * added, so a test run stays quiet; they change no behaviour.
 */
export function modelerClientOptions(url: string, protocol: ModelerProtocol): Camunda8Options {
  const options: Record<string, unknown> =
    protocol === 'grpc'
      ? // The Modeler swaps the scheme for grpc:// and turns the SDK's own retries off.
        { ZEEBE_GRPC_ADDRESS: url.replace(/^(https?:\/\/|grpcs?:\/\/)/, 'grpc://'), zeebeGrpcSettings: { ZEEBE_GRPC_CLIENT_RETRY: false } }
      : { ZEEBE_REST_ADDRESS: url.replace(/\/+$/, '').replace(/\/v2$/, '') };
  // "None" on a self-managed endpoint is the legacy switch, which forces the NONE auth strategy.
  options.CAMUNDA_OAUTH_DISABLED = true;
  const rootCertificates = systemRootCertificates();
  if (rootCertificates) options.CAMUNDA_CUSTOM_ROOT_CERT_STRING = rootCertificates;
  // Without a port in the URL the Modeler adds 80 (443 for https); a URL with a port keeps it.
  if (!new URL(url).port) options.port = new URL(url).protocol === 'https:' ? '443' : '80';
  return { ...options, ZEEBE_CLIENT_LOG_LEVEL: 'NONE', CAMUNDA_LOG_LEVEL: 'none' } as Camunda8Options;
}

/** A Modeler-built client, after its protocol detection. */
export interface ModelerClient {
  protocol: ModelerProtocol;
  options: Camunda8Options;
  camunda: Camunda8;
}

/**
 * Picks the protocol as `_getProtocol` does for an `http://` URL: REST first (a topology call
 * through a REST-only client), gRPC when that fails; then builds the client for it.
 */
export async function modelerClient(url: string): Promise<ModelerClient> {
  let protocol: ModelerProtocol = 'grpc';
  if (/^https?:\/\//.test(url)) {
    const probe = new Camunda8(modelerClientOptions(url, 'http'));
    try {
      await probe.getCamundaRestClient().getTopology();
      protocol = 'http';
    } catch {
      // The Modeler swallows the probe's error and falls back to gRPC.
    } finally {
      await probe.closeAllClients?.();
    }
  }
  const options = modelerClientOptions(url, protocol);
  return { protocol, options, camunda: new Camunda8(options) };
}

/** A BPMN file as the Modeler deploys it over gRPC: its bytes, named `<basename>.bpmn`. */
export function modelerBpmnResource(path: string): { name: string; process: Buffer } {
  return { name: `${basename(path, extname(path))}.bpmn`, process: readFileSync(path) };
}

/**
 * What the Modeler keeps of a failed call (`asSerializedError`) and shows in its log: the gRPC
 * status details when there are any, else the message.
 */
export function modelerErrorText(error: unknown): string {
  const { message, details } = error as { message?: unknown; details?: unknown };
  return String(details || message);
}
