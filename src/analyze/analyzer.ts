/** The series of a study an analyzer is asked to look at. */
export interface AnalysisRequest {
  studyUid: string;
  seriesUids: string[];
}

/** What an analyzer answers: its findings, as the analyzer states them. */
export interface AnalysisOutput {
  findings: Array<Record<string, unknown>>;
}

/**
 * What the analysis stage asks of an analyzer: a name, a version and one call. Built-in analyzers,
 * ONNX models, remote inference servers and DICOMweb AI nodes all come behind this call, with the
 * fuller contract (intended use, applicability, coded findings) that their own work brings.
 */
export interface Analyzer {
  id: string;
  version: string;
  /** Longest an attempt may take before it is abandoned and retried. Default 5 minutes. */
  timeoutMs?: number;
  /** Must stop and throw when `signal` aborts; a PermanentJobError says that trying again cannot help. */
  analyze(request: AnalysisRequest, signal: AbortSignal): Promise<AnalysisOutput>;
}
