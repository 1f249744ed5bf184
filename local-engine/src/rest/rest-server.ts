/**
 * The Camunda 8.8 REST API (v2) subset the project needs: user tasks (search, get, assign,
 * complete, form), process instances (get, search), element instances, incidents and variables
 * search. Shapes follow the Orchestration Cluster API; keys are strings. Every error, the body
 * parser's and express's included, answers as an RFC 9457 problem document (`problem.ts`).
 */
import express from 'express';
import type { Server } from 'node:http';
import type { Engine } from '../engine';
import { JobDispatcher } from '../gateway/job-dispatcher';
import { commandRoutes } from './command-routes';
import { deploymentRoutes } from './deployment-routes';
import { jobRoutes } from './job-routes';
import { notFound, problemHandler } from './problem';
import { restRouter } from './routes';

/** A running REST server. */
export interface RestApi {
  port: number;
  stop(): Promise<void>;
}

/** Told about an unexpected error behind a 500 (default: a line on stderr with its stack). */
export type RestErrorLog = (message: string, error: unknown) => void;

const stderrLog: RestErrorLog = (message, error) => console.error(message, error);

/** Starts the REST API. */
export async function startRestApi(engine: Engine, port: number, host = '127.0.0.1', log: RestErrorLog = stderrLog): Promise<RestApi> {
  const app = express();
  // Not strict: a JSON null (or any JSON value) reaches the route, whose schema answers for it.
  app.use(express.json({ limit: '4mb', strict: false }));
  // REST job activations park with a dispatcher of their own, fed by the same engine as the gRPC gateway's
  const dispatcher = new JobDispatcher(engine);
  app.use('/v2', restRouter(engine, [...commandRoutes(engine), ...jobRoutes(engine, dispatcher), ...deploymentRoutes(engine)]));
  app.use(notFound);
  app.use(problemHandler(log));
  // express 5 hands a failed bind (EADDRINUSE) to the callback: the start rejects with it.
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, (error) => (error ? reject(error) : resolve(s)));
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    stop: () =>
      new Promise<void>((resolve) => {
        dispatcher.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
