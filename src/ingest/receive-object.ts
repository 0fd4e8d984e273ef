import { RadbridgeError, asRadbridgeError } from '../domain/errors.js';
import { isStorageSopClass } from '../dicom/storage-sop-classes.js';
import { recordAudit } from '../store/audit-log.js';
import { findInstance, recordInstance } from '../store/instance-index.js';
import type { IngestDeps, Sender } from './ingest-deps.js';
import { ObjectIntake, type IntakeResult, type IntakeSource } from './object-intake.js';

export interface StoredObject {
  outcome: 'stored' | 'duplicate-identical' | 'replaced' | 'kept-both';
  sopClassUid: string;
  sopInstanceUid: string;
  studyUid: string;
  seriesUid: string;
}

export interface ReceiveExpectations {
  /** The study the request names (STOW-RS /studies/{uid}). */
  studyUid?: string | undefined;
}

/** Refuses new objects while free space is below the watermark. */
export async function ensureStorageSpace(deps: IngestDeps): Promise<void> {
  const free = await deps.objects.freeBytes(deps.now());
  if (free < deps.config.storage.minFreeBytes) {
    throw new RadbridgeError('STORAGE_FULL', `only ${free} bytes free, below the watermark of ${deps.config.storage.minFreeBytes}`);
  }
}

export function openIntake(deps: IngestDeps, source: IntakeSource): ObjectIntake {
  return new ObjectIntake(deps.objects, deps.config.limits, source);
}

function senderLabel(sender: Sender): string {
  return sender.aeTitle ?? sender.address;
}

function checkContent(result: IntakeResult, expect: ReceiveExpectations, deps: IngestDeps): Required<Omit<StoredObject, 'outcome'>> {
  const a = result.scan.attributes;
  const required = ['SOPClassUID', 'SOPInstanceUID', 'StudyInstanceUID', 'SeriesInstanceUID'] as const;
  const missing = required.filter((k) => !a[k]);
  if (missing.length > 0) throw new RadbridgeError('DICOM_MISSING_ATTRIBUTE', `data set lacks ${missing.join(', ')}`);
  const sopClassUid = a.SOPClassUID as string;
  const sopInstanceUid = a.SOPInstanceUID as string;
  if (sopInstanceUid !== result.meta.mediaStorageSopInstanceUid) {
    throw new RadbridgeError('SOP_INSTANCE_MISMATCH', `SOP Instance UID ${sopInstanceUid} differs from the announced ${result.meta.mediaStorageSopInstanceUid}`);
  }
  if (sopClassUid !== result.meta.mediaStorageSopClassUid) {
    throw new RadbridgeError('SOP_INSTANCE_MISMATCH', `SOP Class UID ${sopClassUid} differs from the announced ${result.meta.mediaStorageSopClassUid}`);
  }
  if (!isStorageSopClass(sopClassUid)) throw new RadbridgeError('SOP_CLASS_NOT_SUPPORTED', `${sopClassUid} is not a storage SOP class`);
  const studyUid = a.StudyInstanceUID as string;
  if (expect.studyUid !== undefined && expect.studyUid !== studyUid) {
    throw new RadbridgeError('STUDY_MISMATCH', `instance belongs to study ${studyUid}, not ${expect.studyUid}`);
  }
  checkPixelLimits(result, deps);
  return { sopClassUid, sopInstanceUid, studyUid, seriesUid: a.SeriesInstanceUID as string };
}

function checkPixelLimits(result: IntakeResult, deps: IngestDeps): void {
  const a = result.scan.attributes;
  const limits = deps.config.limits;
  const rows = Number(a.Rows ?? 0);
  const columns = Number(a.Columns ?? 0);
  const frames = Number(a.NumberOfFrames ?? 1);
  if (rows > limits.maxRows || columns > limits.maxColumns || frames > limits.maxFrames) {
    throw new RadbridgeError(
      'DICOM_LIMIT_EXCEEDED',
      `pixel dimensions ${rows}x${columns}x${frames} frames exceed the limits ${limits.maxRows}x${limits.maxColumns}x${limits.maxFrames}`,
    );
  }
  const pixel = result.scan.pixelData;
  if (pixel?.length !== undefined && rows > 0 && columns > 0) {
    const samples = Number(a.SamplesPerPixel ?? 1);
    const bits = Number(a.BitsAllocated ?? 16);
    const expected = Math.ceil((rows * columns * samples * frames * bits) / 8);
    if (pixel.length < expected) {
      throw new RadbridgeError(
        'DICOM_LENGTH_INCONSISTENT',
        `pixel data holds ${pixel.length} bytes but ${rows}x${columns}x${samples} samples x ${frames} frame(s) at ${bits} bits need ${expected}`,
      );
    }
  }
}

function quietPeriodFor(deps: IngestDeps, aeTitle: string | undefined): number {
  const c = deps.config.completion;
  return (aeTitle !== undefined ? c.quietPeriodMsByCallingAe[aeTitle] : undefined) ?? c.quietPeriodMs;
}

