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
  return e.kind === 'fragments' || (e.kind === 'value' && e.value.length > 0);
}

/** Sequences that are Type 2 wherever the standard uses them: present, they may be empty. */
const TYPE_2_SEQUENCES = new Set<Tag>([0x00400555]);

/**
 * A combined code picks the alternative that keeps any IOD valid: Z where an empty value is
 * allowed (Type 2), D where a value is required (Type 1). Without an IOD table, a present value is
 * taken as possibly required (D, which carries nothing of the original), an empty one as allowed.
 * A sequence is removed where the code allows it, as an empty sequence is invalid where it is
 * optional (Type 3, one or more items), and kept empty only where it is Type 2.
 */
export function resolveCode(code: BasicProfileCode | 'K', e: DicomElement): Resolved {
  if (e.kind === 'sequence') {
    if (code === 'X/Z/U*') return 'K';
    if (code === 'X/Z') return TYPE_2_SEQUENCES.has(e.tag) ? 'Z' : 'X';
    if (code === 'X/D' || code === 'X/Z/D') return 'X';
    if (code === 'Z/D') return 'Z';
    return code;
  }
  switch (code) {
    case 'X/Z':
      return 'Z';
    case 'X/D':
      return hasValue(e) ? 'D' : 'X';
    case 'Z/D':
    case 'X/Z/D':
    case 'X/Z/U*':
      return hasValue(e) ? 'D' : 'Z';
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

const CODE_VALUE = 0x00080100;
const CODING_SCHEME = 0x00080102;
const CODE_MEANING = 0x00080104;
const DUMMY_CODE: DicomItem = [textElement(CODE_VALUE, 'SH', 'ANONYMOUS'), textElement(CODING_SCHEME, 'SH', '99RADBRIDGE'), textElement(CODE_MEANING, 'LO', 'ANONYMOUS')];

/**
 * A dummy sequence: a code sequence (one whose items are codes, such as a person's identification
 * code) gets one dummy code; any other keeps its items with the profile applied inside them.
 */
function dummySequence(e: Extract<DicomElement, { kind: 'sequence' }>, ctx: ProfileContext): DicomElement {
  const codes = e.items.length > 0 && e.items.every((item) => item.some((x) => x.tag === CODE_VALUE || x.tag === CODE_MEANING));
  return { ...e, items: codes ? [DUMMY_CODE] : e.items.map((item) => applyBasicProfile(item, ctx)) };
}

function dummy(e: DicomElement, ctx: ProfileContext): DicomElement {
  if (e.kind === 'sequence') return dummySequence(e, ctx);
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
