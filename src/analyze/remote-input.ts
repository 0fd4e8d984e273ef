import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PixelCleaningRule } from '../deidentify/burned-in-annotation.js';
import { deidentifyForRemote } from '../deidentify/deidentify-for-remote.js';
import type { Finding, ImageReference } from '../domain/finding.js';
import { RadbridgeError } from '../domain/errors.js';
import { PermanentJobError } from '../jobs/job-engine.js';
import { recordAudit } from '../store/audit-log.js';
import type { Database } from '../store/database.js';
import type { AnalysisInput } from './analyzer.js';

/** What a remote analyzer is given instead of the stored files, and how its findings come back. */
export interface RemoteInput {
  input: AnalysisInput;
  /** Puts the original UIDs back into findings that name the de-identified ones. */
  reattach(findings: Finding[]): Finding[];
  remove(): Promise<void>;
}

export interface RemoteInputDeps {
  database: Database;
  pixelCleaning: readonly PixelCleaningRule[];
  now: () => number;
}

/**
 * De-identified copies of an analysis input for an analyzer that sends it outside the hospital
 * (PS3.15 basic profile, UIDs replaced consistently and kept here, burned-in text cleaned or the
 * input refused), in a temporary folder; audited as an export with the counts.
 */
export async function remoteInputOf(deps: RemoteInputDeps, input: AnalysisInput, analyzer: string): Promise<RemoteInput> {
  const reports = input.series.filter((s) => s.modality === 'SR');
  if (reports.length > 0) {
    throw new PermanentJobError(`not sent to ${analyzer}: series ${reports.map((s) => s.seriesUid).join(', ')} is a structured report, whose free text the basic profile does not clean`);
  }
  const instances = input.series.flatMap((s) => s.instances);
  const originals = await Promise.all(instances.map((i) => readFile(i.file)));
  let batch;
  try {
    batch = await deidentifyForRemote(originals, { database: deps.database, pixelCleaning: deps.pixelCleaning, now: deps.now() });
  } catch (err) {
    if (err instanceof RadbridgeError && err.code === 'DEIDENTIFICATION_REFUSED') throw new PermanentJobError(`not sent to ${analyzer}: ${err.message}`);
    throw err;
  }
  const replaced = (uid: string) => batch.mapping.get(uid) ?? uid;
  const back = new Map([...batch.mapping].map(([original, replacement]) => [replacement, original]));
  const original = (uid: string) => back.get(uid) ?? uid;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'radbridge-remote-'));
  let n = 0;
  const series = [];
  for (const s of input.series) {
    const copies = [];
    for (const i of s.instances) {
      const copy = batch.files[n];
      if (!copy) throw new Error(`de-identification returned ${batch.files.length} of ${instances.length} files`);
      const file = path.join(dir, `${n}.dcm`);
      await writeFile(file, copy.bytes);
      copies.push({ sopInstanceUid: replaced(i.sopInstanceUid), file });
      n++;
    }
    series.push({ ...s, seriesUid: replaced(s.seriesUid), instances: copies });
  }
  await recordAudit(
    deps.database,
    {
      type: 'instances.deidentified-for-remote',
      outcome: 'success',
      actor: analyzer,
      source: 'analysis',
      studyUid: input.studyUid,
      detail: { analyzer, instances: instances.length, pixelsCleaned: batch.files.filter((f) => f.pixelsCleaned).length },
    },
    deps.now(),
  );
  const image = (r: ImageReference): ImageReference => ({ ...r, seriesUid: original(r.seriesUid), ...(r.sopInstanceUid ? { sopInstanceUid: original(r.sopInstanceUid) } : {}) });
  return {
    input: { ...input, studyUid: replaced(input.studyUid), series },
    reattach: (findings) =>
      findings.map((f) => ({
        ...f,
        ...(f.location ? { location: { ...f.location, images: f.location.images.map(image) } } : {}),
        ...(f.mask ? { mask: { ...f.mask, seriesUid: original(f.mask.seriesUid) } } : {}),
      })),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
