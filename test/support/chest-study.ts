import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AnalysisInput } from '../../src/analyze/analyzer.js';
import { classifyHeaders } from '../../src/classify/classify-headers.js';
import { instanceMetadata } from '../../src/dicomweb/instance-metadata.js';
import type { GroundTruth } from '../../src/synth/ground-truth.js';
import { synthStudy } from '../../src/synth/synth-study.js';
import type { CtKind } from '../../src/synth/ct-study.js';
import { writeStudy } from '../../src/synth/write-study.js';

/** The analysis input the hub would build for a synthetic study written under `dir` (header classification, z-range included). */
export function writtenStudyInput(truth: GroundTruth, dir: string, inputHash: string): AnalysisInput {
  const series = truth.series.map((s) => {
    const files = s.files.map((f) => path.join(dir, f));
    const headers = files.map((f) => instanceMetadata(readFileSync(f)));
    const uid = (h: (typeof headers)[number]): string => {
      const value = h['00080018']?.Value?.[0];
      return typeof value === 'string' ? value : '';
    };
    return { seriesUid: s.seriesInstanceUid, modality: 'CT', classification: classifyHeaders(headers), instances: files.map((file, i) => ({ sopInstanceUid: uid(headers[i] ?? {}), file })) };
  });
  return { studyUid: truth.studyInstanceUid, series, inputHash, mode: 'assistive' };
}

/** A synthetic trauma CT written to disk and the analysis input the hub would build for it. */
export function writeChestStudy(kind: CtKind, dir: string, o: { seed: number; normal: boolean; matrix: number; thicknessMm: number }): { input: AnalysisInput; truth: GroundTruth } {
  const study = synthStudy(kind, { seed: o.seed, matrix: o.matrix, normal: o.normal, sliceThicknessMm: o.thicknessMm });
  writeStudy(study, dir);
  return { input: writtenStudyInput(study.groundTruth, dir, `seed-${o.seed}`), truth: study.groundTruth };
}
