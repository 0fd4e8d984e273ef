import { z } from 'zod';
import { PermanentJobError } from '../../jobs/job-engine.js';
import type { FloatTensor, ModelExecutor } from './model-executor.js';
import type { RemoteModel } from './model-manifest.js';

/**
 * Runs a model on an inference server over the KServe v2 (Open Inference Protocol) HTTP/REST API,
 * JSON tensors: GET /v2/health/ready and GET /v2/models/{name}[/versions/{v}] (metadata) once, then
 * POST /v2/models/{name}[/versions/{v}]/infer per call. A 4xx answer is permanent (PermanentJobError: the request or
 * the model name is wrong and stays wrong); a 5xx answer, a refused or broken connection is
 * transient (InferenceServerUnavailable: the job is retried).
 */

/** The server cannot answer now (5xx, connection refused or reset): trying again later may help. */
export class InferenceServerUnavailable extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InferenceServerUnavailable';
  }
}

const tensorMetadata = z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.number()) });
const modelMetadataSchema = z.object({ name: z.string(), versions: z.array(z.string()).optional(), platform: z.string().optional(), inputs: z.array(tensorMetadata), outputs: z.array(tensorMetadata) });
export type ModelMetadata = z.infer<typeof modelMetadataSchema>;

type Nested = number | boolean | Nested[];
const nested: z.ZodType<Nested> = z.lazy(() => z.union([z.number(), z.boolean(), z.array(nested)]));
const inferResponseSchema = z.object({
  model_name: z.string().optional(),
  model_version: z.string().optional(),
  outputs: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().min(0)), datatype: z.string(), data: z.array(nested) })),
});

/** Nested JSON arrays (the protocol allows them) to row-major values. */
function flatten(values: readonly Nested[], out: number[] = []): number[] {
  for (const v of values) {
    if (Array.isArray(v)) flatten(v, out);
    else out.push(Number(v));
  }
  return out;
}

const NUMERIC = new Set(['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64']);

function errorText(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { error?: unknown }).error === 'string') return (parsed as { error: string }).error;
  } catch {
    // not JSON: the body as it came
  }
  return body.slice(0, 500);
}

function causeText(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

export class KServeV2Executor implements ModelExecutor {
  readonly where: string;
  private readonly base: string;
  private readonly modelPath: string;
  private metadata: ModelMetadata | undefined;

  constructor(private readonly remote: RemoteModel) {
    this.base = remote.url.replace(/\/+$/, '');
    this.modelPath = `/v2/models/${encodeURIComponent(remote.model)}${remote.version ? `/versions/${encodeURIComponent(remote.version)}` : ''}`;
    this.where = `KServe v2 server ${this.base} model ${remote.model}${remote.version ? ` version ${remote.version}` : ''}`;
  }

  private async request(method: 'GET' | 'POST', route: string, signal: AbortSignal, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${route}`, {
        method,
        signal,
        headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      if (signal.aborted) throw err;
      throw new InferenceServerUnavailable(`${this.where}: ${method} ${route} failed: cannot reach the server (${causeText(err)})`, { cause: err });
    }
    const text = await response.text();
    if (response.status >= 400 && response.status < 500) {
      throw new PermanentJobError(`${this.where} refused ${method} ${route}: HTTP ${response.status}: ${errorText(text)}`);
    }
    if (!response.ok) throw new InferenceServerUnavailable(`${this.where} failed ${method} ${route}: HTTP ${response.status}: ${errorText(text)}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new PermanentJobError(`${this.where} answered ${method} ${route} with a body that is not JSON`);
    }
  }

  /** GET /v2/health/ready: anything but a 200 means not now (some servers answer 4xx while starting). */
  private async checkReady(signal: AbortSignal): Promise<void> {
    let response: Response;
    try {
      response = await fetch(`${this.base}/v2/health/ready`, { signal, headers: { accept: 'application/json' } });
    } catch (err) {
      if (signal.aborted) throw err;
      throw new InferenceServerUnavailable(`${this.where}: GET /v2/health/ready failed: cannot reach the server (${causeText(err)})`, { cause: err });
    }
    const text = await response.text();
    if (!response.ok) throw new InferenceServerUnavailable(`${this.where} is not ready: GET /v2/health/ready answered HTTP ${response.status}: ${errorText(text)}`);
  }

  /** The model's metadata, asked for once, after the server says it is ready. */
  async modelMetadata(signal: AbortSignal): Promise<ModelMetadata> {
    if (this.metadata) return this.metadata;
    await this.checkReady(signal);
    const parsed = modelMetadataSchema.safeParse(await this.request('GET', this.modelPath, signal));
    if (!parsed.success) throw new PermanentJobError(`${this.where}: the model metadata is not KServe v2 metadata: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    this.metadata = parsed.data;
    return parsed.data;
  }

  async defaultInputName(signal: AbortSignal): Promise<string> {
    const { inputs } = await this.modelMetadata(signal);
    const [only, ...more] = inputs;
    if (only === undefined || more.length > 0) throw new PermanentJobError(`${this.where} has inputs ${inputs.map((i) => i.name).join(', ')}; name the one to feed in the manifest's input.name`);
    return only.name;
  }

  async run(inputs: Record<string, FloatTensor>, outputs: readonly string[], signal: AbortSignal): Promise<Record<string, FloatTensor>> {
    const metadata = await this.modelMetadata(signal);
    const served = metadata.outputs.map((o) => o.name);
    const missing = outputs.filter((o) => !served.includes(o));
    if (missing.length > 0) throw new PermanentJobError(`${this.where} has no output ${missing.join(', ')} (it serves ${served.join(', ')})`);
    const body = {
      inputs: Object.entries(inputs).map(([name, t]) => ({ name, shape: t.dims, datatype: 'FP32', data: Array.from(t.data) })),
      outputs: outputs.map((name) => ({ name })),
    };
    const parsed = inferResponseSchema.safeParse(await this.request('POST', `${this.modelPath}/infer`, signal, body));
    if (!parsed.success) throw new PermanentJobError(`${this.where}: the inference response is not KServe v2 JSON: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const out: Record<string, FloatTensor> = {};
    for (const name of outputs) {
      const tensor = parsed.data.outputs.find((o) => o.name === name);
      if (!tensor) throw new PermanentJobError(`${this.where} answered without output ${name}`);
      if (!NUMERIC.has(tensor.datatype)) throw new PermanentJobError(`${this.where}: output ${name} is ${tensor.datatype}, not a numeric tensor`);
      const data = Float32Array.from(flatten(tensor.data));
      const expected = tensor.shape.reduce((a, b) => a * b, 1);
      if (data.length !== expected) throw new PermanentJobError(`${this.where}: output ${name} has ${data.length} values for shape [${tensor.shape.join(', ')}]`);
      out[name] = { dims: tensor.shape, data };
    }
    return out;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
