import { z } from 'zod';
import { LANES } from '../domain/lane.js';
import { attributeTag } from './attribute-names.js';

/** The rules document: predicates and actions as data, validated here and never evaluated as code. */

export const CLASSIFICATION_PATHS = [
  'bodyRegion',
  'regions',
  'ct.kernel',
  'ct.contrastPhase',
  'ct.reconstruction',
  'radiograph.bodyPart',
  'radiograph.view',
  'radiograph.laterality',
  'ultrasound.kind',
  'ultrasound.fastWindow',
] as const;
export type ClassificationPath = (typeof CLASSIFICATION_PATHS)[number];

export const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Day = (typeof DAYS)[number];

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const TEST_KEYS = ['equals', 'in', 'regex', 'range', 'exists'] as const;

function validRegex(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

const MAX_PATTERN_LENGTH = 512;
const regex = z
  .string()
  .max(MAX_PATTERN_LENGTH, `a regular expression has at most ${MAX_PATTERN_LENGTH} characters`)
  .refine(validRegex, { error: (issue) => `invalid regular expression ${JSON.stringify(issue.input)}` });

/** One test on a value: exactly one of equals, in, regex, range, exists. */
const matcherShape = {
  equals: scalar.optional(),
  in: z.array(scalar).min(1).optional(),
  regex: regex.optional(),
  range: z
    .strictObject({ min: z.number().optional(), max: z.number().optional() })
    .refine((r) => r.min !== undefined || r.max !== undefined, 'range needs min, max or both')
    .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, 'range min is above its max')
    .optional(),
  exists: z.boolean().optional(),
};

function oneTest(allowed: readonly string[]) {
  return (value: Record<string, unknown>, ctx: z.core.$RefinementCtx) => {
    const given = TEST_KEYS.filter((k) => value[k] !== undefined);
    if (given.length !== 1) ctx.addIssue({ code: 'custom', message: `needs exactly one of ${allowed.join(', ')}; got ${given.length === 0 ? 'none' : given.join(', ')}` });
    const refused = given.filter((k) => !allowed.includes(k));
    if (refused.length > 0) ctx.addIssue({ code: 'custom', message: `${refused.join(', ')} cannot be used here; use ${allowed.join(', ')}` });
  };
}

const attributeTest = z
  .strictObject({
    attribute: z.string().refine((name) => attributeTag(name) !== undefined, { error: (issue) => `unknown DICOM attribute ${JSON.stringify(issue.input)}: use a keyword (Modality) or a tag (00080060)` }),
    ...matcherShape,
  })
  .superRefine(oneTest(TEST_KEYS));

const classificationTest = z
  .strictObject({ classification: z.enum(CLASSIFICATION_PATHS), ...matcherShape })
  .superRefine(oneTest(['equals', 'in', 'regex', 'exists']));

const senderTest = z.strictObject({
  sender: z.strictObject({ aeTitle: z.strictObject(matcherShape).superRefine(oneTest(['equals', 'in', 'regex', 'exists'])) }),
});

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day is HH:MM (00:00 to 23:59)');
const timeTest = z.strictObject({
  time: z
    .strictObject({
      days: z.array(z.enum(DAYS)).min(1).optional(),
      from: clock,
      to: clock,
      timezone: z.string().refine(validTimezone, { error: (issue) => `unknown time zone ${JSON.stringify(issue.input)}` }).optional(),
    })
    .refine((t) => t.from !== t.to, 'from and to must differ'),
});

const contextTest = z
  .strictObject({ context: z.string().min(1), ...matcherShape })
  .superRefine(oneTest(['equals', 'in', 'regex', 'exists']));

export interface Matcher {
  equals?: string | number | boolean | undefined;
  in?: Array<string | number | boolean> | undefined;
  regex?: string | undefined;
  range?: { min?: number | undefined; max?: number | undefined } | undefined;
  exists?: boolean | undefined;
}

