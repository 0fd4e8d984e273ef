import Fastify, { type FastifyReply } from 'fastify';
import ort from 'onnxruntime-node';
import { z } from 'zod';

/**
 * A KServe v2 (Open Inference Protocol) HTTP/REST server for tests, on 127.0.0.1 and a free port,
 * running ONNX models with ONNX Runtime: health, model metadata and inference with JSON tensors.
 * Like a real server it answers 404 for a model it does not serve, 400 for a request the model
 * refuses and 503 while it is not ready.
 */

export interface KServeV2Peer {
  url: string;
  /** A server that is not ready answers 503 to inference and to /v2/health/ready. */
  setReady(ready: boolean): void;
  /** Inference requests received. */
  readonly requests: number;
  close(): Promise<void>;
}

const inferRequestSchema = z.object({
  inputs: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().min(0)), datatype: z.string(), data: z.array(z.number()) })).min(1),
  outputs: z.array(z.object({ name: z.string() })).optional(),
});

const DATATYPES: Record<string, string> = { float32: 'FP32', float64: 'FP64', int64: 'INT64', int32: 'INT32', bool: 'BOOL', uint8: 'UINT8' };

function tensorMetadata(meta: readonly ort.InferenceSession.ValueMetadata[]): Array<{ name: string; datatype: string; shape: number[] }> {
  return meta.map((m) => ({
    name: m.name,
    datatype: m.isTensor ? (DATATYPES[m.type] ?? m.type.toUpperCase()) : 'BYTES',
    shape: m.isTensor ? m.shape.map((d) => (typeof d === 'number' ? d : -1)) : [],
  }));
}

/** Starts a server for `models` (name to ONNX bytes), each served as version 1. */
export async function startKServeV2Peer(models: Record<string, Uint8Array>): Promise<KServeV2Peer> {
  const sessions = new Map<string, ort.InferenceSession>();
  for (const [name, bytes] of Object.entries(models)) sessions.set(name, await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] }));
  let ready = true;
  let requests = 0;
  const app = Fastify({ bodyLimit: 1024 * 1024 * 1024 });

  const sessionOf = (name: string, version: string | undefined, reply: FastifyReply): ort.InferenceSession | undefined => {
    const session = sessions.get(name);
    if (!session || (version !== undefined && version !== '1')) {
      void reply.code(404).send({ error: `model ${name}${version ? ` version ${version}` : ''} is not served here` });
      return undefined;
    }
    return session;
  };

  app.get('/v2/health/live', () => ({ live: true }));
  app.get('/v2/health/ready', (_req, reply) => (ready ? reply.send({ ready }) : reply.code(503).send({ error: 'the server is not ready' })));

  const metadata = (name: string, version: string | undefined, reply: FastifyReply) => {
    const session = sessionOf(name, version, reply);
    if (!session) return reply;
    return reply.send({ name, versions: ['1'], platform: 'onnxruntime_onnx', inputs: tensorMetadata(session.inputMetadata), outputs: tensorMetadata(session.outputMetadata) });
  };
  app.get<{ Params: { model: string } }>('/v2/models/:model', (req, reply) => metadata(req.params.model, undefined, reply));
  app.get<{ Params: { model: string; version: string } }>('/v2/models/:model/versions/:version', (req, reply) => metadata(req.params.model, req.params.version, reply));

  const infer = async (name: string, version: string | undefined, body: unknown, reply: FastifyReply) => {
    requests++;
    const session = sessionOf(name, version, reply);
    if (!session) return reply;
    if (!ready) return reply.code(503).send({ error: `model ${name} is not ready` });
    const parsed = inferRequestSchema.safeParse(body);
    if (!parsed.success) return reply.code(400).send({ error: `not an inference request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` });
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of parsed.data.inputs) {
      if (input.datatype !== 'FP32') return reply.code(400).send({ error: `input ${input.name}: datatype ${input.datatype}, expected FP32` });
      feeds[input.name] = new ort.Tensor('float32', Float32Array.from(input.data), input.shape);
    }
    const wanted = parsed.data.outputs?.map((o) => o.name) ?? session.outputNames;
    try {
      const results = await session.run(feeds, wanted);
      const outputs = wanted.map((o) => {
        const t = results[o] as ort.Tensor;
        return { name: o, shape: [...t.dims], datatype: DATATYPES[t.type] ?? t.type.toUpperCase(), data: Array.from(t.data as Float32Array) };
      });
      return await reply.send({ model_name: name, model_version: '1', outputs });
    } catch (err) {
      return reply.code(400).send({ error: `inference failed: ${(err as Error).message}` });
    }
  };
  app.post<{ Params: { model: string } }>('/v2/models/:model/infer', (req, reply) => infer(req.params.model, undefined, req.body, reply));
  app.post<{ Params: { model: string; version: string } }>('/v2/models/:model/versions/:version/infer', (req, reply) => infer(req.params.model, req.params.version, req.body, reply));

  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: address,
    setReady: (value) => {
      ready = value;
    },
    get requests() {
      return requests;
    },
    close: async () => {
      await app.close();
      for (const session of sessions.values()) await session.release();
    },
  };
}
