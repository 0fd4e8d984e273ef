import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { PermanentJobError } from '../../jobs/job-engine.js';
import type { FloatTensor, ModelExecutor } from './model-executor.js';

/**
 * Runs a model in process with ONNX Runtime. The CUDA execution provider is used only when its
 * provider library is installed beside the runtime (the npm package ships CPU only; `.npmrc` skips
 * the download of the CUDA libraries) and the session starts on it; otherwise the CPU.
 */

const runtimeDir = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node'));

function cudaProviderInstalled(): boolean {
  const binaries = path.resolve(runtimeDir, '..', 'bin', `napi-v6`, process.platform, process.arch);
  return existsSync(path.join(binaries, 'libonnxruntime_providers_cuda.so'));
}

function toFloat32(data: unknown): Float32Array {
  if (data instanceof Float32Array) return data;
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) return Float32Array.from(data as unknown as ArrayLike<number | bigint>, Number);
  if (Array.isArray(data)) return Float32Array.from(data as Array<number | boolean>, Number);
  throw new PermanentJobError('the model gave an output that is not numeric');
}

export class OnnxSessionExecutor implements ModelExecutor {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly where: string,
  ) {}

  static async create(model: Uint8Array, label: string): Promise<OnnxSessionExecutor> {
    let cudaFailure = '';
    if (cudaProviderInstalled()) {
      try {
        return new OnnxSessionExecutor(await ort.InferenceSession.create(model, { executionProviders: ['cuda', 'cpu'] }), 'onnxruntime (cuda)');
      } catch (err) {
        cudaFailure = `; cuda did not start: ${(err as Error).message}`;
      }
    }
    try {
      return new OnnxSessionExecutor(await ort.InferenceSession.create(model, { executionProviders: ['cpu'] }), `onnxruntime (cpu${cudaFailure})`);
    } catch (err) {
      throw new PermanentJobError(`ONNX Runtime cannot load model ${label}: ${(err as Error).message}`);
    }
  }

  defaultInputName(): Promise<string> {
    const [only, ...more] = this.session.inputNames;
    if (only === undefined || more.length > 0) {
      return Promise.reject(new PermanentJobError(`the model has inputs ${this.session.inputNames.join(', ')}; name the one to feed in the manifest's input.name`));
    }
    return Promise.resolve(only);
  }

  async run(inputs: Record<string, FloatTensor>, outputs: readonly string[], signal: AbortSignal): Promise<Record<string, FloatTensor>> {
    signal.throwIfAborted();
    const missing = outputs.filter((o) => !this.session.outputNames.includes(o));
    if (missing.length > 0) throw new PermanentJobError(`the model has no output ${missing.join(', ')} (it has ${this.session.outputNames.join(', ')})`);
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(inputs)) feeds[name] = new ort.Tensor('float32', t.data, t.dims);
    let results: ort.InferenceSession.ReturnType;
    try {
      results = await this.session.run(feeds, [...outputs]);
    } catch (err) {
      throw new PermanentJobError(`ONNX Runtime refused the input: ${(err as Error).message}`);
    }
    signal.throwIfAborted();
    const out: Record<string, FloatTensor> = {};
    for (const name of outputs) {
      const tensor = results[name];
      if (!tensor) throw new PermanentJobError(`the model gave no output ${name}`);
      out[name] = { dims: [...tensor.dims], data: toFloat32(tensor.data) };
    }
    return out;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
