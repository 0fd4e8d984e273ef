import type { IncomingHttpHeaders } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import Fastify, { type FastifyReply } from 'fastify';
import { fhirSchemaErrors } from './fhir-schema.js';

export { fhirSchemaErrors } from './fhir-schema.js';

/**
 * A FHIR R4 server for tests, on 127.0.0.1 and a free port, that takes transaction Bundles as a
 * FHIR server's base does (POST /, application/fhir+json). Like a real server it refuses with 400
 * and an OperationOutcome a bundle that does not validate against the R4 JSON schema, or whose
 * entries are not PUTs to their own `Type/id`, storing nothing (a transaction is all or nothing);
 * otherwise it creates or updates each resource, counting versions (an update that changes
 * nothing keeps the version, as HAPI does), and answers a transaction-response. GET /Type/id reads
 * a resource back. respondNext makes the next POSTs fail with a chosen status.
 */

export interface StoredResource {
  resourceType: string;
  id: string;
  meta: { versionId: string; lastUpdated: string };
  [element: string]: unknown;
}

export interface ReceivedBundle {
  headers: IncomingHttpHeaders;
  /** The body as JSON, or its text when it is not JSON. */
  body: unknown;
  /** The HTTP status the server answered. */
  status: number;
}

export interface FhirTestServer {
  /** The FHIR base, without a trailing slash. */
  url: string;
  /** The latest version of each resource by `Type/id`. */
  resources: ReadonlyMap<string, StoredResource>;
  /** Every POST received, valid or not, failed on purpose or not. */
  requests: ReceivedBundle[];
  /** The next `times` POSTs answer `status` with an OperationOutcome and store nothing. */
  respondNext(status: number, times?: number): void;
  close(): Promise<void>;
}

interface Put {
  key: string;
  resource: Record<string, unknown>;
}

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const outcome = (code: string, diagnostics: string[]) => ({ resourceType: 'OperationOutcome', issue: diagnostics.map((text) => ({ severity: 'error', code, diagnostics: text })) });

function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The PUTs of a transaction, or what makes it one this server does not apply. */
function putsOf(bundle: Record<string, unknown>): { puts: Put[]; problems: string[] } {
  if (bundle.type !== 'transaction') return { puts: [], problems: [`Bundle.type: ${JSON.stringify(bundle.type)}, only a transaction is accepted at the base`] };
  const puts: Put[] = [];
  const problems: string[] = [];
  const entries: unknown[] = Array.isArray(bundle.entry) ? bundle.entry : [];
  entries.forEach((entry, i) => {
    const request = isObject(entry) && isObject(entry.request) ? entry.request : {};
    const resource = isObject(entry) && isObject(entry.resource) ? entry.resource : undefined;
    const key = resource && typeof resource.resourceType === 'string' && typeof resource.id === 'string' ? `${resource.resourceType}/${resource.id}` : undefined;
    if (request.method !== 'PUT') problems.push(`Bundle.entry[${i}].request.method: ${JSON.stringify(request.method)}, this server applies PUT only`);
    else if (!resource || !key || request.url !== key) problems.push(`Bundle.entry[${i}].request.url: ${JSON.stringify(request.url)} is not the Type/id of the entry's resource`);
    else if (puts.some((p) => p.key === key)) problems.push(`Bundle.entry[${i}]: ${key} appears twice in the transaction`);
    else puts.push({ key, resource });
  });
  return { puts, problems };
}

const contentOf = (resource: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(resource).filter(([name]) => name !== 'meta'));

/** Starts a server with nothing stored. */
export async function startFhirServer(): Promise<FhirTestServer> {
  const store = new Map<string, StoredResource>();
  const requests: ReceivedBundle[] = [];
  const failures: number[] = [];
  const app = Fastify({ bodyLimit: 16 * 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const answer = (reply: FastifyReply, status: number, body: unknown) => reply.code(status).type(FHIR_JSON).send(body);

  /** Applies validated PUTs: create or update, a new version only when the content changed. */
  const apply = (puts: Put[]) =>
    puts.map(({ key, resource }) => {
      const previous = store.get(key);
      const lastModified = new Date().toISOString();
      const unchanged = previous !== undefined && isDeepStrictEqual(contentOf(previous), contentOf(resource));
      const version = unchanged ? previous.meta.versionId : String(Number(previous?.meta.versionId ?? 0) + 1);
      const [resourceType = '', id = ''] = key.split('/');
      if (!unchanged) store.set(key, { ...resource, resourceType, id, meta: { ...(isObject(resource.meta) ? resource.meta : {}), versionId: version, lastUpdated: lastModified } });
      return { response: { status: previous ? '200 OK' : '201 Created', location: `${key}/_history/${version}`, etag: `W/"${version}"`, lastModified: store.get(key)?.meta.lastUpdated ?? lastModified } };
    });

  app.post('/', (req, reply) => {
    const body = typeof req.body === 'string' ? parsed(req.body) : req.body;
    const respond = (status: number, payload: unknown) => {
      requests.push({ headers: req.headers, body, status });
      return answer(reply, status, payload);
    };
    const injected = failures.shift();
    if (injected !== undefined) return respond(injected, outcome(injected >= 500 ? 'transient' : 'processing', [`the test server was told to answer ${injected}`]));
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (mediaType !== 'application/fhir+json' && mediaType !== 'application/json') return respond(415, outcome('not-supported', [`content type ${JSON.stringify(mediaType)}: send application/fhir+json`]));
    if (!isObject(body) || body.resourceType !== 'Bundle') return respond(400, outcome('invalid', ['the body is not a JSON Bundle']));
    const schemaErrors = fhirSchemaErrors(body);
    if (schemaErrors.length > 0) return respond(400, outcome('invalid', schemaErrors));
    const { puts, problems } = putsOf(body);
    if (problems.length > 0) return respond(400, outcome('not-supported', problems));
    return respond(200, { resourceType: 'Bundle', type: 'transaction-response', entry: apply(puts) });
  });

  app.get<{ Params: { type: string; id: string } }>('/:type/:id', (req, reply) => {
    const stored = store.get(`${req.params.type}/${req.params.id}`);
    return stored ? answer(reply, 200, stored) : answer(reply, 404, outcome('not-found', [`${req.params.type}/${req.params.id} is not stored`]));
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('the FHIR test server has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    resources: store,
    requests,
    respondNext: (status, times = 1) => {
      for (let i = 0; i < times; i++) failures.push(status);
    },
    close: () => app.close(),
  };
}
