/** The hub answered with an error: the message names its code, message and issues. */
export class HubRefusal extends Error {}

/** One JSON request to a running hub; an error answer becomes a HubRefusal. */
export async function requestHub(url: string, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${url.replace(/\/$/, '')}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const answer = (await response.json()) as { error?: string; message?: string; issues?: string[] };
  if (!response.ok) {
    const issues = (answer.issues ?? []).map((i) => `\n  ${i}`).join('');
    throw new HubRefusal(`${answer.error ?? response.status}: ${answer.message ?? response.statusText}${issues}`);
  }
  return answer;
}
