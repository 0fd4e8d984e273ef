import type { FastifyInstance } from 'fastify';
import type { AnalysisDeps } from '../../analyze/analysis-run.js';
import { mergeStudyResults } from '../../analyze/study-results.js';
import { RadbridgeError, asRadbridgeError } from '../../domain/errors.js';
import type { RolloutMode } from '../../domain/rollout-mode.js';
import { listAnalysisResults } from '../../store/analysis-results.js';
import { rolloutModeOf } from '../../store/analyzer-modes.js';
import { recordAudit } from '../../store/audit-log.js';
import { sendError } from './send-error.js';

const UID = /^\d+(\.\d+)*$/;

/** GET /api/studies/{uid}/results: the study-level result merged from its analyses, as far as rollout modes let it be shown; every read audited. */
export function registerResultsRoutes(app: FastifyInstance, deps: AnalysisDeps): void {
  app.get<{ Params: { studyUid: string } }>('/api/studies/:studyUid/results', async (req, reply) => {
    try {
      const { studyUid } = req.params;
      if (studyUid.length > 64 || !UID.test(studyUid)) throw new RadbridgeError('BAD_REQUEST', `${JSON.stringify(studyUid.slice(0, 80))} is not a Study Instance UID`);
      const stored = await listAnalysisResults(deps.database.db, studyUid);
      const modes = new Map<string, RolloutMode>();
      for (const id of new Set(stored.map((r) => r.analyzerId))) modes.set(id, await rolloutModeOf(deps.database.db, id, deps.site));
      const merged = mergeStudyResults(studyUid, stored, (id) => modes.get(id) ?? 'silent');
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
