import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { RadbridgeError } from '../../domain/errors.js';
import type { Finding } from '../../domain/finding.js';
import { FREE_FLUID } from '../../domain/trauma-codes.js';
import { PermanentJobError } from '../../jobs/job-engine.js';
import type { AnalysisInput, AnalysisOutput, AnalysisSeries, Analyzer, AnalyzerDescription } from '../analyzer.js';
import { readCineLoop, scoreFrames } from '../onnx/cine-frames.js';
import { thresholdFor } from '../onnx/decode-context.js';
import { loadManifest } from '../onnx/manifest-file.js';
import type { ModelExecutor } from '../onnx/model-executor.js';
import type { ClassificationOutput } from '../onnx/model-manifest.js';
import { OnnxSessionExecutor } from '../onnx/onnx-session-executor.js';
import { fastWindowSites } from './fast-windows.js';

/**
 * The FAST free-fluid slot: each ultrasound cine loop whose FAST window the classification labels
 * (right and left upper quadrant, pelvis, pericardial) goes frame by frame through the plug-in model
 * named by a model manifest (docs/adr/0012-onnx-models.md) with one classification output, label 0
 * "free fluid in this frame". Per window it reports one free-fluid finding at the window's site:
 * present when a frame's score reaches the label's threshold for the rollout mode, the highest frame
 * score as confidence, and the frames at or above the threshold (or the best frame when none) as the
 * images to show. The slot holds no model of its own: what it finds is what the site's model finds.
 * Load it with `{ url: <this module>, options: { manifest: '/path/fast-model.yaml' } }`.
 */

const optionsSchema = z.strictObject({ manifest: z.string().min(1, 'the manifest path must not be empty') });

const REFERENCE_NOTE = 'The slot is a reference method, not cleared for clinical use; the model it runs states its own intended use';

function classificationOf(outputs: ReadonlyArray<{ kind: string }>, file: string): ClassificationOutput {
  const [only, ...more] = outputs;
  if (!only || more.length > 0 || only.kind !== 'classification') throw new RadbridgeError('MODEL_MANIFEST_INVALID', `model manifest ${file}: the FAST slot takes one classification output (a free-fluid score per frame)`);
  return only as ClassificationOutput;
}

interface WindowSeries {
  series: AnalysisSeries;
  window: keyof typeof fastWindowSites;
}

function windowSeries(input: AnalysisInput): WindowSeries[] {
  return input.series.flatMap((series): WindowSeries[] => {
    const us = series.classification.ultrasound;
    if (series.modality !== 'US' || us?.kind.value !== 'cine') return [];
    const window = us.fastWindow.value;
    return fastWindowSites[window] ? [{ series, window }] : [];
  });
}

/** One loop's finding: present when a frame reaches the threshold; the frames that do (or the best one) are the images to show. */
function windowFinding(scores: readonly number[], threshold: number, window: WindowSeries['window'], seriesUid: string, sopInstanceUid: string, source: Finding['source']): Finding {
  const best = scores.reduce((b, s, n) => (s > (scores[b] ?? -Infinity) ? n : b), 0);
  const above = scores.flatMap((s, n) => (s >= threshold ? [n + 1] : []));
  const frames = above.length > 0 ? above : [best + 1];
  const site = fastWindowSites[window];
  return {
    type: FREE_FLUID,
    presence: above.length > 0 ? 'present' : 'absent',
    ...(site ? { site } : {}),
    measurements: [],
    confidence: scores[best] ?? 0,
    location: { images: frames.map((frame) => ({ seriesUid, sopInstanceUid, frame })) },
    source,
  };
}

export async function createAnalyzer(options: unknown): Promise<Analyzer> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new RadbridgeError('MODEL_MANIFEST_INVALID', `the FAST free-fluid slot takes { manifest: path }: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  const loaded = await loadManifest(parsed.data.manifest);
  const { manifest } = loaded;
  const output = classificationOf(manifest.outputs, loaded.file);
  const label = output.labels.find((l) => l.index === 0) ?? output.labels[0];
  if (!label || manifest.preprocessing.layout.kind !== 'slice' || !manifest.inputs.modalities.includes('US')) {
    throw new RadbridgeError('MODEL_MANIFEST_INVALID', `model manifest ${loaded.file}: the FAST slot needs inputs.modalities with US, preprocessing.layout slice and a label`);
  }
  const description: AnalyzerDescription = {
    id: manifest.id, version: manifest.version, name: manifest.name,
    intendedUse: `${manifest.intendedUse.replace(/\.$/, '')}. ${REFERENCE_NOTE}.`,
    ...(manifest.manufacturer ? { manufacturer: manifest.manufacturer } : {}),
    inputs: { modalities: ['US'] }, produces: [{ type: FREE_FLUID }], modelHash: loaded.modelHash,
  };
  let executor: Promise<ModelExecutor> | undefined;
  const executorOf = (): Promise<ModelExecutor> => {
    if (!loaded.modelBytes) return Promise.reject(new PermanentJobError(`${manifest.id}@${manifest.version} names no model file to run locally`));
    return (executor ??= OnnxSessionExecutor.create(loaded.modelBytes, `${manifest.id}@${manifest.version}`));
  };
  return {
    description,
    applicability(input) {
      const found = windowSeries(input);
      return found.length > 0
        ? { applicable: true, reasons: found.map((w) => `series ${w.series.seriesUid} is a FAST ${w.window} cine loop`) }
        : { applicable: false, reasons: ['no ultrasound cine loop labelled with a FAST window (RUQ, LUQ, pelvis, pericardial)'] };
    },
    async analyze(input: AnalysisInput, signal: AbortSignal): Promise<AnalysisOutput> {
      const found = windowSeries(input);
      if (found.length === 0) throw new PermanentJobError(`${manifest.id}@${manifest.version} does not apply: no FAST-window cine loop`);
      const run = await executorOf();
      const inputName = manifest.input?.name ?? (await run.defaultInputName(signal));
      const threshold = thresholdFor(label.threshold, input.mode);
      const source = { id: manifest.id, version: manifest.version, modelHash: loaded.modelHash, ...(manifest.manufacturer ? { manufacturer: manifest.manufacturer } : {}), inputHash: input.inputHash };
      const findings: Finding[] = [];
      for (const { series, window } of found) {
        for (const instance of series.instances) {
          const loop = await readCineLoop(await readFile(instance.file), instance.sopInstanceUid);
          const scores = await scoreFrames(loop, manifest, output, label.index, run, inputName, signal);
          findings.push(windowFinding(scores, threshold, window, series.seriesUid, instance.sopInstanceUid, source));
        }
      }
      return { findings };
    },
  };
}
