import path from 'node:path';
import type { AnalysisInput } from '../../src/analyze/analyzer.js';
import type { CtFindingTruth } from '../../src/synth/ground-truth.js';
import { synthStudy, type SynthKind } from '../../src/synth/synth-study.js';
import { writeStudy } from '../../src/synth/write-study.js';
import { analysisInputOf } from './analysis-input.js';

export interface WrittenCtSeries {
  input: AnalysisInput;
  /** The series' files in slice order, with their SOP Instance UIDs. */
  instances: Array<{ sopInstanceUid: string; file: string }>;
  findings: CtFindingTruth[];
}

/** A synthetic CT study written under `dir` at a given matrix (with `extra` attributes in every object), and the analysis input of its series `seriesNumber`. */
export function writeCtStudy(kind: SynthKind, dir: string, o: { seed: number; normal: boolean; matrix: number; seriesNumber?: number; extra?: Record<string, unknown> }): WrittenCtSeries {
  const study = synthStudy(kind, { seed: o.seed, matrix: o.matrix, normal: o.normal });
  for (const object of study.objects) Object.assign(object.dataset, o.extra);
  writeStudy(study, dir);
  const series = study.groundTruth.series.find((s) => s.seriesNumber === (o.seriesNumber ?? 1));
  if (!series) throw new Error(`${kind} has no series ${o.seriesNumber ?? 1}`);
  const uidOf = new Map(study.objects.map((obj) => [obj.file, String(obj.dataset.SOPInstanceUID)]));
  const instances = series.files.map((f) => ({ sopInstanceUid: uidOf.get(f) ?? '', file: path.join(dir, f) }));
  const input = analysisInputOf(study.groundTruth.studyInstanceUid, [
    { seriesUid: series.seriesInstanceUid, modality: 'CT', files: instances.map((i) => i.file), sopInstanceUids: instances.map((i) => i.sopInstanceUid) },
  ]);
  return { input, instances, findings: study.groundTruth.findings };
}
