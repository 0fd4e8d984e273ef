import { createHash } from 'node:crypto';
import type { Code, Finding, Laterality, Measurement } from './finding.js';
import { convertUnit } from './ucum-units.js';

/**
 * One injury list per study from every analyzer and series, pure. The same finding type at the same
 * site and side becomes one injury, whoever reported it and on whichever series (a pan-scan and a
 * dedicated head series, a built-in analyzer and a third-party SR): it lists its sources, keeps for
 * each measured concept the largest value with the source that measured it, and carries its codes.
 * Absent findings are not injuries; an injury is present when any source says present.
 */

/** What the summary needs of a stored analysis result (src/store/analysis-results.ts). */
export interface ResultForSummary {
  analyzerId: string;
  analyzerVersion: string;
  seriesUids: string[];
  findings: Finding[];
}

export interface InjurySource {
  /** analyzer@version. */
  analyzer: string;
  seriesUids: string[];
  presence: Finding['presence'];
  confidence?: number;
}

export interface InjuryMeasurement extends Measurement {
  /** analyzer@version of the largest value. */
  source: string;
}

export interface Injury {
  /** Stable for the same type, site and side: the key a person's AIS confirmation is stored under. */
  id: string;
  type: Code;
  site?: Code;
  laterality?: Laterality;
  presence: 'present' | 'indeterminate';
  /** The highest confidence any source gave. */
  confidence?: number;
  measurements: InjuryMeasurement[];
  sources: InjurySource[];
  /** The type and site codes. */
  codes: Code[];
}

const codeKey = (c: Code | undefined): string => (c ? `${c.scheme}|${c.value}` : '');

export const injuryKey = (f: Pick<Finding, 'type' | 'site' | 'laterality'>): string => `${codeKey(f.type)}#${codeKey(f.site)}#${f.laterality ?? ''}`;

export const injuryIdOf = (key: string): string => createHash('sha256').update(key).digest('hex').slice(0, 16);

/** A measured value in a unit all values of its concept share (mL for volumes, mm for lengths), for comparing. */
function comparable(m: Measurement): { key: string; value: number } {
  const ml = convertUnit(m.value, m.unit.value, 'mL');
  if (ml !== undefined) return { key: `${codeKey(m.concept)}@volume`, value: ml };
  const mm = convertUnit(m.value, m.unit.value, 'mm');
  if (mm !== undefined) return { key: `${codeKey(m.concept)}@length`, value: mm };
  return { key: `${codeKey(m.concept)}@${m.unit.value}`, value: m.value };
}

function keepLargest(into: InjuryMeasurement[], m: Measurement, source: string): void {
  const { key, value } = comparable(m);
  const at = into.findIndex((x) => comparable(x).key === key);
  const before = at < 0 ? undefined : into[at];
  if (before && comparable(before).value >= value) return;
  const kept: InjuryMeasurement = { ...m, source };
  if (at < 0) into.push(kept);
  else into[at] = kept;
}

function sameSource(a: InjurySource, b: InjurySource): boolean {
  return a.analyzer === b.analyzer && a.seriesUids.join('\n') === b.seriesUids.join('\n');
}

function addFinding(injury: Injury, f: Finding, source: InjurySource): void {
  const seen = injury.sources.find((s) => sameSource(s, source));
  if (!seen) injury.sources.push(source);
  else if ((source.confidence ?? -1) > (seen.confidence ?? -1)) seen.confidence = source.confidence;
  if (f.presence === 'present') injury.presence = 'present';
  if (f.confidence !== undefined && f.confidence > (injury.confidence ?? -1)) injury.confidence = f.confidence;
  for (const m of f.measurements) keepLargest(injury.measurements, m, source.analyzer);
}

function newInjury(key: string, f: Finding): Injury {
  return {
    id: injuryIdOf(key),
    type: f.type,
    ...(f.site ? { site: f.site } : {}),
    ...(f.laterality ? { laterality: f.laterality } : {}),
    presence: 'indeterminate',
    measurements: [],
    sources: [],
    codes: f.site ? [f.type, f.site] : [f.type],
  };
}

/** The study's injuries, in the order they were first reported. */
export function summarizeInjuries(results: readonly ResultForSummary[]): Injury[] {
  const injuries = new Map<string, Injury>();
  for (const r of results) {
    const analyzer = `${r.analyzerId}@${r.analyzerVersion}`;
    for (const f of r.findings) {
      if (f.presence === 'absent') continue;
      const key = injuryKey(f);
      let injury = injuries.get(key);
      if (!injury) injuries.set(key, (injury = newInjury(key, f)));
      const seriesUids = f.location?.images.length ? [...new Set(f.location.images.map((i) => i.seriesUid))] : r.seriesUids;
      addFinding(injury, f, { analyzer, seriesUids, presence: f.presence, ...(f.confidence !== undefined ? { confidence: f.confidence } : {}) });
    }
  }
  return [...injuries.values()];
}
