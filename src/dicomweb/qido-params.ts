import dcmjs from 'dcmjs';
import { RadbridgeError } from '../domain/errors.js';

/** QIDO-RS query parameters (PS3.18 8.3.4) read into matching rules (PS3.4 C.2.2.2). */

export type QidoLevel = 'study' | 'series' | 'instance';

export const queryKeys = {
  PatientName: { tag: '00100010', vr: 'PN', level: 'patient' },
  PatientID: { tag: '00100020', vr: 'LO', level: 'patient' },
  StudyInstanceUID: { tag: '0020000D', vr: 'UI', level: 'study' },
  AccessionNumber: { tag: '00080050', vr: 'SH', level: 'study' },
  StudyDate: { tag: '00080020', vr: 'DA', level: 'study' },
  StudyTime: { tag: '00080030', vr: 'TM', level: 'study' },
  ModalitiesInStudy: { tag: '00080061', vr: 'CS', level: 'study' },
  StudyDescription: { tag: '00081030', vr: 'LO', level: 'study' },
  ReferringPhysicianName: { tag: '00080090', vr: 'PN', level: 'study' },
  SeriesInstanceUID: { tag: '0020000E', vr: 'UI', level: 'series' },
  Modality: { tag: '00080060', vr: 'CS', level: 'series' },
  SeriesNumber: { tag: '00200011', vr: 'IS', level: 'series' },
  BodyPartExamined: { tag: '00180015', vr: 'CS', level: 'series' },
  SeriesDescription: { tag: '0008103E', vr: 'LO', level: 'series' },
  SOPInstanceUID: { tag: '00080018', vr: 'UI', level: 'instance' },
  SOPClassUID: { tag: '00080016', vr: 'UI', level: 'instance' },
  InstanceNumber: { tag: '00200013', vr: 'IS', level: 'instance' },
} as const;

export type QueryKeyword = keyof typeof queryKeys;

export type Matcher =
  | { kind: 'single'; value: string | number }
  | { kind: 'list'; values: string[] }
  /** A SQL LIKE pattern with '!' as its escape character. */
  | { kind: 'wildcard'; pattern: string }
  | { kind: 'range'; from: string | undefined; to: string | undefined };

export interface QueryFilter {
  key: QueryKeyword;
  /** Names are matched without regard to case. */
  caseInsensitive: boolean;
  matcher: Matcher;
}

export interface QidoQuery {
  filters: QueryFilter[];
  limit: number;
  offset: number;
  /** Tags (8 upper-case hex digits) to return beyond the defaults; 'all' returns every attribute held. */
  include: Set<string> | 'all';
}

export const MAX_RESULTS = 1000;

const levelRank = { patient: 0, study: 1, series: 2, instance: 3 } as const;
const plural = { study: 'studies', series: 'series', instance: 'instances' } as const;
const keyByTag = new Map<string, QueryKeyword>(Object.entries(queryKeys).map(([keyword, k]) => [k.tag, keyword as QueryKeyword]));
const controlParameters = new Set(['limit', 'offset', 'includefield', 'fuzzymatching']);

export type QueryParameters = Record<string, string | string[] | undefined>;

/** Reads the query string of a search at `level`; throws BAD_REQUEST naming the first problem. */
export function parseQidoQuery(params: QueryParameters, level: QidoLevel): QidoQuery {
  const include = new Set<string>();
  let includeAll = false;
  const filters: QueryFilter[] = [];
  for (const [name, raw] of Object.entries(params)) {
    const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    if (name === 'includefield') {
      for (const field of values.flatMap((v) => v.split(',')).map((f) => f.trim())) {
        if (field === 'all') includeAll = true;
        else if (field !== '') include.add(tagOf(field, 'includefield'));
      }
      continue;
    }
    if (controlParameters.has(name)) continue;
    const key = queryKeyOf(name, level);
    include.add(queryKeys[key].tag);
    const matcher = matcherOf(key, values);
    if (matcher) filters.push({ key, caseInsensitive: queryKeys[key].vr === 'PN', matcher });
  }
  return {
    filters,
    limit: Math.min(count(params.limit, 'limit', 1) ?? MAX_RESULTS, MAX_RESULTS),
    offset: count(params.offset, 'offset', 0) ?? 0,
    include: includeAll ? 'all' : include,
  };
}

