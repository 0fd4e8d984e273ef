/** Small builders for the DICOM JSON model (PS3.18 F.2). */
export interface JsonAttribute {
  vr: string;
  Value?: unknown[];
  BulkDataURI?: string;
  InlineBinary?: string;
}

export type JsonDataset = Record<string, JsonAttribute>;

export function attr(vr: string, value: string | number | null | undefined | Array<string | number>): JsonAttribute {
  if (value === null || value === undefined || value === '') return { vr };
  if (vr === 'PN') return { vr, Value: [{ Alphabetic: String(value) }] };
  return { vr, Value: Array.isArray(value) ? value : [value] };
}

export function sequence(items: JsonDataset[]): JsonAttribute {
  return items.length === 0 ? { vr: 'SQ' } : { vr: 'SQ', Value: items };
}

export const DICOM_JSON = 'application/dicom+json';
