import { RadbridgeError } from '../../domain/errors.js';
import { decodeInstance } from '../../imaging/decode-instance.js';
import type { Volume } from '../../imaging/volume.js';
import { PermanentJobError } from '../../jobs/job-engine.js';
import { activate } from './activation.js';
import type { ModelExecutor } from './model-executor.js';
import type { ClassificationOutput, ModelManifest } from './model-manifest.js';
import { batchInput, batchTiles, inputShape, planTiles } from './tiling.js';

/**
 * The adapter that lets the model pipeline, built for CT volumes, take an ultrasound cine loop: the
 * frames of one multi-frame grey-scale instance become the slices of a Volume whose values are the
 * stored grey levels (not HU) on a pixel grid (not patient space: ultrasound has no patient frame of
 * reference), so the manifest's window, normalisation and slice layout apply unchanged. The model
 * gives one classification score per frame. Colour and palette images are refused.
 */

export interface CineLoop {
  sopInstanceUid: string;
  volume: Volume;
}

/** mm per pixel from the first Sequence of Ultrasound Regions item in cm (units 3), else 1. */
function pixelSpacingMm(dataset: Record<string, { Value?: unknown[] } | undefined>): [number, number] {
  const region = dataset['00186011']?.Value?.[0] as Record<string, { Value?: unknown[] } | undefined> | undefined;
  const dx = Number(region?.['0018602C']?.Value?.[0]);
  const dy = Number(region?.['0018602E']?.Value?.[0]);
  const cm = Number(region?.['00186024']?.Value?.[0]) === 3;
  return cm && dx > 0 && dy > 0 ? [dx * 10, dy * 10] : [1, 1];
}

export async function readCineLoop(file: Uint8Array, sopInstanceUid: string): Promise<CineLoop> {
  let decoded: Awaited<ReturnType<typeof decodeInstance>>;
  try {
    decoded = await decodeInstance(file);
  } catch (err) {
    if (err instanceof RadbridgeError) throw new PermanentJobError(`cine loop ${sopInstanceUid} cannot be decoded: ${err.message}`);
    throw err;
  }
  const d = decoded.description;
  if (d.samplesPerPixel !== 1 || !/^MONOCHROME[12]$/.test(d.photometricInterpretation)) {
    throw new PermanentJobError(`cine loop ${sopInstanceUid} is ${d.photometricInterpretation} with ${d.samplesPerPixel} samples per pixel: the FAST model takes grey-scale frames only`);
  }
  const plane = d.rows * d.columns;
  const voxels = new Int16Array(plane * decoded.frames.length);
  decoded.frames.forEach((frame, f) => {
    for (let p = 0; p < plane; p++) voxels[f * plane + p] = Math.min(32767, Number(frame.samples[p] ?? 0));
  });
  const [sx, sy] = pixelSpacingMm(decoded.dataset);
  const affine = [sx, 0, 0, 0, 0, sy, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
  const inverse = [1 / sx, 0, 0, 0, 0, 1 / sy, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
  return {
    sopInstanceUid,
    volume: { dims: [d.columns, d.rows, decoded.frames.length], spacing: [sx, sy, 1], voxels, patientFromVoxel: affine, voxelFromPatient: inverse, photometricInterpretation: d.photometricInterpretation },
  };
}

/** The score of one label of a classification output for every frame, in frame order. */
export async function scoreFrames(loop: CineLoop, manifest: ModelManifest, output: ClassificationOutput, label: number, executor: ModelExecutor, inputName: string, signal: AbortSignal): Promise<number[]> {
  const { layout } = manifest.preprocessing;
  const scores: number[] = [];
  for (const tiles of batchTiles(planTiles(loop.volume.dims, layout), layout)) {
    signal.throwIfAborted();
    const [first] = tiles;
    if (!first) continue;
    const input = { dims: inputShape(layout, first, tiles.length), data: batchInput(loop.volume, tiles, layout, manifest.preprocessing) };
    const tensor = (await executor.run({ [inputName]: input }, [output.name], signal))[output.name];
    if (!tensor) throw new PermanentJobError(`output ${output.name}: ${executor.where} gave no such output`);
    const width = tensor.data.length / tiles.length;
    if (!Number.isInteger(width) || label >= width) throw new PermanentJobError(`output ${output.name}: ${tensor.data.length} values for ${tiles.length} frames, label index ${label}`);
    const data = Float32Array.from(tensor.data);
    activate(data, width, 1, output.activation);
    tiles.forEach((_t, n) => scores.push(data[n * width + label] ?? 0));
  }
  return scores;
}
