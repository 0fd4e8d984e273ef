import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AnalysisDeps } from '../../analyze/analysis-run.js';
import { shownStudyResults } from '../../analyze/shown-results.js';
import { RadbridgeError, asRadbridgeError } from '../../domain/errors.js';
import { studyInjuries, type StudyInjuries } from '../../domain/study-injuries.js';
import { listAisDecisions, recordAisDecision } from '../../store/ais-decisions.js';
import { recordAudit } from '../../store/audit-log.js';
import type { TriageTables } from '../../triage/triage-files.js';
import { parseBody } from './change-request.js';
import { requiredReason } from './reason-body.js';
import { studyUidOf } from './results-routes.js';
import { refuseUnparsableBody, sendError } from './send-error.js';

const INJURY_ID = /^[0-9a-f]{16}$/;

const decisionBody = z
  .object({
    confirmed: z.boolean({ error: 'confirmed is true (the AIS is right) or false (it is not)' }),
    severity: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5), z.literal(6), z.literal(9)], { error: 'severity is an AIS severity 1..6, or 9 for unknown' }).optional(),
    reason: z.string(),
    by: z.string({ error: 'by names the person who decides' }).trim().min(1, 'by names the person who decides').max(128),
  })
  .refine((b) => b.confirmed || b.severity === undefined, { message: 'a severity is given only when confirming', path: ['severity'] });

async function reportOf(deps: AnalysisDeps, triage: TriageTables, studyUid: string): Promise<StudyInjuries> {
  const shown = await shownStudyResults(deps, studyUid);
  return studyInjuries(studyUid, shown.results, triage.criticality, triage.aisMapping, await listAisDecisions(deps.database.db, studyUid));
}

/**
 * GET /api/studies/{uid}/injuries: the merged injuries with criticality and ISS/NISS, audited as a
 * read of patient data; PUT /api/studies/{uid}/injuries/{injuryId}/ais: a person confirms or rejects
 * an injury's mapped AIS ({ confirmed, severity?, reason, by }), audited with who and why.
 */
export function registerInjuryRoutes(app: FastifyInstance, deps: AnalysisDeps, triage: TriageTables): void {
  app.get<{ Params: { studyUid: string } }>('/api/studies/:studyUid/injuries', async (req, reply) => {
    try {
      const studyUid = studyUidOf(req.params.studyUid);
      const report = await reportOf(deps, triage, studyUid);
      await recordAudit(
        deps.database,
        { type: 'injuries.read', outcome: 'success', actor: 'anonymous', source: req.ip, studyUid, detail: { path: req.url, injuries: report.injuries.length, criticality: report.criticality.level } },
        deps.now(),
      );
      return await reply.send(report);
    } catch (err) {
      return sendError(reply, asRadbridgeError(err));
    }
  });
  app.put<{ Params: { studyUid: string; injuryId: string } }>('/api/studies/:studyUid/injuries/:injuryId/ais', { errorHandler: refuseUnparsableBody }, async (req, reply) => {
    try {
      const studyUid = studyUidOf(req.params.studyUid);
      const { injuryId } = req.params;
      if (!INJURY_ID.test(injuryId)) throw new RadbridgeError('BAD_REQUEST', `${JSON.stringify(injuryId.slice(0, 80))} is not an injury id`);
      const reason = requiredReason(req.body);
      const body = parseBody(decisionBody, req.body);
      const injury = (await reportOf(deps, triage, studyUid)).injuries.find((i) => i.id === injuryId);
      if (!injury) throw new RadbridgeError('NOT_FOUND', `study ${studyUid} has no injury ${injuryId} to show`);
      if (!injury.ais) throw new RadbridgeError('BAD_REQUEST', `no AIS is mapped for injury ${injuryId} (${injury.type.meaning}): the site's AIS mapping has no entry for it`);
      const mapped = { ...(injury.ais.code ? { code: injury.ais.code } : {}), severity: injury.ais.mappedSeverity ?? injury.ais.severity, region: injury.ais.region };
      await recordAisDecision(deps.database, { studyUid, injuryId, confirmed: body.confirmed, ...(body.severity !== undefined ? { severity: body.severity } : {}), reason, by: body.by, mapped, source: req.ip }, deps.now());
      return await reply.send(await reportOf(deps, triage, studyUid));
    } catch (err) {
      return sendError(reply, asRadbridgeError(err));
    }
  });
}
