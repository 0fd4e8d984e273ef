import type { SeriesClassification } from '../classify/classify-series.js';
import type { AnalyzerDescription, Applicability } from '../domain/analyzer-description.js';
import type { Finding } from '../domain/finding.js';
import type { RolloutMode } from '../domain/rollout-mode.js';

/**
 * The one contract every analyzer meets: built-in TypeScript, ONNX models, remote inference servers
 * and DICOMweb AI nodes. An analyzer describes itself, may refuse a study it does not apply to, and
 * turns its input into coded findings. It runs in a worker thread (analyzer-worker.ts) under the
 * time and memory limits of its module, and stops when its signal aborts.
 */

/** One series handed to an analyzer. */
export interface AnalysisSeries {
  seriesUid: string;
  modality: string;
  classification: SeriesClassification;
  /** The instances in the order they were stored, with absolute paths of their files. */
  instances: Array<{ sopInstanceUid: string; file: string }>;
}

export interface AnalysisInput {
  studyUid: string;
  series: AnalysisSeries[];
  /** sha256 over the content hashes of every input file, in order: the same pixels give the same hash. */
  inputHash: string;
  /** The analyzer's rollout mode at this site: a model may hold a threshold per mode. */
  mode: RolloutMode;
}

export type { AnalyzerDescription, AnalyzerInputs, AnalyzerModule, Applicability } from '../domain/analyzer-description.js';

export interface AnalysisOutput {
  findings: Finding[];
}

export interface Analyzer {
  description: AnalyzerDescription;
  /** Checks beyond the declared inputs (e.g. a slice thickness the model was trained on). */
  applicability?(input: AnalysisInput): Applicability;
  /** Must stop and throw when `signal` aborts; a PermanentJobError says that trying again cannot help. */
  analyze(input: AnalysisInput, signal: AbortSignal): Promise<AnalysisOutput>;
}

export type AnalyzerFactory = (options: unknown) => Analyzer | Promise<Analyzer>;
