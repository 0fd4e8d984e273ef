import type { BodyRegion } from '../classify/body-region.js';
import type { SeriesClassification } from '../classify/classify-series.js';
import type { Kernel } from '../classify/ct-reconstruction.js';
import type { Code, Finding } from '../domain/finding.js';
import type { RolloutMode } from '../domain/rollout-mode.js';

/**
 * The one contract every analyzer meets: built-in TypeScript, ONNX models, remote inference servers
 * and DICOMweb AI nodes. An analyzer describes itself, may refuse a study it does not apply to, and
 * turns its input into coded findings. It runs in a worker thread (analyzer-worker.ts) under the
 * time and memory limits of its module, and stops when its signal aborts.
 */

/** What an analyzer needs of a series; a series that falls short is not applicable, with the reason. */
export interface AnalyzerInputs {
  /** DICOM Modality values, e.g. ['CT']. */
  modalities: string[];
  bodyRegions?: BodyRegion[];
  /** CT reconstruction kernels accepted. */
  kernels?: Kernel[];
  /** Primary axial CT only, no reformats. */
  primaryAxialOnly?: boolean;
  minInstances?: number;
}

export interface AnalyzerDescription {
  id: string;
  version: string;
  name: string;
  /** The intended use as the maker states it, with its limits (e.g. 'not cleared for clinical use'). */
  intendedUse: string;
  manufacturer?: string;
  inputs: AnalyzerInputs;
  /** The finding types it reports, with the measurements each carries. */
  produces: Array<{ type: Code; measurements?: Code[] }>;
  /** sha256 of the model file, for a model-backed analyzer. */
  modelHash?: string;
}

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

export interface Applicability {
  applicable: boolean;
  /** Why not, one reason per requirement a series falls short of; why, when applicable. */
  reasons: string[];
}

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

/**
 * Where an analyzer comes from: a module exporting `createAnalyzer(options): Analyzer | Promise<Analyzer>`.
 * The hub loads it once to read its description, and again in each worker thread that runs it.
 */
export interface AnalyzerModule {
  /** file: URL of the module. */
  url: string;
  /** Structured-cloneable options passed to createAnalyzer (a manifest path, a server URL). */
  options?: unknown;
  /** Longest an attempt may take before its worker is stopped and the job retried. Default 5 minutes. */
  timeoutMs?: number;
  /** The worker's JavaScript heap limit. Default 2048 MiB. Native memory (e.g. ONNX Runtime's) is outside it. */
  memoryMb?: number;
}

export type AnalyzerFactory = (options: unknown) => Analyzer | Promise<Analyzer>;
