import type { JsonDataset } from '../../dicomweb/dicom-json.js';
import { readMultipartRelated } from '../../dicomweb/multipart-related.js';
import { searchStudySeries } from '../../dicomweb/qido-rs-client.js';
import { storeInstances } from '../../dicomweb/stow-rs-client.js';
import { RetrieveError, retrieveSeries } from '../../dicomweb/wado-rs-client.js';
import { RadbridgeError } from '../../domain/errors.js';
import type { Finding } from '../../domain/finding.js';
import { PermanentJobError } from '../../jobs/job-engine.js';
import type { AnalysisInput, AnalysisOutput, Analyzer } from '../analyzer.js';
import { MAX_RESULT_OBJECT_BYTES } from './dicom-object.js';
import { readResultObject } from './result-object-reader.js';
import { RESULT_MODALITIES, planesOfImageSeries } from './third-party-results.js';

/**
 * An external AI application that speaks DICOMweb: the input series go to it by STOW-RS, and its
 * results (SR, SEG, PR series of the same study) are fetched back by polling QIDO-RS and
 * retrieving them by WADO-RS, then read into findings like any third-party result.
 */

export interface DicomwebAiNodeOptions {
  /** DICOMweb base URL of the node, e.g. http://ai-node:8042/dicom-web */
  baseUrl: string;
  id: string;
  /** The node's name in messages and its description. Default: the id. */
  name?: string;
  version?: string;
  manufacturer?: string;
  intendedUse?: string;
  /** Longest wait for results after sending. Default 10 minutes. */
  resultTimeoutMs?: number;
  /** Between two QIDO-RS searches. Default 2 s. */
  pollIntervalMs?: number;
  /** Limit of each single request. Default 60 s. */
  requestTimeoutMs?: number;
}

const tag = (dataset: JsonDataset, t: string): string | undefined => {
  const v = dataset[t]?.Value?.[0];
  return typeof v === 'string' ? v : undefined;
};

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Every part of a WADO-RS answer, each held whole (results are small; the size is capped). */
async function partsOf(body: AsyncIterable<Buffer>, boundary: string): Promise<Buffer[]> {
  const parts: Buffer[] = [];
  await readMultipartRelated(body, boundary, () => {
    const chunks: Buffer[] = [];
    let size = 0;
    return {
      write: (data) => {
        size += data.length;
        if (size > MAX_RESULT_OBJECT_BYTES) return Promise.reject(new RadbridgeError('DICOM_LIMIT_EXCEEDED', `a result exceeds ${MAX_RESULT_OBJECT_BYTES} bytes`));
        chunks.push(Buffer.from(data));
        return Promise.resolve();
      },
      end: () => {
        parts.push(Buffer.concat(chunks));
        return Promise.resolve();
      },
      abort: () => undefined,
    };
  });
  return parts;
}

export function createAnalyzer(options: DicomwebAiNodeOptions): Analyzer {
  const name = options.name ?? options.id;
  const origin = new URL(options.baseUrl).origin;
  const version = options.version ?? '1';
  const resultTimeoutMs = options.resultTimeoutMs ?? 600_000;
  const pollIntervalMs = options.pollIntervalMs ?? 2_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 60_000;

  /** A failure in words that name the node: 4xx permanent, anything else (network, 5xx) transient. */
  const failure = (step: string, err: unknown): Error => {
    const reason = err instanceof Error ? err.message : String(err);
    const message = `DICOMweb AI node ${name} at ${origin}: ${step} failed: ${reason}`;
    return err instanceof RetrieveError && !err.transient ? new PermanentJobError(message, { cause: err }) : new Error(message, { cause: err });
  };

  /** Result series of the study the node has made: SR, SEG or PR series that were not sent to it. */
  const resultSeries = async (input: AnalysisInput, signal: AbortSignal): Promise<string[]> => {
    const sent = new Set(input.series.map((s) => s.seriesUid));
    let found: JsonDataset[];
    try {
      found = await searchStudySeries(options.baseUrl, input.studyUid, { timeoutMs: requestTimeoutMs, signal });
    } catch (err) {
      throw failure('searching for results (QIDO-RS)', err);
    }
    return found.flatMap((s) => {
      const uid = tag(s, '0020000E');
      return uid && !sent.has(uid) && RESULT_MODALITIES.includes((tag(s, '00080060') ?? '').toUpperCase()) ? [uid] : [];
    });
  };

  /** Polls until result series appear and stay the same over one more poll, or the wait runs out. */
  const awaitResults = async (input: AnalysisInput, signal: AbortSignal): Promise<string[]> => {
    const deadline = Date.now() + resultTimeoutMs;
    let previous: string[] = [];
    for (;;) {
      const current = await resultSeries(input, signal);
      if (current.length > 0 && current.length === previous.length) return current;
      previous = current;
      if (Date.now() + pollIntervalMs > deadline) {
        if (current.length > 0) return current;
        throw new Error(`DICOMweb AI node ${name} at ${origin} sent no SR, SEG or PR result for study ${input.studyUid} within ${resultTimeoutMs} ms`);
      }
      await sleep(pollIntervalMs, signal);
    }
  };

  const analyze = async (input: AnalysisInput, signal: AbortSignal): Promise<AnalysisOutput> => {
    const files = input.series.flatMap((s) => s.instances.map((i) => i.file));
    try {
      // Instances refused in a 202 answer are left out: the ones stored are enough for the node to run on.
      await storeInstances(options.baseUrl, files, { timeoutMs: requestTimeoutMs, signal });
    } catch (err) {
      throw failure(`sending ${files.length} instance(s) (STOW-RS)`, err);
    }
    const planes = await planesOfImageSeries(input.series, signal);
    const context = { inputHash: input.inputHash, importer: { id: options.id, version, ...(options.manufacturer ? { manufacturer: options.manufacturer } : {}) }, planes };
    const findings: Finding[] = [];
    for (const seriesUid of await awaitResults(input, signal)) {
      let parts: Buffer[];
      try {
        const retrieved = await retrieveSeries(options.baseUrl, input.studyUid, seriesUid, { timeoutMs: requestTimeoutMs, signal });
        parts = await partsOf(retrieved.body, retrieved.boundary);
      } catch (err) {
        throw failure(`retrieving result series ${seriesUid} (WADO-RS)`, err);
      }
      for (const part of parts) {
        try {
          findings.push(...(await readResultObject(part, context)).findings);
        } catch (err) {
          if (err instanceof RadbridgeError) throw new PermanentJobError(`DICOMweb AI node ${name} at ${origin} sent a result in series ${seriesUid} that cannot be read: ${err.message}`, { cause: err });
          throw err;
        }
      }
    }
    return { findings };
  };

  return {
    description: {
      id: options.id,
      version,
      name,
      intendedUse: options.intendedUse ?? `Sends the series to the DICOMweb AI application ${name} and reads back the SR, SEG and GSPS results it stores for the study; its findings are its own.`,
      ...(options.manufacturer ? { manufacturer: options.manufacturer } : {}),
      inputs: { modalities: ['CT', 'MR', 'CR', 'DX', 'US', 'XA', 'MG', 'PT', 'NM'] },
      produces: [],
      // The series leave the hospital: the analysis stage gives this analyzer de-identified copies only.
      remote: true,
    },
    analyze,
  };
}
