/**
 * The one part of the model pipeline that differs between running a model in process (ONNX Runtime)
 * and on an inference server (KServe v2): tensors in, tensors out. Everything before (resampling,
 * windowing, tiling) and after (decoding into findings) is shared.
 */

/** A dense float tensor, row-major. */
export interface FloatTensor {
  dims: number[];
  data: Float32Array;
}

export interface ModelExecutor {
  /** Where the model runs, for messages and logs: 'onnxruntime (cpu)' or 'KServe v2 server http://… model m'. */
  readonly where: string;
  /** Runs one call; the result holds every output asked for. Throws PermanentJobError when trying again cannot help. */
  run(inputs: Record<string, FloatTensor>, outputs: readonly string[], signal: AbortSignal): Promise<Record<string, FloatTensor>>;
  /** The name of the model's only input, used when the manifest names none. */
  defaultInputName(signal: AbortSignal): Promise<string>;
  close(): Promise<void>;
}
