import dcmjs from 'dcmjs';
import type { FileMeta } from '../dicom/part10.js';
import type { TransferSyntax } from '../dicom/transfer-syntaxes.js';

/**
 * A whole DICOM object held as a tree of elements whose values stay the bytes they were read as,
 * so that rewriting it changes only what de-identification changes (pixel data included).
 */

/** (group << 16 | element), unsigned. */
export type Tag = number;

export type DicomElement =
  | { kind: 'value'; tag: Tag; vr: string; value: Buffer }
  | { kind: 'sequence'; tag: Tag; vr: string; items: DicomItem[] }
  /** Encapsulated pixel data: the item bytes after the element header, through the sequence delimiter. */
  | { kind: 'fragments'; tag: Tag; vr: string; bytes: Buffer };

export type DicomItem = DicomElement[];

export interface DicomObject {
  meta: FileMeta;
  syntax: TransferSyntax;
  dataset: DicomItem;
}

export const PIXEL_DATA: Tag = 0x7fe00010;

export function groupOf(tag: Tag): number {
  return tag >>> 16;
}

export function tagName(tag: Tag): string {
  const hex = tag.toString(16).toUpperCase().padStart(8, '0');
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}

const dictionary = dcmjs.data.DicomMetaDictionary.dictionary;
const AMBIGUOUS_VRS: Record<string, string> = { ox: 'OW', xs: 'US', lt: 'OW' };

/** The VR an Implicit VR data set leaves unsaid, from the data dictionary; UN when unknown. */
export function dictionaryVr(tag: Tag): string {
  if ((tag & 0xffff) === 0) return 'UL';
  const vr = dictionary[tagName(tag)]?.vr;
  if (!vr) return 'UN';
  return AMBIGUOUS_VRS[vr] ?? (/^[A-Z]{2}$/.test(vr) ? vr : 'UN');
}

export function findElement(item: DicomItem, tag: Tag): DicomElement | undefined {
  return item.find((e) => e.tag === tag);
}

/** A text value without its padding; undefined when absent or not a plain value. */
export function textOf(item: DicomItem, tag: Tag): string | undefined {
  const e = findElement(item, tag);
  return e?.kind === 'value' ? e.value.toString('latin1').replace(/[\0 ]+$/, '').trim() : undefined;
}

/** An unsigned 16-bit value (US) in the object's byte order. */
export function unsignedShortOf(object: DicomObject, tag: Tag): number | undefined {
  const e = findElement(object.dataset, tag);
  if (e?.kind !== 'value' || e.value.length < 2) return undefined;
  return object.syntax.littleEndian ? e.value.readUInt16LE(0) : e.value.readUInt16BE(0);
}

/** A text value padded to even length as its VR requires (UI with NUL, others with a space). */
export function textValue(vr: string, text: string): Buffer {
  const bytes = Buffer.from(text, 'latin1');
  return bytes.length % 2 === 0 ? bytes : Buffer.concat([bytes, Buffer.from([vr === 'UI' ? 0 : 0x20])]);
}

export function textElement(tag: Tag, vr: string, text: string): DicomElement {
  return { kind: 'value', tag, vr, value: textValue(vr, text) };
}

/** Puts `element` in place of the one with its tag, or inserts it in tag order. */
export function withElement(item: DicomItem, element: DicomElement): DicomItem {
  return [...item.filter((e) => e.tag !== element.tag), element].sort((a, b) => a.tag - b.tag);
}
