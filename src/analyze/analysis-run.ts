import type { Logger } from 'pino';
import { PermanentJobError, type JobHandler } from '../jobs/job-engine.js';
import { rolloutModeOf } from '../store/analyzer-modes.js';
import { recordAnalysisResult } from '../store/analysis-results.js';
import type { Database } from '../store/database.js';
import type { AnalysisOutput, Analyzer } from './analyzer.js';

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

export interface AnalysisDeps {
  database: Database;
  log: Logger;
  now: () => number;
  /** The site whose rollout modes gate this hub's results. */
  site: string;
  analyzers: ReadonlyMap<string, Analyzer>;
}

/** Resolves with the analyzer's answer, or rejects once `signal` aborts even if the analyzer ignores it. */
function untilAborted(work: Promise<AnalysisOutput>, signal: AbortSignal): Promise<AnalysisOutput> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Runs one analyzer on the series routing chose and stores its results with the rollout mode in
 * force when they came. Fail-safe: an analyzer that is missing, throws or runs past its time
 * leaves the study as it was (normal workflow, normal priority); the job engine retries what may
 * pass next time and dead-letters the rest, where the failure is listed with its reason.
 */
export function analysisRunHandler(deps: AnalysisDeps): JobHandler<'analysis.run'> {
  return async (payload, ctx) => {
    const analyzer = deps.analyzers.get(payload.analyzerId);
    if (!analyzer) throw new PermanentJobError(`analyzer ${payload.analyzerId} is not installed on this hub`);
    const timeoutMs = analyzer.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([ctx.signal, timeout]);
    const label = `${analyzer.id}@${analyzer.version}`;
    let output: AnalysisOutput;
    try {
      output = await untilAborted(analyzer.analyze({ studyUid: payload.studyUid, seriesUids: payload.seriesUids }, signal), signal);
    } catch (err) {
      if (timeout.aborted && !ctx.signal.aborted) throw new Error(`analyzer ${label} took longer than ${timeoutMs} ms`);
      if (err instanceof PermanentJobError) throw err;
      throw new Error(`analyzer ${label} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const mode = await rolloutModeOf(deps.database.db, analyzer.id, deps.site);
    const stored = await recordAnalysisResult(
      deps.database.db,
      { idempotencyKey: ctx.idempotencyKey, request: payload, analyzerVersion: analyzer.version, mode, findings: output.findings },
      deps.now(),
    );
    deps.log.info({ studyUid: payload.studyUid, analyzer: label, mode, findings: output.findings.length, stored }, 'analysis done');
  };
}