/**
 * Takes an intake whose stream has ended, checks the object and stores it durably under the
 * duplicate policy. Resolves only when the file and its index row are on stable storage; throws a
 * RadbridgeError (already audited, temp file removed) when the object is refused.
 */
export async function receiveObject(deps: IngestDeps, intake: ObjectIntake, sender: Sender, expect: ReceiveExpectations = {}): Promise<StoredObject> {
  const started = process.hrtime.bigint();
  let result: IntakeResult | undefined;
  try {
    result = await intake.result();
    const ids = checkContent(result, expect, deps);
    const stored = await storeChecked(deps, result, ids, sender);
    deps.metrics.received.inc({ via: sender.via, outcome: stored.outcome });
    deps.metrics.bytes.inc({ via: sender.via }, result.fileSize);
    deps.metrics.storeSeconds.observe({ via: sender.via }, Number(process.hrtime.bigint() - started) / 1e9);
    return stored;
  } catch (err) {
    const error = asRadbridgeError(err);
    if (result) await deps.objects.discard(result.tempPath);
    if (error.code !== 'DUPLICATE_CONFLICT') {
      const announced = intake.announcedIds();
      await auditRejection(deps, sender, error, {
        studyUid: result?.scan.attributes.StudyInstanceUID,
        sopInstanceUid: result?.scan.attributes.SOPInstanceUID ?? announced.sopInstanceUid,
      });
    }
    deps.metrics.rejected.inc({ via: sender.via, code: error.code });
    deps.log.warn({ code: error.code, sender: senderLabel(sender), via: sender.via, studyUid: result?.scan.attributes.StudyInstanceUID }, error.message);
    throw error;
  }
}

async function auditRejection(
  deps: IngestDeps,
  sender: Sender,
  error: RadbridgeError,
  ids: { studyUid: string | undefined; sopInstanceUid: string | undefined },
): Promise<void> {
  await recordAudit(
    deps.database,
    {
      type: 'object.rejected',
      outcome: 'serious-failure',
      actor: senderLabel(sender),
      source: sender.address,
      studyUid: ids.studyUid,
      sopInstanceUid: ids.sopInstanceUid,
      detail: { via: sender.via, code: error.code, reason: error.message },
    },
    deps.now(),
  );
}

async function storeChecked(
  deps: IngestDeps,
  result: IntakeResult,
  ids: Omit<StoredObject, 'outcome'>,
  sender: Sender,
): Promise<StoredObject> {
  const policy = deps.config.storage.duplicatePolicy;
  const existing = await findInstance(deps.database, ids.sopInstanceUid);
  const now = deps.now();
  const auditBase = { actor: senderLabel(sender), source: sender.address, studyUid: ids.studyUid, sopInstanceUid: ids.sopInstanceUid };
  if (existing && existing.contentHash === result.hash) {
    await deps.objects.discard(result.tempPath);
    await recordAudit(deps.database, { ...auditBase, type: 'instance.duplicate-identical', outcome: 'success', detail: { via: sender.via } }, now);
    return { ...ids, outcome: 'duplicate-identical' };
  }
  if (existing && policy === 'keep-first') {
    await deps.objects.discard(result.tempPath);
    await recordAudit(
      deps.database,
      { ...auditBase, type: 'instance.duplicate-rejected', outcome: 'minor-failure', detail: { via: sender.via, policy, storedHash: existing.contentHash, receivedHash: result.hash } },
      now,
    );
    throw new RadbridgeError('DUPLICATE_CONFLICT', `SOP Instance ${ids.sopInstanceUid} is already stored with different content; policy keep-first kept the stored one`);
  }
  const filePath = deps.objects.place(result.tempPath, result.hash);
  const a = result.scan.attributes;
  const pixel = result.scan.pixelData;
  const duplicate = existing && policy !== 'keep-first' ? { policy, previous: existing } : undefined;
  const outcome: StoredObject['outcome'] = duplicate ? (duplicate.policy === 'replace' ? 'replaced' : 'kept-both') : 'stored';
  await recordInstance(
    deps.database,
    {
      attributes: a,
      ...ids,
      transferSyntaxUid: result.meta.transferSyntaxUid,
      contentHash: result.hash,
      filePath,
      fileSize: result.fileSize,
      datasetOffset: result.datasetOffset,
      pixelDataTagOffset: pixel && !result.deflated ? result.datasetOffset + pixel.tagOffset : null,
      pixelDataOffset: pixel && !result.deflated ? result.datasetOffset + pixel.valueOffset : null,
      pixelDataLength: pixel?.length ?? null,
      senderAeTitle: sender.aeTitle ?? null,
      receivedVia: sender.via,
      receivedAt: now,
      completeAfter: now + quietPeriodFor(deps, sender.aeTitle),
    },
    duplicate,
    {
      ...auditBase,
      type: outcome === 'stored' ? 'instance.received' : outcome === 'replaced' ? 'instance.replaced' : 'instance.kept-both',
      outcome: 'success',
      detail: { via: sender.via, contentHash: result.hash, bytes: result.fileSize, ...(duplicate ? { previousHash: duplicate.previous.contentHash, policy } : {}) },
    },
  );
  return { ...ids, outcome };
}
