import type { CriticalityLevel, CriticalityRule, CriticalityTable } from './criticality-table.js';
import type { Injury, InjuryMeasurement } from './injury-summary.js';
import { convertUnit } from './ucum-units.js';

/**
 * Criticality of a study from its injuries and the table, pure: each rule that an injury meets gives
 * its level and a reason ("intracranial haemorrhage of 32 mL ≥ 30 mL"); the study takes the highest
 * level, with every reason. A rule with a threshold that cannot be checked (no such measurement, a
 * unit that cannot be converted) does not fire and says why in `unchecked`. No injuries: Routine.
 */

export interface CriticalityReason {
  level: Exclude<CriticalityLevel, 'routine'>;
  rule: string;
  injuryId: string;
  reason: string;
}

export interface Criticality {
  level: CriticalityLevel;
  reasons: CriticalityReason[];
  /** Rules that matched an injury but whose threshold could not be checked, and why. */
  unchecked: Array<{ rule: string; injuryId: string; reason: string }>;
}

const rank: Record<CriticalityLevel, number> = { routine: 0, urgent: 1, critical: 2 };

const round = (v: number): number => Math.round(v * 100) / 100;

const matches = (rule: CriticalityRule, injury: Injury): boolean =>
  injury.presence === 'present' &&
  rule.finding.scheme === injury.type.scheme && rule.finding.value === injury.type.value &&
  (!rule.site || (rule.site.scheme === injury.site?.scheme && rule.site.value === injury.site.value));

type Outcome = { fired: true; reason: string } | { fired: false; unchecked?: string };

function measured(rule: CriticalityRule, injury: Injury): Outcome {
  const t = rule.measurement;
  if (!t) return { fired: true, reason: `${rule.label} present` };
  const candidates = injury.measurements.filter((m) => m.concept.scheme === t.concept.scheme && m.concept.value === t.concept.value);
  if (candidates.length === 0) return { fired: false, unchecked: `${rule.label}: no ${t.concept.value} measurement to compare with ${t.atLeast} ${t.unit}` };
  let best: { m: InjuryMeasurement; value: number } | undefined;
  const unknown: string[] = [];
  for (const m of candidates) {
    const value = convertUnit(m.value, m.unit.value, t.unit);
    if (value === undefined) unknown.push(m.unit.value);
    else if (!best || value > best.value) best = { m, value };
  }
  if (!best) return { fired: false, unchecked: `${rule.label}: unit ${unknown.join(', ')} cannot be compared with ${t.unit}` };
  if (best.value < t.atLeast) return { fired: false };
  return { fired: true, reason: `${rule.label} of ${round(best.value)} ${t.unit} ≥ ${t.atLeast} ${t.unit}` };
}

export function evaluateCriticality(injuries: readonly Injury[], table: CriticalityTable): Criticality {
  const reasons: CriticalityReason[] = [];
  const unchecked: Criticality['unchecked'] = [];
  for (const injury of injuries) {
    for (const rule of table.rules) {
      if (!matches(rule, injury)) continue;
      const outcome = measured(rule, injury);
      if (outcome.fired) reasons.push({ level: rule.level, rule: rule.id, injuryId: injury.id, reason: outcome.reason });
      else if (outcome.unchecked) unchecked.push({ rule: rule.id, injuryId: injury.id, reason: outcome.unchecked });
    }
  }
  reasons.sort((a, b) => rank[b.level] - rank[a.level]);
  const level = reasons.reduce<CriticalityLevel>((l, r) => (rank[r.level] > rank[l] ? r.level : l), 'routine');
  return { level, reasons, unchecked };
}
