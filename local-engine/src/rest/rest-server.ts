/**
 * The Camunda 8.8 REST API (v2) subset the project needs: user tasks (search, get, assign,
 * complete, form), process instances (get, search), element instances, incidents and variables
 * search. Shapes follow the Orchestration Cluster API; keys are strings.
 */
import express from 'express';
import type { Server } from 'node:http';
import type { Engine } from '../engine';
import { restRouter } from './routes';

/** A running REST server. */
export interface RestApi {
  port: number;
  stop(): Promise<void>;
}

/** Starts the REST API. */
export async function startRestApi(engine: Engine, port: number, host = '127.0.0.1'): Promise<RestApi> {
  const app = express();
  app.use(express.json({ limit: '4mb' }));
  app.use('/v2', restRouter(engine));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(port, host, () => resolve(s));
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
