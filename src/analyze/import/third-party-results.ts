import { readFile } from 'node:fs/promises';
import dcmjs from 'dcmjs';
import { RadbridgeError } from '../../domain/errors.js';
import type { JsonDict } from '../../imaging/pixel-description.js';
import { PermanentJobError } from '../../jobs/job-engine.js';
import type { AnalysisInput, AnalysisOutput, Analyzer, AnalysisSeries, Applicability } from '../analyzer.js';
import { imagePlanesOf, type ImagePlanes } from './image-planes.js';
import type { ReadResult } from './read-context.js';
import { READ_SOP_CLASSES, readResultObject } from './result-object-reader.js';

/**
 * An analyzer that runs no model: it reads the results a third-party AI product sent as DICOM
 * (SR, SEG, GSPS) into findings, so they feed the same worklist as the hub's own analyzers.
 */

export interface ThirdPartyResultsOptions {
  /** Default 'third-party-results'. */
  id?: string;
}

export const RESULT_MODALITIES = ['SR', 'SEG', 'PR'];
const VERSION = '1.0.0';

/** The header of an image, up to its pixel data, for its plane. */
async function imageHeader(file: string): Promise<JsonDict> {
  const bytes = await readFile(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return dcmjs.data.DicomMessage.readFile(buffer, { untilTag: '7FE00010', ignoreErrors: true }).dict;
}

/** Planes of the image series given beside the results, so image coordinates become patient points. */
export async function planesOfImageSeries(series: AnalysisSeries[], signal: AbortSignal): Promise<ImagePlanes> {
  const headers: JsonDict[] = [];
  for (const s of series.filter((x) => !RESULT_MODALITIES.includes(x.modality.toUpperCase()))) {
    for (const instance of s.instances) {
      signal.throwIfAborted();
      headers.push(await imageHeader(instance.file));
    }
  }
  return imagePlanesOf(headers);
}

export function resultApplicability(input: AnalysisInput): Applicability {
  const results = input.series.filter((s) => RESULT_MODALITIES.includes(s.modality.toUpperCase()));
  if (results.length === 0) {
    return {
      applicable: false,
      reasons: input.series.map((s) => `series ${s.seriesUid} is ${s.modality}: it holds images, not results; only SR, SEG and PR series carry a third party's findings`),
    };
  }
  return { applicable: true, reasons: results.map((s) => `series ${s.seriesUid} is ${s.modality}, a result another product sent`) };
}

/** Reads every instance of the result series; a malformed object is a permanent failure naming the instance. */
export async function readResultSeries(input: AnalysisInput, importer: { id: string; version: string }, signal: AbortSignal, planes?: ImagePlanes): Promise<ReadResult> {
  const known = planes ?? (await planesOfImageSeries(input.series, signal));
  const context = { inputHash: input.inputHash, importer, planes: known };
  const all: ReadResult = { findings: [], notes: [] };
  for (const series of input.series.filter((s) => RESULT_MODALITIES.includes(s.modality.toUpperCase()))) {
    for (const instance of series.instances) {
      signal.throwIfAborted();
      const bytes = await readFile(instance.file);
      try {
        const result = await readResultObject(bytes, context);
        all.findings.push(...result.findings);
        all.notes.push(...result.notes.map((n) => `${instance.sopInstanceUid}: ${n}`));
      } catch (err) {
        if (err instanceof RadbridgeError) throw new PermanentJobError(`result ${instance.sopInstanceUid} of series ${series.seriesUid} cannot be read: ${err.message}`, { cause: err });
        throw err;
      }
    }
  }
  return all;
}

export function createAnalyzer(options: ThirdPartyResultsOptions = {}): Analyzer {
  const id = options.id ?? 'third-party-results';
  const importer = { id, version: VERSION };
  return {
    description: {
      id,
      version: VERSION,
      name: 'Third-party AI results',
      intendedUse:
        `Reads the results other AI products send as DICOM into findings: ${[...new Set(Object.values(READ_SOP_CLASSES))].join(', ')}. ` +
        'It judges nothing itself; each finding names the device that made it. Which finding types come depends on the sender.',
      inputs: { modalities: RESULT_MODALITIES },
      produces: [],
    },
    applicability: resultApplicability,
    analyze: async (input: AnalysisInput, signal: AbortSignal): Promise<AnalysisOutput> => ({ findings: (await readResultSeries(input, importer, signal)).findings }),
  };
}
