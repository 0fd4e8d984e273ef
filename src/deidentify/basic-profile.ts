import { groupOf, textElement, textValue, withElement, type DicomElement, type DicomItem, type Tag } from './dicom-tree.js';
import { basicProfileTable, type BasicProfileCode } from './profile-table.js';

/**
 * The Basic Application Level Confidentiality Profile (PS3.15 E.1) applied to a data set, with no
 * options. How the combined codes are resolved without an IOD table, and why overlays go whole:
 * docs/adr/0014-deidentification.md.
 */

const codes = new Map<Tag, BasicProfileCode>(basicProfileTable.map(([tag, code]) => [Number.parseInt(tag, 16), code]));

/** What happens to one element: the table's code, or K for every attribute the table does not name. */
export function basicProfileCode(tag: Tag): BasicProfileCode | 'K' {
  const group = groupOf(tag);
  if (group % 2 === 1) return 'X'; // private attributes, with their creators
  if (group >= 0x5000 && group <= 0x50ff) return 'X'; // curve data (50xx,xxxx)
  if (group >= 0x6000 && group <= 0x60ff) return 'X'; // overlay data and comments, with the rest of their overlay plane
  return codes.get(tag) ?? 'K';
}

type Resolved = 'K' | 'X' | 'Z' | 'D' | 'U';

function hasValue(e: DicomElement): boolean {
  if (e.kind === 'sequence') return e.items.length > 0;
  return e.kind === 'fragments' || e.value.length > 0;
}

/**
 * A combined code picks the alternative that keeps any IOD valid: Z where an empty value is
 * allowed (Type 2), D where a value is required (Type 1). Without an IOD table, a present value is
 * taken as possibly required (D, which carries nothing of the original), an empty one as allowed.
 */
export function resolveCode(code: BasicProfileCode | 'K', e: DicomElement): Resolved {
  switch (code) {
    case 'X/Z':
      return 'Z';
    case 'X/D':
      return hasValue(e) ? 'D' : 'X';
    case 'Z/D':
    case 'X/Z/D':
      return hasValue(e) ? 'D' : 'Z';
    case 'X/Z/U*':
      return e.kind === 'sequence' ? 'K' : 'Z';
    default:
      return code;
  }
}

const DUMMY_TEXT: Record<string, string> = {
  AE: 'ANONYMOUS',
  AS: '000D',
  CS: 'ANONYMOUS',
  DA: '19000101',
  DS: '0',
  DT: '19000101000000',
  IS: '0',
  LO: 'ANONYMOUS',
  LT: 'ANONYMOUS',
  PN: 'ANONYMOUS',
  SH: 'ANONYMOUS',
  ST: 'ANONYMOUS',
  TM: '000000',
  UC: 'ANONYMOUS',
  UR: '',
  UT: 'ANONYMOUS',
};

export interface ProfileContext {
  /** The replacement of an original UID; the same original always gets the same replacement. */
  replaceUid: (uid: string) => string;
}

function replaceUids(value: Buffer, ctx: ProfileContext): Buffer {
  const uids = value.toString('latin1').replace(/[\0 ]+$/, '').split('\\');
  return textValue('UI', uids.map((u) => (u.trim() === '' ? u : ctx.replaceUid(u.trim()))).join('\\'));
}

function dummy(e: DicomElement, ctx: ProfileContext): DicomElement {
  if (e.kind === 'sequence') return { ...e, items: e.items.map((item) => applyBasicProfile(item, ctx)) };
  if (e.kind === 'fragments') return { kind: 'value', tag: e.tag, vr: e.vr, value: Buffer.alloc(0) };
  if (e.vr === 'UI') return { ...e, value: replaceUids(e.value, ctx) };
  const text = DUMMY_TEXT[e.vr];
  return text === undefined ? { ...e, value: Buffer.alloc(e.value.length) } : textElement(e.tag, e.vr, text);
}

function applyToElement(e: DicomElement, ctx: ProfileContext): DicomElement | undefined {
  switch (resolveCode(basicProfileCode(e.tag), e)) {
    case 'X':
      return undefined;
    case 'Z':
      return e.kind === 'sequence' ? { ...e, items: [] } : { kind: 'value', tag: e.tag, vr: e.vr, value: Buffer.alloc(0) };
    case 'D':
      return dummy(e, ctx);
    case 'U':
      return e.kind === 'value' ? { ...e, value: replaceUids(e.value, ctx) } : undefined;
    case 'K':
      return e.kind === 'sequence' ? { ...e, items: e.items.map((item) => applyBasicProfile(item, ctx)) } : e;
  }
}

/** A new item with every element, at every depth of its sequences, treated by the basic profile. */
export function applyBasicProfile(item: DicomItem, ctx: ProfileContext): DicomItem {
  const out: DicomItem = [];
  for (const e of item) {
    const treated = applyToElement(e, ctx);
    if (treated) out.push(treated);
  }
  return out;
}

export const BASIC_PROFILE_CODE = { value: '113100', scheme: 'DCM', meaning: 'Basic Application Confidentiality Profile' } as const;
export const CLEAN_PIXEL_DATA_CODE = { value: '113101', scheme: 'DCM', meaning: 'Clean Pixel Data Option' } as const;

type MethodCode = typeof BASIC_PROFILE_CODE | typeof CLEAN_PIXEL_DATA_CODE;

/** Patient Identity Removed YES, De-identification Method and its Code Sequence naming what was done. */
export function markDeidentified(dataset: DicomItem, methods: readonly MethodCode[]): DicomItem {
  const items: DicomItem[] = methods.map((m) => [
    textElement(0x00080100, 'SH', m.value),
    textElement(0x00080102, 'SH', m.scheme),
    textElement(0x00080104, 'LO', m.meaning),
  ]);
  let out = withElement(dataset, textElement(0x00120062, 'CS', 'YES'));
  out = withElement(out, textElement(0x00120063, 'LO', methods.map((m) => m.meaning).join('\\')));
  return withElement(out, { kind: 'sequence', tag: 0x00120064, vr: 'SQ', items });
}
