import type { FastifyInstance } from 'fastify';
import type { AnalysisDeps } from '../../analyze/analysis-run.js';
import { seriesVolumetry, volumetryRequestSchema } from '../../analyze/volumetry.js';
import { RadbridgeError, asRadbridgeError } from '../../domain/errors.js';
import { recordAudit } from '../../store/audit-log.js';
import { parseBody } from './change-request.js';
import { refuseUnparsableBody, sendError } from './send-error.js';

const UID = /^\d+(\.\d+)*$/;

function checkUid(name: string, uid: string): void {
  if (uid.length > 64 || !UID.test(uid)) throw new RadbridgeError('BAD_REQUEST', `${JSON.stringify(uid.slice(0, 80))} is not a ${name} Instance UID`);
}

/** POST /api/studies/{study}/series/{series}/volumetry: region growing on a stored series; every request audited as a read of patient data. */
export function registerVolumetryRoutes(app: FastifyInstance, deps: AnalysisDeps): void {
  app.post<{ Params: { studyUid: string; seriesUid: string } }>('/api/studies/:studyUid/series/:seriesUid/volumetry', { errorHandler: refuseUnparsableBody }, async (req, reply) => {
    const { studyUid, seriesUid } = req.params;
    const audit = (outcome: 'success' | 'minor-failure', detail: Record<string, unknown>) =>
      recordAudit(deps.database, { type: 'volumetry.read', outcome, actor: 'anonymous', source: req.ip, studyUid, detail: { path: req.url, seriesUid, ...detail } }, deps.now());
    try {
      checkUid('Study', studyUid);
      checkUid('Series', seriesUid);
      const request = parseBody(volumetryRequestSchema, req.body);
      const result = await seriesVolumetry(deps, { studyUid, seriesUid }, request);
      await audit('success', { volumeMl: result.volumeMl });
      return await reply.send(result);
    } catch (err) {
      const error = asRadbridgeError(err);
      await audit('minor-failure', { error: error.code, message: error.message });
      return sendError(reply, error);
    }
  });
}
