import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CtFindingTruth, GroundTruth } from '../../src/synth/ground-truth.js';
import { synthStudy, type SynthKind } from '../../src/synth/synth-study.js';
import { writeStudy } from '../../src/synth/write-study.js';
import { buildVolume, type Volume } from '../../src/imaging/volume.js';

/** A synthetic abdomen or pan-scan CT at 128 x 128, 5 mm slices, written to disk with its ground truth. */
export function writeAbdomen(kind: SynthKind, dir: string, seed: number, normal = false): { truth: GroundTruth; files: string[]; seriesUid: string } {
  const study = synthStudy(kind, { seed, matrix: 128, normal, sliceThicknessMm: 5 });
  writeStudy(study, dir);
  const series = study.groundTruth.series[0];
  if (!series) throw new Error(`${kind} has no series`);
  return { truth: study.groundTruth, files: series.files.map((f) => path.join(dir, f)), seriesUid: series.seriesInstanceUid };
}

export async function volumeOf(files: string[]): Promise<Volume> {
  async function* read() {
    for (const f of files) yield await readFile(f);
  }
  return (await buildVolume({ count: files.length, files: read() })).volume;
}

/** The free-fluid findings of the ground truth (haemoperitoneum and pelvic free fluid). */
export const fluidTruths = (truth: GroundTruth): CtFindingTruth[] => truth.findings.filter((f) => f.type === 'haemoperitoneum' || f.type === 'pelvic-free-fluid');
