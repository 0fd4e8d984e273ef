import type { FastifyInstance } from 'fastify';
import { asRadbridgeError } from '../../domain/errors.js';
import type { Database } from '../../store/database.js';
import { listMessages } from '../../store/message-outbox.js';
import { listOutbox } from '../../store/outbox.js';
import { studyUidOf } from './results-routes.js';
import { sendError } from './send-error.js';

/**
 * GET /api/studies/{uid}/outbox: every object the hub queued for a destination for the study
 * (SR, SEG, KOS...), each with its status (pending, running, sent, failed), attempts, last error,
 * next attempt and, once sent, when and to which peer; and every HL7 message queued for a peer,
 * with its MSH-10 and the same status, without its text. It names objects, not patients.
 */
export function registerOutboxRoutes(app: FastifyInstance, deps: { database: Database }): void {
  app.get<{ Params: { studyUid: string } }>('/api/studies/:studyUid/outbox', async (req, reply) => {
    try {
      const studyUid = studyUidOf(req.params.studyUid);
      const messages = (await listMessages(deps.database.db, { studyUid })).map(({ body: _body, reply: _reply, ...status }) => status);
      return await reply.send({ objects: await listOutbox(deps.database.db, studyUid), messages });
    } catch (err) {
      return sendError(reply, asRadbridgeError(err));
    }
  });
}
