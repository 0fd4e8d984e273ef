/**
 * Injury Severity Score (Baker et al. 1974) and New Injury Severity Score (Osler et al. 1997) from
 * AIS severities, pure. ISS: the sum of squares of the highest AIS in each of the three most
 * severely injured of the six ISS body regions. NISS: the sum of squares of the three highest AIS
 * whatever their region. Either is 75 when any injury is AIS 6. AIS 9 (unknown severity) counts
 * for neither; with no scorable injury both are 0.
 */

export const issRegions = ['head-neck', 'face', 'chest', 'abdomen', 'extremities', 'external'] as const;
export type IssRegion = (typeof issRegions)[number];

/** AIS severity 1 (minor) .. 6 (maximal); 9: not further specified. */
export type AisSeverity = 1 | 2 | 3 | 4 | 5 | 6 | 9;

export interface ScoredInjury {
  severity: AisSeverity;
  region: IssRegion;
}

export interface SeverityScores {
  iss: number;
  niss: number;
  /** The highest AIS per region that went into the ISS, most severe first. */
  issRegions: Array<{ region: IssRegion; severity: number }>;
  /** Injuries left out for AIS 9. */
  unscored: number;
}

const squares = (values: readonly number[]): number => values.reduce((s, v) => s + v * v, 0);

export function severityScores(injuries: readonly ScoredInjury[]): SeverityScores {
  const scored = injuries.filter((i) => i.severity !== 9);
  const highest = new Map<IssRegion, number>();
  for (const i of scored) highest.set(i.region, Math.max(highest.get(i.region) ?? 0, i.severity));
  const regions = [...highest.entries()].map(([region, severity]) => ({ region, severity })).sort((a, b) => b.severity - a.severity || issRegions.indexOf(a.region) - issRegions.indexOf(b.region));
  const top = regions.slice(0, 3);
  const maximal = scored.some((i) => i.severity === 6);
  const three = scored.map((i) => i.severity as number).sort((a, b) => b - a).slice(0, 3);
  return {
    iss: maximal ? 75 : squares(top.map((r) => r.severity)),
    niss: maximal ? 75 : squares(three),
    issRegions: top,
    unscored: injuries.length - scored.length,
  };
}
