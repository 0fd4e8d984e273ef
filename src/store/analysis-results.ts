import type { Kysely } from 'kysely';
import type { Applicability } from '../domain/analyzer-description.js';
import type { Finding } from '../domain/finding.js';
import type { RolloutMode } from '../domain/rollout-mode.js';
import type { JobPayloads } from './job-queue.js';
import type { DB } from './schema.js';

/** Analysis results, one per analysis.run job: what an analyzer found on which series, under which rollout mode. */

export interface NewAnalysisResult {
  /** The analysis.run job's key: a job run twice stores its result once. */
  idempotencyKey: string;
  request: JobPayloads['analysis.run'];
  analyzerVersion: string;
  mode: RolloutMode;
  applicability: Applicability;
  findings: Finding[];
  inputHash: string;
  modelHash: string | null;
}

export interface StoredAnalysisResult {
  /** The analysis.run job's key, which names the result for good. */
  key: string;
  studyUid: string;
  seriesUids: string[];
  generation: number;
  amendment: boolean;
  analyzerId: string;
  analyzerVersion: string;
  ruleId: string;
  lane: string;
  mode: RolloutMode;
  applicability: Applicability;
  findings: Finding[];
  inputHash: string | null;
  modelHash: string | null;
  createdAt: number;
}

/** Stores the result unless this job's result is stored already; true when this call stored it. */
export async function recordAnalysisResult(db: Kysely<DB>, result: NewAnalysisResult, now: number): Promise<boolean> {
  const r = result.request;
  const inserted = await db
    .insertInto('analysis_results')
    .values({
      idempotency_key: result.idempotencyKey,
      study_uid: r.studyUid,
      series_uids: JSON.stringify(r.seriesUids),
      generation: r.generation,
      amendment: r.amendment ? 1 : 0,
      analyzer_id: r.analyzerId,
      analyzer_version: result.analyzerVersion,
      rule_id: r.ruleId,
      lane: r.lane,
      mode: result.mode,
      findings: JSON.stringify(result.findings),
      applicable: result.applicability.applicable ? 1 : 0,
      reasons: JSON.stringify(result.applicability.reasons),
      input_hash: result.inputHash,
      model_hash: result.modelHash,
      created_at: now,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .executeTakeFirst();
  return (inserted.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

type ResultRow = Awaited<ReturnType<typeof selectResults>>[number];

function selectResults(db: Kysely<DB>, where: { studyUid: string } | { key: string }) {
  const q = db.selectFrom('analysis_results').selectAll();
  return ('key' in where ? q.where('idempotency_key', '=', where.key) : q.where('study_uid', '=', where.studyUid)).orderBy('id').execute();
}

export async function listAnalysisResults(db: Kysely<DB>, studyUid: string): Promise<StoredAnalysisResult[]> {
  return (await selectResults(db, { studyUid })).map(resultOf);
}

export async function findAnalysisResult(db: Kysely<DB>, key: string): Promise<StoredAnalysisResult | undefined> {
  const [row] = await selectResults(db, { key });
  return row ? resultOf(row) : undefined;
}

function resultOf(row: ResultRow): StoredAnalysisResult {
  return {
    key: row.idempotency_key,
    studyUid: row.study_uid,
    seriesUids: JSON.parse(row.series_uids) as string[],
    generation: row.generation,
    amendment: row.amendment === 1,
    analyzerId: row.analyzer_id,
    analyzerVersion: row.analyzer_version,
    ruleId: row.rule_id,
    lane: row.lane,
    mode: row.mode,
    applicability: { applicable: row.applicable === 1, reasons: JSON.parse(row.reasons) as string[] },
    findings: JSON.parse(row.findings) as Finding[],
    inputHash: row.input_hash,
    modelHash: row.model_hash,
    createdAt: row.created_at,
  };
}
