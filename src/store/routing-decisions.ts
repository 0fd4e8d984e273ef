import type { Kysely, Transaction } from 'kysely';
import { lanePriority } from '../domain/lane.js';
import type { Database } from './database.js';
import { enqueueJob, type JobPayloads } from './job-queue.js';
import type { DB, RoutingDecisionsTable } from './schema.js';

/** Routing decisions per series, generation and rule, written in one transaction with the jobs they queue. */

export interface DecisionRow {
  ruleId: string;
  matched: boolean;
  outcome: RoutingDecisionsTable['outcome'];
  actions: unknown[];
  lane: string;
  explanation: unknown;
}

export type QueuedJob =
  | { kind: 'analysis.run'; payload: JobPayloads['analysis.run']; idempotencyKey: string }
  | { kind: 'study.forward'; payload: JobPayloads['study.forward']; idempotencyKey: string };

export interface RoutingRecord {
  studyUid: string;
  seriesUid: string;
  generation: number;
  rulesVersion: number;
  decisions: DecisionRow[];
  jobs: QueuedJob[];
}

async function enqueue(trx: Transaction<DB>, job: QueuedJob, now: number): Promise<void> {
  const options = { priority: lanePriority(job.payload.lane) };
  if (job.kind === 'analysis.run') await enqueueJob(trx, job.kind, job.payload, job.idempotencyKey, now, options);
  else await enqueueJob(trx, job.kind, job.payload, job.idempotencyKey, now, options);
}

/**
 * Records the decisions and queues the jobs. A decision already recorded for the series,
 * generation and rule is kept, and a job key already queued is not queued again: routing the
 * same completion twice changes nothing.
 */
export async function recordRouting(database: Database, record: RoutingRecord, now: number): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    for (const d of record.decisions) {
      await trx
        .insertInto('routing_decisions')
        .values({
          study_uid: record.studyUid,
          series_uid: record.seriesUid,
          generation: record.generation,
          rule_id: d.ruleId,
          rules_version: record.rulesVersion,
          matched: d.matched ? 1 : 0,
          outcome: d.outcome,
          actions: JSON.stringify(d.actions),
          lane: d.lane,
          explanation: JSON.stringify(d.explanation),
          decided_at: now,
        })
        .onConflict((oc) => oc.columns(['series_uid', 'generation', 'rule_id']).doNothing())
        .execute();
    }
    for (const job of record.jobs) await enqueue(trx, job, now);
  });
}

export interface StoredDecision extends DecisionRow {
  seriesUid: string;
  generation: number;
  rulesVersion: number;
  decidedAt: number;
}

export async function listRoutingDecisions(db: Kysely<DB>, studyUid: string): Promise<StoredDecision[]> {
  const rows = await db.selectFrom('routing_decisions').selectAll().where('study_uid', '=', studyUid).orderBy('id').execute();
  return rows.map((r) => ({
    seriesUid: r.series_uid,
    generation: r.generation,
    rulesVersion: r.rules_version,
    ruleId: r.rule_id,
    matched: r.matched === 1,
    outcome: r.outcome,
    actions: JSON.parse(r.actions) as unknown[],
    lane: r.lane,
    explanation: JSON.parse(r.explanation) as unknown,
    decidedAt: r.decided_at,
  }));
}
