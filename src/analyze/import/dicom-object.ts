import dcmjs from 'dcmjs';
import { RadbridgeError } from '../../domain/errors.js';
import { decimals } from '../../imaging/decimal-attributes.js';
import { text, type JsonDict } from '../../imaging/pixel-description.js';

/** A third-party object read whole with dcmjs: its data set in the DICOM JSON shape dcmjs gives, keyed by tag. */
export interface DicomObject {
  dict: JsonDict;
  sopClassUid: string;
  sopInstanceUid: string;
  /** The whole Part 10 file, for readers that decode pixel data. */
  bytes: Uint8Array;
}

/** Objects beyond this size are refused before parsing: results are small; a huge one is not a result. */
export const MAX_RESULT_OBJECT_BYTES = 512 * 1024 * 1024;

const TEXT_VRS = new Set(['SH', 'LO', 'ST', 'LT', 'UT', 'UC', 'PN']);

/** A string dcmjs decoded as Latin-1, decoded again as the UTF-8 it was. */
const utf8 = (latin1: string): string => Buffer.from(latin1, 'latin1').toString('utf8');

function redecodeValue(value: unknown): unknown {
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? utf8(v) : v]));
  }
  return value;
}

/** The text of every sequence item below `dict`, decoded as UTF-8. */
function redecodeItems(dict: JsonDict, nested: boolean): void {
  for (const element of Object.values(dict)) {
    if (!element) continue;
    const values = element.Value ?? [];
    if (element.vr === 'SQ') values.forEach((item) => redecodeItems(item as JsonDict, true));
    else if (nested && element.vr && TEXT_VRS.has(element.vr)) element.Value = values.map(redecodeValue);
  }
}

/**
 * dcmjs decodes the top level of a data set in its Specific Character Set but the items of its
 * sequences as Latin-1; for a UTF-8 (ISO_IR 192) object, such as every SR the hub writes, the text
 * inside sequences (an SR's whole content tree) is decoded again here.
 */
function fixNestedUtf8(dict: JsonDict): void {
  const charset: { _rawValue?: unknown[]; Value?: unknown[] } | undefined = dict['00080005'];
  if ((charset?._rawValue ?? charset?.Value)?.[0] === 'ISO_IR 192') redecodeItems(dict, false);
}

export function readDicomObject(bytes: Uint8Array): DicomObject {
  if (bytes.byteLength > MAX_RESULT_OBJECT_BYTES) {
    throw new RadbridgeError('DICOM_LIMIT_EXCEEDED', `object of ${bytes.byteLength} bytes exceeds the ${MAX_RESULT_OBJECT_BYTES} bytes a result may have`);
  }
  let dict: JsonDict;
  try {
    // ignoreErrors: a character set dcmjs does not know degrades the text instead of refusing the result.
    dict = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, { ignoreErrors: true }).dict;
  } catch (err) {
    throw new RadbridgeError('DICOM_MALFORMED', `object cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  fixNestedUtf8(dict);
  const sopClassUid = text(dict, '00080016');
  const sopInstanceUid = text(dict, '00080018');
  if (!sopClassUid || !sopInstanceUid) throw new RadbridgeError('DICOM_MISSING_ATTRIBUTE', 'SOP Class UID (0008,0016) or SOP Instance UID (0008,0018) is missing');
  return { dict, sopClassUid, sopInstanceUid, bytes };
}

/** The items of a sequence attribute; none when absent or empty. */
export function itemsOf(dict: JsonDict, tag: string): JsonDict[] {
  const values = dict[tag]?.Value ?? [];
  return values.filter((v): v is JsonDict => typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer));
}

/** The first item of a sequence attribute. */
export function firstItem(dict: JsonDict, tag: string): JsonDict | undefined {
  return itemsOf(dict, tag)[0];
}

/** An integer attribute's first value (IS, US, UL, SS); undefined when absent or not an integer. */
export function integerOf(dict: JsonDict, tag: string): number | undefined {
  const raw = dict[tag]?.Value?.[0];
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  return Number.isInteger(n) ? n : undefined;
}

/** Every value of an integer attribute; values that are not integers are left out. */
export function integersOf(dict: JsonDict, tag: string): number[] {
  return (dict[tag]?.Value ?? []).map(Number).filter((n) => Number.isInteger(n));
}

/** The numbers of a decimal or float attribute (DS, FL, FD); none when absent. */
export function numbersOf(dict: JsonDict, tag: string, name: string): number[] {
  return decimals(dict, tag, name) ?? [];
}

/** A text attribute's first value, trimmed; undefined when absent or empty. */
export function textOf(dict: JsonDict, tag: string): string | undefined {
  const value = text(dict, tag);
  return value === '' ? undefined : value;
}

export type { JsonDict };
