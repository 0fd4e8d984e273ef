import { mapAis, type AisMapping } from './ais-mapping.js';
import { evaluateCriticality, type Criticality } from './criticality.js';
import type { CriticalityTable } from './criticality-table.js';
import { severityScores, type AisSeverity, type IssRegion, type ScoredInjury, type SeverityScores } from './injury-severity-score.js';
import { summarizeInjuries, type Injury, type ResultForSummary } from './injury-summary.js';

/**
 * The study's injury report, pure: the merged injuries, each with its AIS (provisional from the
 * site's mapping, or as a person confirmed or rejected it), the criticality, and ISS/NISS over the
 * confirmed AIS only and over all AIS not rejected.
 */

/** A person's latest decision on an injury's AIS. */
export interface AisDecision {
  injuryId: string;
  confirmed: boolean;
  /** The severity the person set, when it differs from the mapping. */
  severity?: AisSeverity;
  reason: string;
  by: string;
  at: number;
}

export interface InjuryAis {
  status: 'provisional' | 'confirmed' | 'rejected';
  code?: string;
  severity: AisSeverity;
  /** The mapping's severity, when a person set another. */
  mappedSeverity?: AisSeverity;
  region: IssRegion;
  dictionary: string;
  decision?: { by: string; reason: string; at: number };
}

export interface StudyInjuries {
  studyUid: string;
  injuries: Array<Injury & { ais?: InjuryAis }>;
  criticality: Criticality;
  severity: { confirmed: SeverityScores; all: SeverityScores; provisional: number; confirmedCount: number; unmapped: number };
}

function aisOf(injury: Injury, mapping: AisMapping | undefined, decision: AisDecision | undefined): InjuryAis | undefined {
  const mapped = mapping ? mapAis(injury, mapping) : undefined;
  if (!mapped) return undefined;
  const { code, severity, region, dictionary } = mapped;
  if (!decision) return { status: 'provisional', ...(code ? { code } : {}), severity, region, dictionary };
  const decided = { by: decision.by, reason: decision.reason, at: decision.at };
  if (!decision.confirmed) return { status: 'rejected', ...(code ? { code } : {}), severity, region, dictionary, decision: decided };
  // A person's other severity no longer matches the mapped code's severity digit: the code is dropped.
  if (decision.severity !== undefined && decision.severity !== severity) return { status: 'confirmed', severity: decision.severity, mappedSeverity: severity, region, dictionary, decision: decided };
  return { status: 'confirmed', ...(code ? { code } : {}), severity, region, dictionary, decision: decided };
}

export function studyInjuries(
  studyUid: string,
  results: readonly ResultForSummary[],
  table: CriticalityTable,
  mapping: AisMapping | undefined,
  decisions: readonly AisDecision[],
): StudyInjuries {
  const latest = new Map(decisions.map((d) => [d.injuryId, d]));
  const injuries = summarizeInjuries(results).map((injury) => {
    const ais = aisOf(injury, mapping, latest.get(injury.id));
    return ais ? { ...injury, ais } : injury;
  });
  const scored = (status: Array<InjuryAis['status']>): ScoredInjury[] =>
    injuries.flatMap((i) => ('ais' in i && i.ais && status.includes(i.ais.status) ? [{ severity: i.ais.severity, region: i.ais.region }] : []));
  const statuses = injuries.map((i) => ('ais' in i ? i.ais?.status : undefined));
  return {
    studyUid,
    injuries,
    criticality: evaluateCriticality(injuries, table),
    severity: {
      confirmed: severityScores(scored(['confirmed'])),
      all: severityScores(scored(['confirmed', 'provisional'])),
      provisional: statuses.filter((s) => s === 'provisional').length,
      confirmedCount: statuses.filter((s) => s === 'confirmed').length,
      unmapped: statuses.filter((s) => s === undefined).length,
    },
  };
}