export type Predicate =
  | { all: Predicate[] }
  | { any: Predicate[] }
  | { not: Predicate }
  | ({ attribute: string } & Matcher)
  | ({ classification: ClassificationPath } & Matcher)
  | { sender: { aeTitle: Matcher } }
  | { time: { days?: Day[] | undefined; from: string; to: string; timezone?: string | undefined } }
  | ({ context: string } & Matcher);

const PREDICATE_KINDS = ['all', 'any', 'not', 'attribute', 'classification', 'sender', 'time', 'context'] as const;

/**
 * A value that is one of several kinds, told apart by which kind key it holds: the schema of that
 * kind alone checks it, so errors name the one kind the author meant, not every alternative.
 */
function byKind<K extends string, T>(what: string, kinds: readonly K[], schemaOf: (kind: K) => z.ZodType<T>) {
  return z.record(z.string(), z.unknown()).transform((value, ctx): T => {
    const present = kinds.filter((k) => k in value);
    if (present.length !== 1) {
      const got = present.length === 0 ? `keys ${Object.keys(value).join(', ') || 'none'}` : present.join(', ');
      ctx.addIssue({ code: 'custom', message: `${what} has exactly one of ${kinds.join(', ')}; got ${got}` });
      return z.NEVER;
    }
    const parsed = schemaOf(present[0] as K).safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  });
}

export const predicateSchema: z.ZodType<Predicate> = z.lazy(() => byKind('a predicate', PREDICATE_KINDS, schemaOfKind));

function schemaOfKind(kind: (typeof PREDICATE_KINDS)[number]): z.ZodType<Predicate> {
  switch (kind) {
    case 'all':
      return z.strictObject({ all: z.array(predicateSchema).min(1) });
    case 'any':
      return z.strictObject({ any: z.array(predicateSchema).min(1) });
    case 'not':
      return z.strictObject({ not: predicateSchema });
    case 'attribute':
      return attributeTest;
    case 'classification':
      return classificationTest;
    case 'sender':
      return senderTest;
    case 'time':
      return timeTest;
    case 'context':
      return contextTest;
  }
}

export type Action =
  | { run: { analyzers: string[]; series?: Predicate | undefined } }
  | { forward: { destination: string } }
  | { discard: { reason: string } };

/** Analyzer ids and destinations become part of job keys: a name, no spaces or colons. */
const name = (what: string) => z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, `${what} is letters, digits, dot, dash, underscore or @`);

const ACTION_KINDS = ['run', 'forward', 'discard'] as const;
const actionSchemas: Record<(typeof ACTION_KINDS)[number], z.ZodType<Action>> = {
  run: z.strictObject({ run: z.strictObject({ analyzers: z.array(name('an analyzer id')).min(1, 'name at least one analyzer'), series: predicateSchema.optional() }) }),
  forward: z.strictObject({ forward: z.strictObject({ destination: name('a destination') }) }),
  discard: z.strictObject({ discard: z.strictObject({ reason: z.string().min(1) }) }),
};
const actionSchema = byKind('an action', ACTION_KINDS, (kind) => actionSchemas[kind]);

const ruleSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a rule id is letters, digits, dot, dash or underscore'),
  description: z.string().optional(),
  when: predicateSchema,
  actions: z
    .array(actionSchema)
    .min(1, 'a rule needs at least one action')
    .refine((actions) => actions.length === 1 || !actions.some((a) => 'discard' in a), 'a discard is the only action of its rule'),
  lane: z.enum(LANES).default('normal'),
});
export type Rule = z.infer<typeof ruleSchema>;

/** Duplicate ids are checked by the validator on the raw document, so they are reported beside every other problem. */
export const rulesDocumentSchema = z.strictObject({ version: z.literal(1), rules: z.array(ruleSchema).default([]) });
export type RulesDocument = z.infer<typeof rulesDocumentSchema>;

export const EMPTY_RULES: RulesDocument = { version: 1, rules: [] };
