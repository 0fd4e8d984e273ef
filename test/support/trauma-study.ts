import { writeFileSync } from 'node:fs';
import path from 'node:path';
import dcmjs from 'dcmjs';
import { synthStudy, type SynthKind } from '../../src/synth/synth-study.js';
import { writeStudy } from '../../src/synth/write-study.js';

const STUDY_KEYS = ['StudyInstanceUID', 'StudyDate', 'StudyTime', 'StudyID', 'AccessionNumber', 'StudyDescription', 'PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex'];

export interface WrittenSeries {
  seriesUid: string;
  description: string;
  files: string[];
}

/** Small synthetic studies; `into` makes them series of another synthetic study (same patient and study). */
export function writeSynth(
  kind: SynthKind,
  dir: string,
  options: { dataset?: Record<string, unknown>; seed?: number } = {},
): { studyUid: string; series: WrittenSeries[]; first: Record<string, unknown> } {
  const study = synthStudy(kind, { seed: options.seed ?? 11, matrix: 32, normal: true, sliceThicknessMm: 40, frames: 4 });
  const into = options.dataset;
  if (into) for (const o of study.objects) for (const key of STUDY_KEYS) o.dataset[key] = into[key];
  writeStudy(study, dir);
  const series = study.groundTruth.series.map((s) => ({ seriesUid: s.seriesInstanceUid, description: s.description, files: s.files.map((f) => path.join(dir, f)) }));
  const first = study.objects[0]?.dataset ?? {};
  return { studyUid: String(first.StudyInstanceUID), series, first };
}

/** One more instance of a synthetic study's first series (a copy of its first slice under a new SOP Instance UID): a late arrival. */
export function writeLateInstance(kind: SynthKind, file: string): string {
  const study = synthStudy(kind, { seed: 11, matrix: 32, normal: true, sliceThicknessMm: 40, frames: 4 });
  const first = study.objects[0];
  if (!first) throw new Error(`${kind} has no objects`);
  const uid = `${String(first.dataset.SOPInstanceUID)}.9`;
  const meta = first.dataset._meta as Record<string, unknown>;
  const dataset = { ...first.dataset, SOPInstanceUID: uid, InstanceNumber: '999', _meta: { ...meta, MediaStorageSOPInstanceUID: { Value: [uid], vr: 'UI' } } };
  writeFileSync(file, Buffer.from(dcmjs.data.datasetToBuffer(dataset) as ArrayBuffer));
  return file;
}
