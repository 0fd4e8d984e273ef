import { z } from 'zod';
import { knownUnits } from './ucum-units.js';

/**
 * The criticality table (docs/criticality-example.yaml): rules that turn injuries into Critical,
 * Urgent or Routine, each with the words its reason is written in. Pure schema; the file named by
 * triage.criticalityFile is validated with it at start.
 */

export const criticalityLevels = ['routine', 'urgent', 'critical'] as const;
export type CriticalityLevel = (typeof criticalityLevels)[number];

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const codeRef = z.strictObject({ scheme: nonEmpty, value: nonEmpty });

const ruleSchema = z.strictObject({
  id: nonEmpty.regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  level: z.enum(['urgent', 'critical'], { error: 'a rule raises a study to urgent or critical' }),
  /** The finding type the rule is about. */
  finding: codeRef,
  /** Only at this site, when given. */
  site: codeRef.optional(),
  /** Words for the finding in the reason, e.g. "intracranial haemorrhage". */
  label: nonEmpty,
  /** Fires only when the injury's measurement of this concept reaches `atLeast` (in `unit`); without it, any present injury fires. */
  measurement: z
    .strictObject({
      concept: codeRef,
      atLeast: z.number().min(0, 'a threshold is at least 0'),
      unit: z.enum(knownUnits as [string, ...string[]], { error: `a UCUM unit of ${knownUnits.join(', ')}` }),
    })
    .optional(),
});

export const criticalityTableSchema = z
  .strictObject({ version: z.literal(1), rules: z.array(ruleSchema) })
  .superRefine((t, ctx) => {
    const ids = t.rules.map((r) => r.id);
    ids.forEach((id, n) => {
      if (ids.indexOf(id) !== n) ctx.addIssue({ code: 'custom', path: ['rules', n, 'id'], message: `rule id "${id}" is used twice` });
    });
  });

export type CriticalityTable = z.infer<typeof criticalityTableSchema>;
export type CriticalityRule = CriticalityTable['rules'][number];
