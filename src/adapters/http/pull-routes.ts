import type { FastifyInstance } from 'fastify';
import { RadbridgeError, asRadbridgeError } from '../../domain/errors.js';
import type { IngestDeps } from '../../ingest/ingest-deps.js';
import { requestStudyPull } from '../../ingest/study-pull.js';
import { reasonOf } from './reason-body.js';
import { refuseUnparsableBody, sendError } from './send-error.js';

const UID = /^\d+(\.\d+)*$/;

/**
 * Pull mode: POST /api/studies/{uid}/available tells the hub a study can be retrieved from the PACS
 * (202 with the job id); GET /api/jobs/{id} (job-routes.ts) shows how the pull is doing.
 */
export function registerPullRoutes(app: FastifyInstance, deps: IngestDeps): void {
  app.post<{ Params: { studyUid: string } }>('/api/studies/:studyUid/available', { errorHandler: refuseUnparsableBody }, async (req, reply) => {
    try {
      const { studyUid } = req.params;
      if (studyUid.length > 64 || !UID.test(studyUid)) {
        throw new RadbridgeError('BAD_REQUEST', `${JSON.stringify(studyUid.slice(0, 80))} is not a Study Instance UID (digits and dots, at most 64 characters)`);
      }
      const jobId = await requestStudyPull(deps, { studyUid, requestedBy: req.ip, reason: reasonOf(req.body) });
      return await reply.code(202).send({ jobId, studyUid });
    } catch (err) {
      return sendError(reply, asRadbridgeError(err));
    }
  });
}
