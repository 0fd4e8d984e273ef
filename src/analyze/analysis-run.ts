import type { Logger } from 'pino';
import { PermanentJobError, type JobHandler } from '../jobs/job-engine.js';
import { rolloutModeOf } from '../store/analyzer-modes.js';
import { runnableVersion, type AnalyzerVersion } from '../store/analyzer-registry.js';
import { recordAnalysisResult } from '../store/analysis-results.js';
import { enqueueJob } from '../store/job-queue.js';
import { lanePriority } from '../domain/lane.js';
import type { Database } from '../store/database.js';
import type { ObjectStore } from '../store/object-store.js';
import { analysisInputOf } from './analysis-input.js';
import { analyzeInWorker, type WorkerAnalysis } from './analyzer-thread.js';
import type { AnalysisInput } from './analyzer.js';
import { remoteInputOf } from './remote-input.js';
import type { Finding } from '../domain/finding.js';
import type { PixelCleaningRule } from '../deidentify/burned-in-annotation.js';

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

export interface AnalysisDeps {
  database: Database;
  objects: ObjectStore;
  log: Logger;
  now: () => number;
  /** The site whose approvals and rollout modes gate this hub's analyses. */
  site: string;
  /** Regions blanked in images that may carry burned-in text before a remote analyzer gets them. */
  pixelCleaning: readonly PixelCleaningRule[];
}

/** Runs the registered version in a worker thread under its time limit; failures name the analyzer. */
async function runVersion(version: AnalyzerVersion, input: AnalysisInput, jobSignal: AbortSignal): Promise<WorkerAnalysis> {
  const label = `${version.analyzerId}@${version.version}`;
  const timeoutMs = version.module.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    return await analyzeInWorker(version.module, input, AbortSignal.any([jobSignal, timeout]));
  } catch (err) {
    if (timeout.aborted && !jobSignal.aborted) throw new Error(`analyzer ${label} took longer than ${timeoutMs} ms`);
    const message = `analyzer ${label} failed: ${err instanceof Error ? err.message : String(err)}`;
    throw err instanceof PermanentJobError ? new PermanentJobError(message) : new Error(message, { cause: err });
  }
}

/** The code that ran must be the version that was approved: same version, same model file, same description. */
function checkIdentity(version: AnalyzerVersion, ran: WorkerAnalysis['description']): void {
  const label = `${version.analyzerId}@${version.version}`;
  if (ran.id !== version.analyzerId || ran.version !== version.version) {
    throw new PermanentJobError(`analyzer ${label} now describes itself as ${ran.id}@${ran.version}: register and approve that version`);
  }
  if ((ran.modelHash ?? null) !== version.modelHash) {
    throw new PermanentJobError(`the model of ${label} changed since it was approved (sha256 ${version.modelHash ?? 'none'}, now ${ran.modelHash ?? 'none'}): register it as a new version`);
  }
  if (JSON.stringify(ran) !== JSON.stringify(version.description)) {
    throw new PermanentJobError(`analyzer ${label} describes itself otherwise than when it was approved (its inputs, findings or remote use): register it as a new version`);
  }
}

/** Runs the version on the input, or on de-identified copies when it sends its input outside the hospital; findings name the original UIDs. */
async function analyze(deps: AnalysisDeps, version: AnalyzerVersion, input: AnalysisInput, signal: AbortSignal): Promise<{ ran: WorkerAnalysis; findings: Finding[] }> {
  if (!version.description.remote) {
    const ran = await runVersion(version, input, signal);
    checkIdentity(version, ran.description);
    return { ran, findings: ran.output?.findings ?? [] };
  }
  const remote = await remoteInputOf(deps, input, `${version.analyzerId}@${version.version}`);
  try {
    const ran = await runVersion(version, remote.input, signal);
    checkIdentity(version, ran.description);
    return { ran, findings: remote.reattach(ran.output?.findings ?? []) };
  } finally {
    await remote.remove();
  }
}

/**
 * Runs the approved version of an analyzer on the series routing chose and stores its findings
 * (or why the input did not apply) with the rollout mode in force, and, unless the mode is silent,
 * queues the result's objects for the PACS (results.publish). Fail-safe: an analyzer that is
 * not approved here, throws, runs out of memory or past its time leaves the study as it was (normal
 * workflow, normal priority); the engine retries what may pass next time and dead-letters the
 * rest, where the failure is listed with its reason.
 */
export function analysisRunHandler(deps: AnalysisDeps): JobHandler<'analysis.run'> {
  return async (payload, ctx) => {
    const found = await runnableVersion(deps.database.db, payload.analyzerId, deps.site);
    if ('why' in found) throw new PermanentJobError(found.why);
    const { version } = found;
    const mode = await rolloutModeOf(deps.database.db, version.analyzerId, deps.site);
    const input = await analysisInputOf(deps.database, deps.objects, payload.studyUid, payload.seriesUids, mode);
    const { ran, findings } = await analyze(deps, version, input, ctx.signal);
    const stored = await recordAnalysisResult(
      deps.database.db,
      {
        idempotencyKey: ctx.idempotencyKey,
        request: payload,
        analyzerVersion: version.version,
        mode,
        applicability: ran.applicability,
        findings,
        inputHash: input.inputHash,
        modelHash: version.modelHash,
      },
      deps.now(),
    );
    if (mode !== 'silent' && ran.applicability.applicable) {
      // Queued even when the result was stored by an earlier attempt: a crash between the two must not lose the publish.
      const publish = { studyUid: payload.studyUid, resultKey: ctx.idempotencyKey, revision: 1, lane: payload.lane };
      await enqueueJob(deps.database.db, 'results.publish', publish, `results.publish/${ctx.idempotencyKey}/1`, deps.now(), { priority: lanePriority(payload.lane) });
    }
    const analyzer = `${version.analyzerId}@${version.version}`;
    deps.log.info({ studyUid: payload.studyUid, analyzer, mode, applicable: ran.applicability.applicable, findings: findings.length, stored }, 'analysis done');
  };
}
