/**
 * Inference runtime bench (docs/benchmarks.md, "Inference"): the per-call overhead of the runtime
 * for a trivial model, in process (ONNX Runtime) and through a KServe v2 server on loopback, what
 * each analysis pays for its worker thread and module, and
 * slices/s of a small 2D classifier over a 500-slice 512x512 CT volume held in memory, on CPU.
 *
 *   npm run bench:inference
 *   BENCH_CALLS=5000 BENCH_SLICES=200 BENCH_REMOTE_SLICES=20 BENCH_ROUNDS=5 BENCH_THREADS=50 npm run bench:inference
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeAnalyzer } from '../src/analyze/analyzer-thread.js';
import { runModel } from '../src/analyze/onnx/inference-pipeline.js';
import { KServeV2Executor } from '../src/analyze/onnx/kserve-v2-executor.js';
import { validateManifest } from '../src/analyze/onnx/manifest-file.js';
import type { ModelExecutor } from '../src/analyze/onnx/model-executor.js';
import { OnnxSessionExecutor } from '../src/analyze/onnx/onnx-session-executor.js';
import type { Volume } from '../src/imaging/volume.js';
import { invertAffine } from '../src/imaging/voxel-affine.js';
import { startKServeV2Peer } from '../test/support/kserve-v2-peer.js';
import { meanSigmoidClassifier, trivialModel } from '../test/support/onnx-models.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const SLICES = Number(process.env.BENCH_SLICES ?? 500);
const REMOTE_SLICES = Number(process.env.BENCH_REMOTE_SLICES ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const THREADS = Number(process.env.BENCH_THREADS ?? 20);
const signal = new AbortController().signal;

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

async function perCall(executor: ModelExecutor, calls: number): Promise<{ p50: number; p95: number; calls: number }> {
  const input = { x: { dims: [1], data: Float32Array.from([1]) } };
  for (let n = 0; n < Math.min(100, calls); n++) await executor.run(input, ['y'], signal);
  const times: number[] = [];
  for (let n = 0; n < calls; n++) {
    const start = process.hrtime.bigint();
    const out = await executor.run(input, ['y'], signal);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (out.y?.data[0] !== 1) throw new Error(`the trivial model gave ${out.y?.data[0]}`);
  }
  times.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p95: quantile(times, 0.95), calls };
}

const benchManifest = (batch: number) => ({
  id: 'bench-classifier', version: '1', name: 'bench', intendedUse: 'benchmark', model: 'model.onnx', inputs: { modalities: ['CT'] },
  preprocessing: { window: { center: 40, width: 400 }, normalise: { kind: 'unit' }, layout: { kind: 'slice', batch } },
  outputs: [{ kind: 'classification', name: 'score', activation: 'none', labels: [{ index: 0, type: { scheme: 'SCT', value: '125605004', meaning: 'Fracture of bone' }, threshold: 0.5 }] }],
});

/**
 * What every analysis pays before any model work: a worker thread of its own, the analyzer module
 * loaded in it (here from the TypeScript sources, as `npm run` does), the manifest read and the
 * model file hashed; measured as the hub's describe task on the classifier's manifest.
 */
