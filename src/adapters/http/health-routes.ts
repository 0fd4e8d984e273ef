import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Database } from '../../store/database.js';
import { sql } from 'kysely';

/** /healthz (the index answers) and Prometheus /metrics. */
export function registerHealthRoutes(app: FastifyInstance, database: Database, registry: Registry): void {
  app.get('/healthz', async (_req, reply) => {
    try {
      await sql`SELECT 1`.execute(database.db);
      return await reply.send({ status: 'ok', database: database.dialect });
    } catch (err) {
      return reply.code(503).send({ status: 'unavailable', error: (err as Error).message });
    }
  });
  app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
}
