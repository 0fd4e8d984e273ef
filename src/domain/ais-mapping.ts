import { z } from 'zod';
import type { Injury } from './injury-summary.js';
import { issRegions, type AisSeverity, type IssRegion } from './injury-severity-score.js';
import { convertUnit, knownUnits } from './ucum-units.js';

/**
 * A site's mapping from finding codes to AIS (docs/ais-mapping-example.yaml). The AIS dictionary is
 * licensed: Radbridge ships no AIS codes, only this schema; a site that holds a licence writes its
 * own file with codes, the example carries severities and regions only. Every mapped AIS is
 * provisional until a person confirms it. Pure: the schema and the look-up.
 */

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const codeRef = z.strictObject({ scheme: nonEmpty, value: nonEmpty });

const entrySchema = z.strictObject({
  finding: codeRef,
  site: codeRef.optional(),
  laterality: z.enum(['left', 'right', 'bilateral', 'midline']).optional(),
  /** The entry applies only when the injury's measurement of `concept` reaches `atLeast` `unit`. */
  size: z.strictObject({ concept: codeRef, atLeast: z.number().min(0), unit: z.enum(knownUnits as [string, ...string[]]) }).optional(),
  /** The AIS code (predot.severity) from the site's licensed dictionary; absent in the shipped example. */
  ais: z.string().regex(/^\d{6}\.[1-69]$/, 'an AIS code is six digits, a dot and the severity').optional(),
  severity: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5), z.literal(6), z.literal(9)], { error: 'AIS severity is 1..6, or 9 for unknown' }),
  region: z.enum(issRegions, { error: `an ISS region: ${issRegions.join(', ')}` }),
});

export const aisMappingSchema = z
  .strictObject({
    version: z.literal(1),
    /** The dictionary edition the codes come from, e.g. "AIS 2005 Update 2008". */
    dictionary: nonEmpty,
    entries: z.array(entrySchema),
  })
  .superRefine((m, ctx) => {
    m.entries.forEach((e, n) => {
      if (e.ais !== undefined && e.ais.slice(-1) !== String(e.severity)) ctx.addIssue({ code: 'custom', path: ['entries', n, 'ais'], message: `the code's severity digit ${e.ais.slice(-1)} differs from severity ${e.severity}` });
    });
  });

export type AisMapping = z.infer<typeof aisMappingSchema>;
export type AisEntry = AisMapping['entries'][number];

export interface MappedAis {
  code?: string;
  severity: AisSeverity;
  region: IssRegion;
  dictionary: string;
}

const same = (a: { scheme: string; value: string }, b: { scheme: string; value: string } | undefined): boolean => a.scheme === b?.scheme && a.value === b.value;

function sizeReached(entry: AisEntry, injury: Injury): boolean {
  const size = entry.size;
  if (!size) return true;
  return injury.measurements.some((m) => same(size.concept, m.concept) && (convertUnit(m.value, m.unit.value, size.unit) ?? -Infinity) >= size.atLeast);
}

/** The entry for an injury: of those whose finding, site, side and size it meets, the most severe (AIS 9 last). */
export function mapAis(injury: Injury, mapping: AisMapping): MappedAis | undefined {
  const order = (s: number): number => (s === 9 ? 0 : s);
  const entry = mapping.entries
    .filter((e) => same(e.finding, injury.type) && (!e.site || same(e.site, injury.site)) && (!e.laterality || e.laterality === injury.laterality) && sizeReached(e, injury))
    .reduce<AisEntry | undefined>((best, e) => (!best || order(e.severity) > order(best.severity) ? e : best), undefined);
  if (!entry) return undefined;
  return { ...(entry.ais ? { code: entry.ais } : {}), severity: entry.severity, region: entry.region, dictionary: mapping.dictionary };
}
