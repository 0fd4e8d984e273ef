import dcmjs from 'dcmjs';

/** DICOM attribute names in rules: a keyword (Modality), a tag (00080060) or a bracketed tag ((0008,0060)). */

export interface AttributeName {
  tag: string;
  keyword: string | undefined;
}

const TAG = /^\(?([0-9A-Fa-f]{4}),?([0-9A-Fa-f]{4})\)?$/;

function keywordOf(tag: string): string | undefined {
  const entry = dcmjs.data.DicomMetaDictionary.dictionary[`(${tag.slice(0, 4)},${tag.slice(4)})`];
  return entry?.name;
}

/** The tag (eight upper-case hex digits) and keyword an attribute name stands for; undefined when unknown. */
export function attributeTag(name: string): AttributeName | undefined {
  const match = TAG.exec(name);
  if (match) {
    const tag = `${match[1] ?? ''}${match[2] ?? ''}`.toUpperCase();
    return { tag, keyword: keywordOf(tag) };
  }
  const entry = dcmjs.data.DicomMetaDictionary.nameMap[name];
  if (!entry) return undefined;
  const tag = entry.tag.replace(/[(),]/g, '').toUpperCase();
  return TAG.test(tag) ? { tag, keyword: name } : undefined;
}

export interface AttributeElement {
  vr?: string;
  Value?: unknown[];
}

/** Attributes as rules read them: DICOM JSON keyed by tag (as dcmjs and WADO-RS metadata give them). */
export type AttributeDict = Record<string, AttributeElement | undefined>;

function isElement(value: unknown): value is AttributeElement {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && ('Value' in value || 'vr' in value);
}

/**
 * Accepts DICOM JSON ({ "00080060": { vr, Value } }) or a keyword map ({ Modality: 'CT' }) and
 * returns DICOM JSON; names that are no DICOM attribute are left out.
 */
export function toAttributeDict(attributes: Record<string, unknown>): AttributeDict {
  const dict: AttributeDict = {};
  for (const [name, value] of Object.entries(attributes)) {
    const resolved = attributeTag(name);
    if (!resolved) continue;
    if (isElement(value)) dict[resolved.tag] = value;
    else dict[resolved.tag] = { Value: value === undefined || value === null ? [] : Array.isArray(value) ? (value as unknown[]) : [value] };
  }
  return dict;
}
