/**
 * A listening socket that cannot be had: the engine's gRPC or REST port (or any other) is in use.
 * Callers that know which setting chose the port (the runtime, `npm run engine`) name it.
 */

/** The port is taken (or not ours to bind). */
export class PortTakenError extends Error {
  constructor(
    readonly service: string,
    readonly host: string,
    readonly port: number,
    options?: { cause?: unknown },
  ) {
    super(`${service} port ${port} on ${host} is taken`, options);
    this.name = 'PortTakenError';
  }
}

/** True when a listen or bind error means "address in use" (node) or "no address added" (gRPC). */
export function isAddressInUse(error: unknown): boolean {
  const value = error as { code?: unknown; message?: unknown } | null;
  return value?.code === 'EADDRINUSE' || value?.code === 'EACCES' || (typeof value?.message === 'string' && /EADDRINUSE|No address added out of total/.test(value.message));
}
