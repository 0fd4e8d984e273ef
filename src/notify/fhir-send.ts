import type { Config } from '../config/schema.js';
import { PermanentJobError } from '../jobs/job-engine.js';
import type { MessageEntry } from '../store/message-outbox.js';
import type { Delivery } from './delivery.js';
import { postMessage } from './http-post.js';
import type { NotifySecrets } from './notify-secrets.js';

/**
 * One FHIR transaction bundle of the outbox to its server: POST to the server's base (FHIR R4
 * RESTful API, transaction). Its entries PUT resources under ids derived from what they say, so a
 * bundle sent twice changes nothing. A transaction is all or nothing; an answer whose entries are
 * not all 2xx is refused for good like a 4xx, with the statuses the server gave.
 */

interface ResponseEntry {
  response?: { status?: unknown };
}

function refusedEntries(text: string): string[] {
  let bundle: { resourceType?: unknown; type?: unknown; entry?: ResponseEntry[] };
  try {
    bundle = JSON.parse(text) as typeof bundle;
  } catch {
    return [];
  }
  if (bundle.resourceType !== 'Bundle' || bundle.type !== 'transaction-response' || !Array.isArray(bundle.entry)) return [];
  return bundle.entry.map((e) => (typeof e.response?.status === 'string' ? e.response.status : 'no status')).filter((status) => !status.startsWith('2'));
}

export async function sendFhir(config: Pick<Config, 'fhir'>, secrets: NotifySecrets, entry: MessageEntry, signal: AbortSignal): Promise<Delivery> {
  const server = config.fhir.servers[entry.destination];
  if (!server) throw new PermanentJobError(`FHIR server "${entry.destination}" is not configured (fhir.servers)`);
  const token = secrets.fhirTokens.get(entry.destination);
  const headers = { 'content-type': 'application/fhir+json', accept: 'application/fhir+json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const answer = await postMessage(server.baseUrl, headers, entry.body, server.timeoutMs, signal);
  const refused = refusedEntries(answer.text);
  if (refused.length > 0) throw new PermanentJobError(`${entry.destination} refused bundle entries: ${refused.join(', ')}`);
  return { sentTo: server.baseUrl, reply: answer.text, detail: { status: answer.status } };
}
