import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Database } from '../../store/database.js';
import { sql } from 'kysely';
import { indexStatus } from '../../store/index-status.js';

/** /healthz (the index answers), /api/status (index counts) and Prometheus /metrics. */
export function registerHealthRoutes(app: FastifyInstance, database: Database, registry: Registry): void {
  app.get('/healthz', async (_req, reply) => {
    try {
      await sql`SELECT 1`.execute(database.db);
      return await reply.send({ status: 'ok', database: database.dialect });
    } catch (err) {
      return reply.code(503).send({ status: 'unavailable', error: (err as Error).message });
    }
  });
  app.get('/api/status', async (_req, reply) => reply.send({ database: database.dialect, index: await indexStatus(database.db) }));
  app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
}
