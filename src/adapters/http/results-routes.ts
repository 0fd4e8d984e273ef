import type { FastifyInstance } from 'fastify';
import type { AnalysisDeps } from '../../analyze/analysis-run.js';
import { shownStudyResults } from '../../analyze/shown-results.js';
import { RadbridgeError, asRadbridgeError } from '../../domain/errors.js';
import { recordAudit } from '../../store/audit-log.js';
import { sendError } from './send-error.js';

const UID = /^\d+(\.\d+)*$/;

/** A UID of a path (`what` names it: "Study Instance UID"), or BAD_REQUEST. */
export function uidOf(value: string, what: string): string {
  if (value.length > 64 || !UID.test(value)) throw new RadbridgeError('BAD_REQUEST', `${JSON.stringify(value.slice(0, 80))} is not a ${what}`);
  return value;
}

/** The Study Instance UID of a path, or BAD_REQUEST. */
export const studyUidOf = (value: string): string => uidOf(value, 'Study Instance UID');

/** GET /api/studies/{uid}/results: the study-level result merged from its analyses, as far as rollout modes let it be shown; every read audited. */
export function registerResultsRoutes(app: FastifyInstance, deps: AnalysisDeps): void {
  app.get<{ Params: { studyUid: string } }>('/api/studies/:studyUid/results', async (req, reply) => {
    try {
      const studyUid = studyUidOf(req.params.studyUid);
      const merged = await shownStudyResults(deps, studyUid);
      await recordAudit(
        deps.database,
        { type: 'results.read', outcome: 'success', actor: 'anonymous', source: req.ip, studyUid, detail: { path: req.url, results: merged.results.length } },
        deps.now(),
      );
      return await reply.send(merged);
    } catch (err) {
      return sendError(reply, asRadbridgeError(err));
    }
  });
}
