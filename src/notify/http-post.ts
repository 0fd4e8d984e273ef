import { PermanentJobError } from '../jobs/job-engine.js';

/**
 * POST of one outbox message (a FHIR bundle, a webhook) over HTTP, and what its answer means for
 * the message.send job: 2xx sent; no answer in time, a network failure, 408, 425, 429 or 5xx tried
 * again; any other status refused for good (a PermanentJobError with the receiver's words), since
 * the same body would be refused again.
 */

export interface HttpAnswer {
  status: number;
  text: string;
}

const RETRIED = new Set([408, 425, 429]);
const EXCERPT = 500;

function networkReason(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : undefined;
  const code = cause && 'code' in cause ? String(cause.code) : undefined;
  return code ? `${cause?.message ?? code} (${code})` : (cause?.message ?? (err instanceof Error ? err.message : String(err)));
}

export async function postMessage(url: string, headers: Record<string, string>, body: string, timeoutMs: number, signal: AbortSignal): Promise<HttpAnswer> {
  const target = new URL(url);
  const where = `${target.origin}${target.pathname}`;
  let answer: HttpAnswer;
  try {
    const response = await fetch(url, { method: 'POST', headers, body, redirect: 'error', signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), signal]) });
    answer = { status: response.status, text: await response.text() };
  } catch (err) {
    throw new Error(`${where}: ${networkReason(err, timeoutMs)}`, { cause: err });
  }
  if (answer.status >= 200 && answer.status < 300) return answer;
  const said = `${where} answered HTTP ${answer.status}${answer.text ? `: ${answer.text.slice(0, EXCERPT)}` : ''}`;
  if (answer.status >= 500 || RETRIED.has(answer.status)) throw new Error(said);
  throw new PermanentJobError(said);
}
