import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/**
 * A Standard Webhooks receiver for end-to-end tests: a real HTTP server on 127.0.0.1 and a free
 * port that checks each request's signature with the reference library against its secret,
 * records every request, and answers 204 to a verified one and 401 to any other. Told to, it
 * misbehaves for the next requests like a real endpoint does: answers another status, answers
 * late, or drops the connection without answering. Queued misbehaviour applies to the next
 * requests in order, whatever their signature; a delay combines with a status or a drop.
 */

export interface WebhookDelivery {
  /** The webhook-id header; undefined when absent. */
  id: string | undefined;
  /** The webhook-timestamp header, Unix seconds; undefined when absent or not a number. */
  timestamp: number | undefined;
  /** The request's headers, names in lower case. */
  headers: Record<string, string>;
  /** The body parsed as JSON; undefined when it is not JSON. */
  body: unknown;
  /** The body as received. */
  rawBody: string;
  method: string;
  path: string;
  /** Whether `Webhook.verify` accepted the signature (and its timestamp). */
  verified: boolean;
  /** The status answered, or 'dropped' when the connection was destroyed without an answer. */
  answer: number | 'dropped';
  /** ms since the epoch. */
  receivedAt: number;
}

export interface WebhookReceiver {
  /** http://127.0.0.1:<port>/hook */
  url: string;
  secret: string;
  /** Every request received, in order, including refused, failed and dropped ones. */
  readonly deliveries: readonly WebhookDelivery[];
  /** Answers the next `times` requests with `status` (e.g. 503, 400) instead of 204/401. */
  respondNext(status: number, times?: number): void;
  /** Answers (or drops) the next request `ms` late. */
  delayNext(ms: number): void;
  /** Destroys the connection of the next request without answering. */
  dropNext(): void;
  close(): Promise<void>;
}

/** A new Standard Webhooks secret: `whsec_` and the base64 of 32 random bytes. */
export function makeWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Starts a receiver for `secret` (a new one by default). */
export async function startWebhookReceiver(secret = makeWebhookSecret()): Promise<WebhookReceiver> {
  const webhook = new Webhook(secret);
  const deliveries: WebhookDelivery[] = [];
  const statuses: number[] = [];
  const delays: number[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let drops = 0;

  const later = (ms: number, action: () => void): void => {
    if (ms <= 0) return action();
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, ms);
    timers.add(timer);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const headers = headersOf(req);
    let verified = false;
    try {
      webhook.verify(rawBody, headers, { jsonParse: false });
      verified = true;
    } catch {
      verified = false;
    }
    const timestamp = Number.parseInt(headers['webhook-timestamp'] ?? '', 10);
    const drop = drops > 0;
    if (drop) drops--;
    const answer = drop ? 'dropped' : (statuses.shift() ?? (verified ? 204 : 401));
    deliveries.push({
      id: headers['webhook-id'], timestamp: Number.isNaN(timestamp) ? undefined : timestamp, headers, body: parsed(rawBody), rawBody,
      method: req.method ?? '', path: req.url ?? '', verified, answer, receivedAt: Date.now(),
    });
    later(delays.shift() ?? 0, () => {
      if (answer === 'dropped') req.socket.destroy();
      else if (!res.destroyed) res.writeHead(answer, answer === 204 ? {} : { 'content-type': 'application/json' }).end(answer === 204 ? undefined : JSON.stringify({ status: answer, verified }));
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/hook`,
    secret,
    deliveries,
    respondNext: (status, times = 1) => {
      for (let i = 0; i < times; i++) statuses.push(status);
    },
    delayNext: (ms) => void delays.push(ms),
    dropNext: () => void drops++,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
