import type { Vec3 } from '../../imaging/slice-geometry.js';
import type { Volume } from '../../imaging/volume.js';
import { PermanentJobError } from '../../jobs/job-engine.js';
import { activate } from './activation.js';
import { DenseMapBuilder, type DenseMap } from './dense-map.js';
import type { FloatTensor, ModelExecutor } from './model-executor.js';
import type { BoxesOutput, ClassificationOutput, HeatmapOutput, ModelManifest, OutputSpec, SegmentationOutput } from './model-manifest.js';
import { batchInput, batchTiles, inputShape, planTiles, type Tile } from './tiling.js';

/**
 * The model pipeline between a volume on the model grid and raw outputs: cut into tiles, fed to the
 * executor call by call, each output gathered over the whole volume (scores aggregated, dense maps
 * assembled, boxes moved into volume coordinates). The executor is the only part that differs
 * between a local session and a remote server.
 */

export type RawOutput =
  | { kind: 'classification'; spec: ClassificationOutput; scores: number[]; best: Tile[] }
  | { kind: 'segmentation'; spec: SegmentationOutput; map: DenseMap }
  | { kind: 'heatmap'; spec: HeatmapOutput; map: DenseMap }
  | { kind: 'boxes'; spec: BoxesOutput; boxes: ModelBox[] };

/** A box in continuous voxel coordinates of the model grid. */
export interface ModelBox {
  from: Vec3;
  to: Vec3;
  score: number;
  label: number;
}

interface Collector {
  add(tiles: readonly Tile[], tensor: FloatTensor): void;
  finish(): RawOutput;
}

const refuse = (spec: OutputSpec, message: string): PermanentJobError => new PermanentJobError(`output ${spec.name}: ${message}`);

function classificationCollector(spec: ClassificationOutput): Collector {
  let scores: number[] = [];
  let best: Tile[] = [];
  let calls = 0;
  return {
    add(tiles, tensor) {
      const width = tensor.data.length / tiles.length;
      if (!Number.isInteger(width) || width < 1) throw refuse(spec, `${tensor.data.length} values for ${tiles.length} inputs`);
      const high = Math.max(...spec.labels.map((l) => l.index));
      if (high >= width) throw refuse(spec, `label index ${high} but the model gives ${width} scores`);
      const data = Float32Array.from(tensor.data);
      activate(data, width, 1, spec.activation);
      tiles.forEach((tile, n) => {
        calls++;
        for (let l = 0; l < width; l++) {
          const s = data[n * width + l] ?? 0;
          if (spec.aggregate === 'mean') scores[l] = (scores[l] ?? 0) + s;
          else if (scores[l] === undefined || s > (scores[l] ?? 0)) {
            scores[l] = s;
            best[l] = tile;
          }
        }
      });
    },
    finish() {
      if (spec.aggregate === 'mean') scores = scores.map((s) => s / Math.max(1, calls));
      if (spec.aggregate === 'mean') best = [];
      return { kind: 'classification', spec, scores, best };
    },
  };
}

function denseCollector(spec: SegmentationOutput | HeatmapOutput, dims: Volume['dims']): Collector {
  let builder: DenseMapBuilder | undefined;
  return {
    add(tiles, tensor) {
      const [sx, sy, sz] = tiles[0]?.size ?? [0, 0, 0];
      const tileVoxels = sx * sy * sz;
      const channels = tensor.data.length / (tiles.length * tileVoxels);
      if (!Number.isInteger(channels) || channels < 1) {
        throw refuse(spec, `shape [${tensor.dims.join(', ')}] is not [inputs, channels, ...] over ${tiles.length} input(s) of ${sx}x${sy}x${sz} voxels`);
      }
      builder ??= new DenseMapBuilder(dims, channels);
      if (builder.channels !== channels) throw refuse(spec, `${channels} channels after ${builder.channels}`);
      const data = Float32Array.from(tensor.data);
      activate(data, channels, tileVoxels, spec.activation);
      tiles.forEach((tile, n) => builder?.add(tile, data, n * channels * tileVoxels));
    },
    finish() {
      if (!builder) throw refuse(spec, 'the model was never run');
      const map = builder.build();
      const used = spec.kind === 'segmentation' ? spec.labels.map((l) => l.channel) : spec.landmarks.map((l) => l.channel);
      const high = Math.max(...used);
      if (high >= map.channels) throw refuse(spec, `channel ${high} named but the model gives ${map.channels}`);
      return spec.kind === 'segmentation' ? { kind: 'segmentation', spec, map } : { kind: 'heatmap', spec, map };
    },
  };
}

function boxCollector(spec: BoxesOutput, patches: boolean): Collector {
  const boxes: ModelBox[] = [];
  const width = patches ? 8 : 6;
  return {
    add(tiles, tensor) {
      const [tile] = tiles;
      if (!tile || tensor.data.length % width !== 0) throw refuse(spec, `shape [${tensor.dims.join(', ')}] is not rows of ${width} values`);
      const [ox, oy, oz] = tile.origin;
      for (let r = 0; r < tensor.data.length; r += width) {
        const v = (n: number) => tensor.data[r + n] ?? 0;
        const from: Vec3 = patches ? [ox + v(0), oy + v(1), oz + v(2)] : [ox + v(0), oy + v(1), oz];
        const to: Vec3 = patches ? [ox + v(3), oy + v(4), oz + v(5)] : [ox + v(2), oy + v(3), oz];
        boxes.push({ from, to, score: v(width - 2), label: Math.round(v(width - 1)) });
      }
    },
    finish: () => ({ kind: 'boxes', spec, boxes }),
  };
}

function collectorFor(spec: OutputSpec, volume: Volume, patches: boolean): Collector {
  switch (spec.kind) {
    case 'classification':
      return classificationCollector(spec);
    case 'segmentation':
    case 'heatmap':
      return denseCollector(spec, volume.dims);
    case 'boxes':
      return boxCollector(spec, patches);
  }
}

/** Runs the model over a volume already on its grid; `inputName` is the tensor fed. */
export async function runModel(volume: Volume, manifest: ModelManifest, executor: ModelExecutor, inputName: string, signal: AbortSignal): Promise<RawOutput[]> {
  const { layout } = manifest.preprocessing;
  const collectors = manifest.outputs.map((spec) => ({ spec, collector: collectorFor(spec, volume, layout.kind === 'patch') }));
  const names = manifest.outputs.map((o) => o.name);
  for (const tiles of batchTiles(planTiles(volume.dims, layout), layout)) {
    signal.throwIfAborted();
    const [first] = tiles;
    if (!first) continue;
    const input: FloatTensor = { dims: inputShape(layout, first, tiles.length), data: batchInput(volume, tiles, layout, manifest.preprocessing) };
    const result = await executor.run({ [inputName]: input }, names, signal);
    for (const { spec, collector } of collectors) {
      const tensor = result[spec.name];
      if (!tensor) throw refuse(spec, `${executor.where} gave no such output`);
      collector.add(tiles, tensor);
    }
  }
  return collectors.map(({ collector }) => collector.finish());
}
