import { z } from 'zod';
import { RadbridgeError } from '../../domain/errors.js';
import type { Finding } from '../../domain/finding.js';
import { bodyMidlineX } from '../../imaging/body-midline.js';
import { voxelToPatient } from '../../imaging/volume.js';
import { PermanentJobError } from '../../jobs/job-engine.js';
import type { AnalysisInput, AnalysisOutput, AnalysisSeries, Analyzer, AnalyzerDescription } from '../analyzer.js';
import { declaredApplicability } from '../applicability.js';
import { decodeBoxes } from './box-decoder.js';
import { decodeClassification } from './classification-decoder.js';
import type { DecodeContext } from './decode-context.js';
import { runModel, type RawOutput } from './inference-pipeline.js';
import { KServeV2Executor } from './kserve-v2-executor.js';
import { decodeHeatmap } from './landmark-decoder.js';
import { loadManifest, type LoadedManifest } from './manifest-file.js';
import type { ModelExecutor } from './model-executor.js';
import type { ModelManifest } from './model-manifest.js';
import { OnnxSessionExecutor } from './onnx-session-executor.js';
import { modelGridVolume } from './preprocessing.js';
import { decodeSegmentation, VOLUME } from './segmentation-decoder.js';
import { seriesVolume } from '../series-volume.js';

/**
 * An analyzer module for a model described by a manifest (docs/adr/0012-onnx-models.md): load it
 * with `{ url: <this module>, options: { manifest: '/path/model.yaml' } }`. The model runs in process
 * with ONNX Runtime, or on the KServe v2 server named in the manifest's `remote`; everything else is
 * the same pipeline.
 */

export interface OnnxAnalyzerOptions {
  /** Path of the manifest (YAML or JSON). */
  manifest: string;
}

const optionsSchema = z.strictObject({ manifest: z.string().min(1, 'the manifest path must not be empty') });

function describe(loaded: LoadedManifest): AnalyzerDescription {
  const m = loaded.manifest;
  const produces = m.outputs.flatMap((o): AnalyzerDescription['produces'] => {
    switch (o.kind) {
      case 'classification':
      case 'boxes':
        return o.labels.map((l) => ({ type: l.type }));
      case 'segmentation':
        return o.labels.map((l) => ({ type: l.type, measurements: [VOLUME] }));
      case 'heatmap':
        return [{ type: o.type }];
    }
  });
  return {
    id: m.id, version: m.version, name: m.name, intendedUse: m.intendedUse,
    ...(m.manufacturer ? { manufacturer: m.manufacturer } : {}),
    inputs: m.inputs, produces, modelHash: loaded.modelHash,
    ...(m.remote ? { remote: true } : {}),
  };
}



function decode(raw: RawOutput, context: DecodeContext): Finding[] {
  switch (raw.kind) {
    case 'classification':
      return decodeClassification(raw.spec, raw.scores, raw.best, context);
    case 'segmentation':
      return decodeSegmentation(raw.spec, raw.map, context);
    case 'heatmap':
      return decodeHeatmap(raw.spec, raw.map, context);
    case 'boxes':
      return decodeBoxes(raw.spec, raw.boxes, context);
  }
}

interface SeriesFindings {
  /** Study-level presence findings, merged across series. */
  classifications: Finding[];
  localized: Finding[];
}

/** One series through the pipeline: volume, model grid, model, decoded findings. */
async function analyzeSeries(manifest: ModelManifest, executor: ModelExecutor, series: AnalysisSeries, input: AnalysisInput, source: DecodeContext['source'], signal: AbortSignal): Promise<SeriesFindings> {
  const built = await seriesVolume(series);
  signal.throwIfAborted();
  const volume = built.volume;
  const modelVolume = modelGridVolume(volume, manifest.preprocessing);
  const inputName = manifest.input?.name ?? (await executor.defaultInputName(signal));
  const raw = await runModel(modelVolume, manifest, executor, inputName, signal);
  const centre = voxelToPatient(volume, [(volume.dims[0] - 1) / 2, (volume.dims[1] - 1) / 2, (volume.dims[2] - 1) / 2]);
  const context: DecodeContext = {
    seriesUid: series.seriesUid,
    seriesVolume: volume,
    modelVolume,
    sliceInstances: built.geometry.order.map((n) => series.instances[n]?.sopInstanceUid ?? ''),
    midlineX: bodyMidlineX(volume) ?? centre[0],
    mode: input.mode,
    source,
  };
  return {
    classifications: raw.filter((r) => r.kind === 'classification').flatMap((r) => decode(r, context)),
    localized: raw.filter((r) => r.kind !== 'classification').flatMap((r) => decode(r, context)),
  };
}

/** Across series, a study-level classification keeps the series that scored highest per type and site. */
function mergeSeries(perSeries: readonly SeriesFindings[]): Finding[] {
  const kept = new Map<string, Finding>();
  for (const finding of perSeries.flatMap((s) => s.classifications)) {
    const key = `${finding.type.scheme}|${finding.type.value}|${finding.site?.scheme ?? ''}|${finding.site?.value ?? ''}`;
    const before = kept.get(key);
    if (!before || (finding.confidence ?? 0) > (before.confidence ?? 0)) kept.set(key, finding);
  }
  return [...kept.values(), ...perSeries.flatMap((s) => s.localized)];
}

export async function createAnalyzer(options: unknown): Promise<Analyzer> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new RadbridgeError('MODEL_MANIFEST_INVALID', `the ONNX analyzer takes { manifest: path }: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  const loaded = await loadManifest(parsed.data.manifest);
  const { manifest } = loaded;
  const description = describe(loaded);
  const label = `${manifest.id}@${manifest.version}`;
  let executor: Promise<ModelExecutor> | undefined;
  const executorOf = (): Promise<ModelExecutor> => {
    if (manifest.remote) return (executor ??= Promise.resolve(new KServeV2Executor(manifest.remote)));
    const bytes = loaded.modelBytes;
    if (!bytes) return Promise.reject(new PermanentJobError(`${label} names no model file to run locally`));
    executor ??= OnnxSessionExecutor.create(bytes, `${label} (${loaded.modelFile ?? ''})`);
    return executor;
  };
  return {
    description,
    async analyze(input: AnalysisInput, signal: AbortSignal): Promise<AnalysisOutput> {
      const applicable = declaredApplicability(manifest.inputs, input);
      if (!applicable.applicable) throw new PermanentJobError(`${label} does not apply: ${applicable.reasons.join('; ')}`);
      const run = await executorOf();
      const source = { id: manifest.id, version: manifest.version, modelHash: loaded.modelHash, ...(manifest.manufacturer ? { manufacturer: manifest.manufacturer } : {}), inputHash: input.inputHash };
      const perSeries: SeriesFindings[] = [];
      for (const series of applicable.series) perSeries.push(await analyzeSeries(manifest, run, series, input, source, signal));
      return { findings: mergeSeries(perSeries) };
    },
  };
}
