import type { FastifyInstance } from 'fastify';
import { RadbridgeError, asRadbridgeError } from '../../domain/errors.js';
import type { IngestDeps } from '../../ingest/ingest-deps.js';
import { requestStudyPull } from '../../ingest/study-pull.js';
import { getJob } from '../../store/job-queue.js';
import { refuseUnparsableBody, sendError } from './send-error.js';

const UID = /^\d+(\.\d+)*$/;
const MAX_REASON_LENGTH = 1024;

/**
 * Pull mode: POST /api/studies/{uid}/available tells the hub a study can be retrieved from the PACS
 * (202 with the job id); GET /api/jobs/{id} shows how a job is doing.
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
  app.get<{ Params: { id: string } }>('/api/jobs/:id', async (req, reply) => {
    try {
      if (!/^\d{1,15}$/.test(req.params.id)) throw new RadbridgeError('BAD_REQUEST', `job id must be a positive integer, not ${JSON.stringify(req.params.id.slice(0, 40))}`);
      const id = Number(req.params.id);
      const job = await getJob(deps.database.db, id);
      if (!job) throw new RadbridgeError('NOT_FOUND', `no job ${id}`);
      return await reply.send(job);
    } catch (err) {
      return sendError(reply, asRadbridgeError(err));
    }
  });
}

/** The optional body is { "reason"?: string }. */
function reasonOf(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body)) throw new RadbridgeError('BAD_REQUEST', 'the body must be a JSON object such as { "reason": "..." }');
  const reason = (body as { reason?: unknown }).reason;
  if (reason === undefined) return undefined;
  if (typeof reason !== 'string' || reason.length > MAX_REASON_LENGTH) {
    throw new RadbridgeError('BAD_REQUEST', `reason must be a string of at most ${MAX_REASON_LENGTH} characters`);
  }
  return reason;
}