async function threadOverhead(runs: number): Promise<{ p50: number; p95: number; calls: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'radbridge-bench-thread-'));
  try {
    writeFileSync(path.join(dir, 'model.onnx'), meanSigmoidClassifier());
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(benchManifest(1)));
    const module = { url: new URL('../src/analyze/onnx/onnx-analyzer.ts', import.meta.url).href, options: { manifest: path.join(dir, 'manifest.json') } };
    await describeAnalyzer(module, signal);
    const times: number[] = [];
    for (let n = 0; n < runs; n++) {
      const start = process.hrtime.bigint();
      const description = await describeAnalyzer(module, signal);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (description.id !== 'bench-classifier') throw new Error(`the worker described ${description.id}`);
    }
    times.sort((a, b) => a - b);
    return { p50: quantile(times, 0.5), p95: quantile(times, 0.95), calls: runs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A 512x512 CT of `slices` slices, 0.7 x 0.7 x 1 mm, HU varying by slice and pixel. */
function syntheticCt(slices: number): Volume {
  const [nx, ny] = [512, 512];
  const voxels = new Int16Array(nx * ny * slices);
  for (let k = 0; k < slices; k++) for (let p = 0; p < nx * ny; p++) voxels[k * nx * ny + p] = ((p * 7 + k * 13) % 2000) - 1000;
  const patientFromVoxel = [0.7, 0, 0, -179, 0, 0.7, 0, -179, 0, 0, 1, 0, 0, 0, 0, 1];
  return { dims: [nx, ny, slices], spacing: [0.7, 0.7, 1], voxels, patientFromVoxel, voxelFromPatient: invertAffine(patientFromVoxel), photometricInterpretation: 'MONOCHROME2' };
}

/** The median of `ROUNDS` runs of `measure`. */
async function median(measure: () => Promise<number>): Promise<number> {
  const values: number[] = [];
  for (let n = 0; n < ROUNDS; n++) values.push(await measure());
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)] ?? Number.NaN;
}

async function slicesPerSecond(executor: ModelExecutor, volume: Volume, batch: number): Promise<number> {
  const manifest = validateManifest(benchManifest(batch), 'bench manifest');
  const start = process.hrtime.bigint();
  const [scores] = await runModel(volume, manifest, executor, 'x', signal);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (scores?.kind !== 'classification' || !(scores.scores[0]! > 0)) throw new Error('the classifier gave no score');
  return volume.dims[2] / seconds;
}

async function main(): Promise<void> {
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`);
  const peer = await startKServeV2Peer({ trivial: trivialModel(), classifier: meanSigmoidClassifier() });
  try {
    const local = await OnnxSessionExecutor.create(trivialModel(), 'trivial');
    const remote = new KServeV2Executor({ url: peer.url, model: 'trivial' });
    const rows: string[][] = [['measure', 'runtime', 'p50 ms', 'p95 ms', 'calls']];
    for (const [name, executor, calls] of [[local.where, local, CALLS], ['KServe v2 JSON, loopback', remote, Math.ceil(CALLS / 4)]] as const) {
      const r = await perCall(executor, calls);
      rows.push(['per-call overhead, trivial model', name, r.p50.toFixed(3), r.p95.toFixed(3), String(r.calls)]);
    }
    await local.close();
    const thread = await threadOverhead(THREADS);
    rows.push(['per-analysis overhead: thread + module', 'analyzer worker thread', thread.p50.toFixed(3), thread.p95.toFixed(3), String(thread.calls)]);
    const volume = syntheticCt(SLICES);
    const classifier = await OnnxSessionExecutor.create(meanSigmoidClassifier(), 'classifier');
    const throughput: string[][] = [['measure', 'runtime', 'batch', 'slices', `slices/s (median of ${ROUNDS})`]];
    for (const batch of [1, 8]) {
      throughput.push([`2D classifier, ${volume.dims[0]}x${volume.dims[1]}`, classifier.where, String(batch), String(SLICES), (await median(() => slicesPerSecond(classifier, volume, batch))).toFixed(1)]);
    }
    const remoteVolume = syntheticCt(REMOTE_SLICES);
    const remoteClassifier = new KServeV2Executor({ url: peer.url, model: 'classifier' });
    throughput.push([`2D classifier, ${volume.dims[0]}x${volume.dims[1]}`, 'KServe v2 JSON, loopback', '1', String(REMOTE_SLICES), (await median(() => slicesPerSecond(remoteClassifier, remoteVolume, 1))).toFixed(1)]);
    await classifier.close();
    for (const table of [rows, throughput]) {
      const widths = table[0]!.map((_c, n) => Math.max(...table.map((r) => r[n]?.length ?? 0)));
      console.log('');
      for (const r of table) console.log(r.map((c, n) => c.padEnd(widths[n] ?? 0)).join('  '));
    }
  } finally {
    await peer.close();
  }
}

await main();
