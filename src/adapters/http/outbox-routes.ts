import type { FastifyInstance } from 'fastify';
import { asRadbridgeError } from '../../domain/errors.js';
import type { Database } from '../../store/database.js';
import { listOutbox } from '../../store/outbox.js';
import { studyUidOf } from './results-routes.js';
import { sendError } from './send-error.js';

/**
 * GET /api/studies/{uid}/outbox: every object the hub queued for a destination for the study
 * (SR, SEG, KOS...), each with its status (pending, running, sent, failed), attempts, last error,
 * next attempt and, once sent, when and to which peer. It names objects, not patients.
 */
export function registerOutboxRoutes(app: FastifyInstance, deps: { database: Database }): void {
  app.get<{ Params: { studyUid: string } }>('/api/studies/:studyUid/outbox', async (req, reply) => {
    try {
      return await reply.send({ objects: await listOutbox(deps.database.db, studyUidOf(req.params.studyUid)) });
    } catch (err) {
      return sendError(reply, asRadbridgeError(err));
    }
  });
}