function queryKeyOf(name: string, level: QidoLevel): QueryKeyword {
  const key = /^[0-9a-f]{8}$/i.test(name) ? keyByTag.get(name.toUpperCase()) : Object.hasOwn(queryKeys, name) ? (name as QueryKeyword) : undefined;
  if (!key) {
    throw new RadbridgeError('BAD_REQUEST', `unknown query key "${name}": use one of ${Object.keys(queryKeys).join(', ')} (or its tag), limit, offset, includefield`);
  }
  const keyLevel = queryKeys[key].level;
  if (levelRank[keyLevel] > levelRank[level]) {
    throw new RadbridgeError('BAD_REQUEST', `${key} is an attribute of the ${keyLevel} level and cannot be matched in a search for ${plural[level]}`);
  }
  return key;
}

function tagOf(field: string, parameter: string): string {
  if (/^[0-9a-f]{8}$/i.test(field)) return field.toUpperCase();
  const nameMap = dcmjs.data.DicomMetaDictionary.nameMap;
  const entry = Object.hasOwn(nameMap, field) ? nameMap[field] : undefined;
  if (!entry) throw new RadbridgeError('BAD_REQUEST', `unknown attribute "${field}" in ${parameter}: use a DICOM keyword or an 8-hex tag`);
  return entry.tag.replace(/[(),]/g, '').toUpperCase();
}

function count(raw: string | string[] | undefined, name: string, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const text = Array.isArray(raw) ? raw.join(',') : raw;
  const n = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min)) throw new RadbridgeError('BAD_REQUEST', `${name} must be an integer of at least ${min}, not "${text}"`);
  return n;
}

/** The matching rule for one key, or undefined for universal matching (an empty value or "*"). */
function matcherOf(key: QueryKeyword, values: string[]): Matcher | undefined {
  const { vr } = queryKeys[key];
  if (values.length > 1 && vr !== 'UI') throw new RadbridgeError('BAD_REQUEST', `${key} is given more than once`);
  const value = values.join('\\');
  if (value === '' || value === '*') return undefined;
  if (vr === 'UI' || key === 'ModalitiesInStudy') {
    if (vr === 'UI' && /[*?]/.test(value)) throw new RadbridgeError('BAD_REQUEST', `${key} takes UIDs, not wildcards`);
    const list = value.split(/[,\\]/).filter((v) => v !== '');
    if (list.length > 1) return { kind: 'list', values: list };
  }
  if (vr === 'IS') {
    if (!/^[+-]?\d{1,9}$/.test(value.trim())) throw new RadbridgeError('BAD_REQUEST', `${key} takes an integer, not "${value}"`);
    return { kind: 'single', value: Number(value) };
  }
  if (vr === 'DA' || vr === 'TM') return dateTimeMatcher(key, vr, value);
  if (/[*?]/.test(value)) return { kind: 'wildcard', pattern: likePattern(value) };
  return { kind: 'single', value };
}

const datePattern = { DA: /^\d{8}$/, TM: /^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/ } as const;

function dateTimeMatcher(key: QueryKeyword, vr: 'DA' | 'TM', value: string): Matcher {
  const parts = value.split('-');
  if (parts.length > 2 || parts.every((p) => p === '') || parts.some((p) => p !== '' && !datePattern[vr].test(p))) {
    throw new RadbridgeError('BAD_REQUEST', `${key} takes ${vr === 'DA' ? 'YYYYMMDD' : 'HHMMSS'} or a range such as ${vr === 'DA' ? '20260101-20261231' : '080000-120000'}, not "${value}"`);
  }
  const [from, to] = parts;
  if (to === undefined) return { kind: 'single', value };
  return { kind: 'range', from: from || undefined, to: to || undefined };
}

/** Turns DICOM wildcards into a LIKE pattern, escaping LIKE's own wildcards with '!'. */
function likePattern(value: string): string {
  return value.replace(/[!%_]/g, '!$&').replace(/\*/g, '%').replace(/\?/g, '_');
}
