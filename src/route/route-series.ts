import type { JobPayloads } from '../store/job-queue.js';
import { recordRouting, type DecisionRow, type QueuedJob } from '../store/routing-decisions.js';
import { findSeriesHeaders, readHeaderBytes } from '../store/series-headers.js';
import type { JsonDataset } from '../dicomweb/dicom-json.js';
import { currentRules } from './current-rules.js';
import type { RouteDeps } from './route-deps.js';
import { decideRouting, type RoutingDecision, type RuleOutcome } from './routing-decision.js';
import { subjectFromHeaders } from './series-subject.js';
import { instanceMetadata } from '../dicomweb/instance-metadata.js';
import type { SeriesSubject } from './predicate-evaluation.js';

/** A stored series as the rules see it, at the given time; undefined when the index does not know it. */
export async function storedSeriesSubject(deps: RouteDeps, seriesUid: string, at: Date): Promise<{ subject: SeriesSubject; studyUid: string; generation: number } | undefined> {
  const stored = await findSeriesHeaders(deps.database.db, seriesUid);
  if (!stored) return undefined;
  const headers: JsonDataset[] = [];
  for await (const bytes of readHeaderBytes(deps.objects, stored.files)) headers.push(instanceMetadata(bytes));
  const context = await deps.clinicalContext(stored.studyUid);
  const subject = subjectFromHeaders(headers, { senderAeTitle: stored.callingAeTitle ?? undefined, at, context });
  return { subject: { ...subject, seriesUid }, studyUid: stored.studyUid, generation: stored.generation };
}

function decisionRows(decision: RoutingDecision): DecisionRow[] {
  const outcomeOf = (r: RuleOutcome): DecisionRow['outcome'] => {
    if (!r.matched) return 'not-matched';
    if (decision.discard) return decision.discard.ruleId === r.ruleId ? 'discarded' : 'overruled-by-discard';
    return r.actions.some((a) => a.selected) ? 'acted' : 'not-selected';
  };
  return decision.rules.map((r) => ({
    ruleId: r.ruleId,
    matched: r.matched,
    outcome: outcomeOf(r),
    actions: r.actions.filter((a) => a.selected).map((a) => a.action),
    lane: r.lane,
    explanation: { when: r.explanation, series: r.actions.flatMap((a) => (a.series ? [a.series] : [])) },
  }));
}

/** The jobs a decision queues, keyed by series, generation and analyzer (or destination) so a re-route never queues twice. */
function jobsOf(decision: RoutingDecision, p: JobPayloads['series.complete']): QueuedJob[] {
  const common = { studyUid: p.studyUid, seriesUids: [p.seriesUid], generation: p.generation, amendment: p.amendment };
  return [
    ...decision.runs.map((r): QueuedJob => ({
      kind: 'analysis.run',
      payload: { ...common, analyzerId: r.analyzerId, lane: r.lane, ruleId: r.ruleId },
      idempotencyKey: `analysis.run:${p.seriesUid}:${p.generation}:${r.analyzerId}`,
    })),
    ...decision.forwards.map((f): QueuedJob => ({
      kind: 'study.forward',
      payload: { ...common, destination: f.destination, lane: f.lane, ruleId: f.ruleId },
      idempotencyKey: `study.forward:${p.seriesUid}:${p.generation}:${f.destination}`,
    })),
  ];
}

export type RouteResult =
  | { routed: true; rulesVersion: number; decision: RoutingDecision; jobs: QueuedJob[] }
  | { routed: false; reason: string };

/**
 * The route stage for one completed series: evaluates the rules in force the moment the series
 * completes (not when its study does, so a trauma head series fires before the chest is
 * reconstructed), records every rule's decision and queues analysis.run and study.forward jobs.
 * Routing the same completion again changes nothing; a completion superseded by a later
 * instance (the series reopened) is skipped, its amendment will be routed.
 */
export async function routeCompletedSeries(deps: RouteDeps, payload: JobPayloads['series.complete']): Promise<RouteResult> {
  const now = deps.now();
  const found = await storedSeriesSubject(deps, payload.seriesUid, new Date(now));
  if (!found) return { routed: false, reason: `series ${payload.seriesUid} is not in the index` };
  if (found.generation !== payload.generation) return { routed: false, reason: `series ${payload.seriesUid} is at generation ${found.generation}, this completion was ${payload.generation}` };
  const rules = await currentRules(deps.database.db);
  const decision = decideRouting(rules.document, found.subject);
  const jobs = jobsOf(decision, payload);
  await recordRouting(
    deps.database,
    { studyUid: payload.studyUid, seriesUid: payload.seriesUid, generation: payload.generation, rulesVersion: rules.version, decisions: decisionRows(decision), jobs },
    now,
  );
  deps.log.info(
    { studyUid: payload.studyUid, seriesUid: payload.seriesUid, generation: payload.generation, rulesVersion: rules.version, jobs: jobs.length, discardedBy: decision.discard?.ruleId, lane: decision.lane },
    'series routed',
  );
  return { routed: true, rulesVersion: rules.version, decision, jobs };
}
