import { randomUUID } from 'node:crypto';

export interface StowResponse {
  status: number;
  body: Record<string, { vr: string; Value?: Array<Record<string, { vr: string; Value?: unknown[] }>> | unknown[] }>;
}

/** Posts parts as multipart/related; type="application/dicom" (each part may override its own content type). */
export async function stow(url: string, parts: Array<Buffer | { body: Buffer; contentType: string }>, study?: string): Promise<StowResponse> {
  const boundary = `rb-${randomUUID()}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const body = Buffer.isBuffer(p) ? p : p.body;
    const type = Buffer.isBuffer(p) ? 'application/dicom' : p.contentType;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: ${type}\r\n\r\n`, 'latin1'), body, Buffer.from('\r\n', 'latin1'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  const response = await fetch(`${url}/dicomweb/studies${study ? `/${study}` : ''}`, {
    method: 'POST',
    headers: { 'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`, accept: 'application/dicom+json' },
    body: Buffer.concat(chunks),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as StowResponse['body']) : {} };
}

/** The Failure Reasons (0008,1197) of a STOW-RS response's FailedSOPSequence. */
export function failureReasons(r: StowResponse): number[] {
  const items = (r.body['00081198']?.Value ?? []) as Array<Record<string, { Value?: unknown[] }>>;
  return items.map((item) => Number(item['00081197']?.Value?.[0]));
}

export function referencedUids(r: StowResponse): string[] {
  const items = (r.body['00081199']?.Value ?? []) as Array<Record<string, { Value?: unknown[] }>>;
  return items.map((item) => String(item['00081155']?.Value?.[0]));
}
