import * as grpc from '@grpc/grpc-js';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { StubBackend } from '../bench/stub-backend';
import { startGrpcGateway, type GrpcGateway } from './grpc-server';

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A gRPC frame: compressed flag, big-endian length, message bytes. */
function frame(message: Buffer, compressed: boolean): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(compressed ? 1 : 0, 0);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

interface RawResponse {
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
  trailers: http2.IncomingHttpHeaders;
}

/** One gzip-compressed Topology call over bare HTTP/2, as a compressing gRPC client sends it. */
async function gzipTopology(port: number): Promise<RawResponse> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  try {
    return await new Promise<RawResponse>((resolve, reject) => {
      const stream = session.request({
        ':method': 'POST',
        ':path': '/gateway_protocol.Gateway/Topology',
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-encoding': 'gzip',
        'grpc-accept-encoding': 'identity,deflate,gzip',
      });
      let headers: http2.IncomingHttpHeaders = {};
      let trailers: http2.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      stream.on('response', (h) => (headers = h));
      stream.on('trailers', (t) => (trailers = t));
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => resolve({ headers, body: Buffer.concat(chunks), trailers }));
      stream.on('error', reject);
      stream.end(frame(gzipSync(Buffer.alloc(0)), true));
    });
  } finally {
    session.close();
  }
}

async function gateway(): Promise<GrpcGateway> {
  const started = await startGrpcGateway(new StubBackend('t'), 0);
  cleanups.push(() => started.stop());
  return started;
}

describe('gRPC message encoding of the gateway', () => {
  it('still accepts gzip-compressed requests, answers uncompressed and advertises identity only', async () => {
    const { port } = await gateway();
    const response = await gzipTopology(port);

    expect(response.headers['grpc-accept-encoding']).toBe('identity');
    expect(response.trailers['grpc-status'] ?? response.headers['grpc-status']).toBe('0');
    expect(response.body.readUInt8(0)).toBe(0); // not compressed
    expect(response.body.readUInt32BE(1)).toBe(response.body.length - 5);
    // the Topology answer names the gateway version
    expect(response.body.subarray(5).toString('latin1')).toContain('8.8.0');
  });

  it('makes a gzip-configured grpc-js client (as the SDK configures it) stop compressing after the first answer', async () => {
    const { port } = await gateway();
    const advertised = (await gzipTopology(port)).headers['grpc-accept-encoding'];

    // A bare HTTP/2 server that answers like the gateway and records how requests arrive.
    const seen: Array<{ encoding: string | undefined; compressedFlag: number }> = [];
    const recorder = http2.createServer();
    recorder.on('stream', (stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const body = Buffer.concat(chunks);
        seen.push({ encoding: headers['grpc-encoding'] as string | undefined, compressedFlag: body.readUInt8(0) });
        if (body.readUInt8(0) === 1) gunzipSync(body.subarray(5)); // a real gzip payload
        stream.respond({ ':status': 200, 'content-type': 'application/grpc+proto', 'grpc-accept-encoding': advertised, 'grpc-encoding': 'identity' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': '' }));
        stream.end(frame(Buffer.alloc(0), false));
      });
    });
    await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => recorder.close(() => resolve())));

    const client = new grpc.Client(`127.0.0.1:${(recorder.address() as AddressInfo).port}`, grpc.credentials.createInsecure(), {
      'grpc.default_compression_algorithm': 2,
    });
    cleanups.push(() => client.close());
    const call = () =>
      new Promise<void>((resolve, reject) => {
        client.makeUnaryRequest(
          '/gateway_protocol.Gateway/Topology',
          (value: Buffer) => value,
          (value: Buffer) => value,
          Buffer.from('a message long enough to be worth compressing, a message long enough'),
          (error) => (error ? reject(error) : resolve()),
        );
      });
    await call();
    await call();
    await call();

    expect(seen[0]).toEqual({ encoding: 'gzip', compressedFlag: 1 });
    expect(seen.slice(1).map((s) => s.compressedFlag)).toEqual([0, 0]);
    expect(seen.slice(1).every((s) => s.encoding === undefined || s.encoding === 'identity')).toBe(true);
  });
});
