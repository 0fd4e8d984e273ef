import { Readable } from 'node:stream';
import type { JsonDataset } from '../../src/dicomweb/dicom-json.js';
import { multipartParameters, readMultipartRelated } from '../../src/dicomweb/multipart-related.js';

/** A plain DICOMweb client over fetch, for tests of the hub's read side. */

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: JsonDataset[];
  error?: { error: string; message: string };
}

export async function getJson(url: string, accept?: string): Promise<JsonResponse> {
  const response = await fetch(url, accept ? { headers: { accept } } : {});
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as unknown) : [];
  if (Array.isArray(parsed)) return { status: response.status, headers: response.headers, body: parsed as JsonDataset[] };
  return { status: response.status, headers: response.headers, body: [], error: parsed as { error: string; message: string } };
}

export interface Part {
  contentType: string;
  body: Buffer;
}

export interface MultipartResponse {
  status: number;
  contentType: string;
  parts: Part[];
  error?: { error: string; message: string };
}

/** GETs a multipart/related resource and splits it into parts with the hub's own reader. */
export async function getMultipart(url: string, accept?: string): Promise<MultipartResponse> {
  const response = await fetch(url, accept ? { headers: { accept } } : {});
  const contentType = response.headers.get('content-type') ?? '';
  const bytes = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) return { status: response.status, contentType, parts: [], error: JSON.parse(bytes.toString()) as { error: string; message: string } };
  const parts: Part[] = [];
  await readMultipartRelated(Readable.from([bytes]), multipartParameters(contentType).boundary, (headers) => {
    const chunks: Buffer[] = [];
    return {
      write: (data) => {
        chunks.push(Buffer.from(data));
        return Promise.resolve();
      },
      end: () => {
        parts.push({ contentType: headers.get('content-type') ?? '', body: Buffer.concat(chunks) });
        return Promise.resolve();
      },
      abort: () => {},
    };
  });
  return { status: response.status, contentType, parts };
}

/** The first value of an attribute of a DICOM JSON data set. */
export function first(dataset: JsonDataset | undefined, tag: string): unknown {
  return dataset?.[tag]?.Value?.[0];
}

export function uidsOf(datasets: JsonDataset[], tag: string): string[] {
  return datasets.map((d) => String(first(d, tag))).sort();
}
