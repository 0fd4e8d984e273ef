import type { BodyRegion } from '../classify/body-region.js';
import type { Kernel } from '../classify/ct-reconstruction.js';
import type { Code } from './finding.js';

/** How an analyzer describes itself and where it comes from: data the registry stores and the stage checks. */

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
  /**
   * It sends what it is given outside the hospital (a remote inference server, a DICOMweb AI node):
   * it is given de-identified copies only, and images that may carry burned-in text are cleaned or refused.
   */
  remote?: boolean;
}

export interface Applicability {
  applicable: boolean;
  /** Why not, one reason per requirement a series falls short of; why, when applicable. */
  reasons: string[];
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

