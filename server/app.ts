// The central dossier service's HTTP application (Fastify). Routes of ../shared/API.md are registered
// here; createApp takes its dependencies so tests run it against either database target.

import Fastify, { type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Database } from './db/database.js';

export type AppDeps = {
  db: Database;
  logger?: boolean;
};

export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  app.get('/api/v1/health', async () => {
    await deps.db.query('SELECT 1');
    return { ok: true } as const;
  });

  return app;
}
