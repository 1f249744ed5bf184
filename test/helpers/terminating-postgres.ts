/**
 * A stand-in PostgreSQL for the race of a server restart: it accepts a connection and, in one
 * network write, reports it ready and terminates it. Tests use it to show that a pool of ours hears
 * that termination instead of letting pg emit it to nobody, which ends the process.
 */
import { createServer, type AddressInfo } from 'node:net';

/**
 * A server that speaks just enough of PostgreSQL's protocol to accept a connection and, in the same
 * network write, report it ready and terminate it (57P01), as a server being restarted can do to a
 * connection it has just accepted.
 */
export async function serverThatTerminatesOnReady(): Promise<{ url: string; close: () => Promise<void> }> {
  const message = (type: string, body: Buffer) => {
    const header = Buffer.alloc(5);
    header.write(type, 0, 'latin1');
    header.writeInt32BE(body.length + 4, 1);
    return Buffer.concat([header, body]);
  };
  const authenticationOk = message('R', Buffer.from([0, 0, 0, 0]));
  const readyForQuery = message('Z', Buffer.from('I', 'latin1'));
  const terminated = message('E', Buffer.from('SFATAL\0VFATAL\0C57P01\0Mterminating connection due to administrator command\0\0', 'latin1'));
  const server = createServer((socket) => {
    socket.once('data', () => socket.end(Buffer.concat([authenticationOk, readyForQuery, terminated])));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `postgres://nobody@127.0.0.1:${port}/none`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
