import type { Config } from '../config/schema.js';
import { evaluateCriticality, type Criticality } from '../domain/criticality.js';
import { summarizeInjuries } from '../domain/injury-summary.js';
import { lanePriority } from '../domain/lane.js';
import { PermanentJobError, type JobHandler } from '../jobs/job-engine.js';
import { findAnalysisResult, type StoredAnalysisResult } from '../store/analysis-results.js';
import { UNTIL_ACKNOWLEDGED } from '../store/alerts.js';
import { enqueueJob } from '../store/job-queue.js';
import { queueMessages } from '../store/message-outbox.js';
import { queueOutbox } from '../store/outbox.js';
import type { TriageTables } from '../triage/triage-files.js';
import { recordResultObjects, type ResultObject } from '../store/result-objects.js';
import { binarySegmentation, segmentReferences } from './seg/binary-segmentation.js';
import { keyObjectSelection } from './kos/key-object-selection.js';
import { keySlicePixels } from './key-slice-pixels.js';
import { part10Bytes } from './part10-bytes.js';
import type { PublishDeps } from './publish-deps.js';
import type { ResultDocument } from './result-document.js';
import { resultDocumentOf } from './result-document-of.js';
import { resultMessages } from './result-messages.js';
import { summaryImage, summaryImageSource } from './sc/summary-image.js';
import { measurementReport } from './sr/measurement-report.js';

export type ResultsPublishDeps = PublishDeps & { config: Pick<Config, 'destinations' | 'dicom' | 'results' | 'hl7' | 'fhir'>; triage: Pick<TriageTables, 'criticality'> };

type Written = { kind: string; dataset: Record<string, unknown> };

/** The objects `results.objects` asks for that the result has: an SR always, a SEG when a finding has a mask, a KOS and a summary when one has a key image. */
async function writtenObjects(deps: ResultsPublishDeps, doc: ResultDocument, studyUid: string): Promise<Written[]> {
  const which = deps.config.results.objects;
  const out: Written[] = [];
  const seg = which.seg ? binarySegmentation(doc) : undefined;
  if (which.sr) out.push({ kind: 'sr', dataset: measurementReport(doc, seg ? segmentReferences(doc) : new Map()) });
  if (seg) out.push({ kind: 'seg', dataset: seg });
  const kos = which.kos ? keyObjectSelection(doc) : undefined;
  if (kos) out.push({ kind: 'kos', dataset: kos });
  const shown = which.summaryImage ? summaryImageSource(doc) : undefined;
  const summary = shown ? summaryImage(doc, await keySlicePixels(deps.database, deps.objects, studyUid, shown)) : undefined;
  if (summary) out.push({ kind: 'summary-image', dataset: summary });
  return out;
}

/** The study's criticality by this result, when the result is an active analyzer's and makes the study urgent or critical (ADR 0019). */
function raisedBy(deps: ResultsPublishDeps, result: StoredAnalysisResult): (Criticality & { level: 'urgent' | 'critical' }) | undefined {
  if (result.mode !== 'active') return undefined;
  const criticality = evaluateCriticality(summarizeInjuries([result]), deps.triage.criticality);
  return criticality.level === 'routine' ? undefined : { ...criticality, level: criticality.level };
}

const uidOf = (dataset: Record<string, unknown>, keyword: string): string => {
  const value = dataset[keyword];
  return typeof value === 'string' ? value : '';
};

/**
 * Runs a 'results.publish' job: writes the objects of one stored analysis result (SR TID 1500, SEG,
 * KOS, summary image; docs/adr/0020-result-objects.md) into the object store, records them, and
 * queues each for every `results.destinations` entry through the outbox (ADR 21). UIDs derive from
 * the result's key, so a job run again writes the same objects and queues nothing new. Beside
 * them it queues the result's messages (ORU^R01, FHIR DiagnosticReport, the worklist priority
 * update; result-messages.ts) and, when an active analyzer's result makes the study urgent or
 * critical, the study's alert (docs/adr/0023-alerts-fhir-webhooks.md). A result that cannot be
 * written (a mask that does not fit its images, a source no longer stored) is a permanent failure
 * with the reason: the study stays in the normal workflow.
 */
export function resultsPublishHandler(deps: ResultsPublishDeps): JobHandler<'results.publish'> {
  return async (payload, ctx) => {
    const result = await findAnalysisResult(deps.database.db, payload.resultKey);
    if (!result) throw new PermanentJobError(`analysis result ${payload.resultKey} does not exist`);
    const doc = await resultDocumentOf(deps.database, deps.objects, result, payload.revision);
    let written: Written[];
    try {
      written = await writtenObjects(deps, doc, result.studyUid);
    } catch (err) {
      throw new PermanentJobError(`the result objects of ${result.analyzerId}@${result.analyzerVersion} on study ${result.studyUid} cannot be written: ${(err as Error).message}`, { cause: err });
    }
    ctx.signal.throwIfAborted();
    const objects: Array<Omit<ResultObject, 'createdAt'>> = [];
    for (const w of written) {
      objects.push({
        sopInstanceUid: uidOf(w.dataset, 'SOPInstanceUID'),
        resultKey: result.key,
        revision: payload.revision,
        studyUid: result.studyUid,
        seriesUid: uidOf(w.dataset, 'SeriesInstanceUID'),
        objectKind: w.kind,
        sopClassUid: uidOf(w.dataset, 'SOPClassUID'),
        filePath: await deps.objects.putBytes(part10Bytes(w.dataset)),
      });
    }
    const now = deps.now();
    await recordResultObjects(deps.database, objects, now);
    const queued = deps.config.results.destinations.flatMap((destination) => objects.map((o) => ({ ...o, destination })));
    await queueOutbox(deps.database, queued, now, { maxAttempts: deps.config.results.maxAttempts, priority: lanePriority(payload.lane) });
    const raised = raisedBy(deps, result);
    const messages = resultMessages(deps.config, doc, result.studyUid, raised, now);
    for (const [channel, maxAttempts] of [['hl7', deps.config.hl7.maxAttempts], ['fhir', deps.config.fhir.maxAttempts]] as const) {
      await queueMessages(deps.database, messages.filter((m) => m.channel === channel), now, { maxAttempts, priority: lanePriority(payload.lane) });
    }
    if (raised) {
      const reasons = raised.reasons.map((r) => r.reason);
      await enqueueJob(deps.database.db, 'alert.raise', { studyUid: result.studyUid, level: raised.level, reasons }, `alert.raise/${result.studyUid}/${raised.level}`, now, { maxAttempts: UNTIL_ACKNOWLEDGED, priority: lanePriority('urgent') });
    }
    deps.log.info({ studyUid: result.studyUid, jobId: ctx.jobId, analyzer: `${result.analyzerId}@${result.analyzerVersion}`, objects: objects.map((o) => o.objectKind), queued: queued.length, messages: messages.length, alert: raised?.level }, 'result objects written');
  };
}
