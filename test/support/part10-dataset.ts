import dcmjs from 'dcmjs';
import { parseFilePrefix } from '../../src/dicom/part10.js';

/** The data set of a Part 10 file, after its preamble and meta group: what a peer must keep byte for byte. */
export function datasetOf(bytes: Buffer): Buffer {
  const prefix = parseFilePrefix(bytes, true);
  if (!prefix) throw new Error('not a Part 10 file');
  return bytes.subarray(prefix.length);
}

export type Naturalized = Record<string, unknown>;

/** A Part 10 file's data set as dcmjs names it, by keyword. */
export function naturalized(bytes: Buffer): Naturalized {
  const file = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(file.dict);
}

/** The items of a naturalized sequence. */
export const itemsOf = (value: unknown): Naturalized[] => (Array.isArray(value) ? (value as Naturalized[]) : value ? [value as Naturalized] : []);
