import { z } from 'zod';
import type { SeriesClassification } from '../classify/classify-series.js';
import { RadbridgeError } from '../domain/errors.js';
import { listStudySeriesUids } from '../store/series-headers.js';
import { attributeTag, toAttributeDict } from './attribute-names.js';
import { currentRules } from './current-rules.js';
import type { SeriesSubject } from './predicate-evaluation.js';
import type { RouteDeps } from './route-deps.js';
import { storedSeriesSubject } from './route-series.js';
import { decideRouting, type RoutingDecision } from './routing-decision.js';
import type { RulesDocument } from './rule-schema.js';
import { validateRules } from './rules-validation.js';
import { subjectFromHeaders } from './series-subject.js';

/** The rule tester: which rules match a series, which do not and why, and what would be queued. Nothing is recorded. */

export interface SeriesReport extends RoutingDecision {
  seriesUid?: string | undefined;
  sender?: string | undefined;
  classification?: SeriesClassification | undefined;
}

export interface TestReport {
  /** The stored version tested, or 'draft' for a document sent with the request. */
  rulesVersion: number | 'draft';
  at: string;
  series: SeriesReport[];
}

export function reportOn(subject: SeriesSubject, rules: RulesDocument): SeriesReport {
  return { seriesUid: subject.seriesUid, sender: subject.sender.aeTitle, classification: subject.classification, ...decideRouting(rules, subject) };
}

const classified = z.object({ value: z.string(), basis: z.enum(['attributes', 'content', 'default']).default('attributes'), evidence: z.array(z.object({ source: z.string(), value: z.string() })).default([]) });
const classificationOverride = z.strictObject({
  bodyRegion: classified.optional(),
  regions: z.array(z.object({ region: z.string(), zFrom: z.number(), zTo: z.number(), evidence: z.array(z.object({ source: z.string(), value: z.string() })).default([]) })).optional(),
  ct: z.strictObject({ kernel: classified, contrastPhase: classified, reconstruction: classified }).partial().optional(),
  radiograph: z.strictObject({ bodyPart: classified, view: classified, laterality: classified }).partial().optional(),
  ultrasound: z.strictObject({ kind: classified, fastWindow: classified }).partial().optional(),
});

const common = {
  at: z.iso.datetime({ offset: true }).optional(),
  context: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  rules: z.unknown().optional(),
};

/** A stored study: every series is tested. */
export const studyTestSchema = z.strictObject({ studyUid: z.string().regex(/^\d+(\.\d+)*$/, 'a Study Instance UID is digits and dots').max(64), ...common });
/** One series described in the request (DICOM JSON or keywords), with its classification computed unless given. */
export const attributesTestSchema = z.strictObject({
  attributes: z.record(z.string(), z.unknown()),
  classification: classificationOverride.optional(),
  sender: z.string().max(16).optional(),
  ...common,
});
export type TestRequest = z.infer<typeof studyTestSchema> | z.infer<typeof attributesTestSchema>;

async function rulesFor(deps: RouteDeps, draft: unknown): Promise<{ version: number | 'draft'; document: RulesDocument }> {
  if (draft === undefined) return currentRules(deps.database.db);
  const checked = validateRules(draft);
  if (!checked.ok) throw new RadbridgeError('RULES_INVALID', `the draft rules document has ${checked.issues.length} problem(s)`, checked.issues);
  return { version: 'draft', document: checked.document };
}

/** Tests every series of a stored study, or one series described by its attributes, against the rules in force or a draft. */
export async function testRules(deps: RouteDeps, request: TestRequest): Promise<TestReport> {
  const rules = await rulesFor(deps, request.rules);
  const at = request.at ? new Date(request.at) : new Date(deps.now());
  if ('studyUid' in request) {
    const seriesUids = await listStudySeriesUids(deps.database.db, request.studyUid);
    if (seriesUids.length === 0) throw new RadbridgeError('NOT_FOUND', `no study ${request.studyUid} in the index`);
    const series: SeriesReport[] = [];
    for (const uid of seriesUids) {
      const found = await storedSeriesSubject(deps, uid, at);
      if (!found) continue;
      const subject = { ...found.subject, context: { ...found.subject.context, ...request.context } };
      series.push(reportOn(subject, rules.document));
    }
    return { rulesVersion: rules.version, at: at.toISOString(), series };
  }
  const unknown = Object.keys(request.attributes).filter((name) => attributeTag(name) === undefined);
  if (unknown.length > 0) {
    const issues = unknown.map((name) => `attributes.${name}: unknown DICOM attribute: use a keyword (Modality) or a tag (00080060)`);
    throw new RadbridgeError('BAD_REQUEST', `${unknown.length} unknown attribute name(s): ${unknown.join(', ')}`, issues);
  }
  const subject = subjectFromHeaders([toAttributeDict(request.attributes)], { senderAeTitle: request.sender, at, context: request.context });
  const classification = request.classification ? ({ ...subject.classification, ...request.classification } as SeriesClassification) : subject.classification;
  return { rulesVersion: rules.version, at: at.toISOString(), series: [reportOn({ ...subject, classification }, rules.document)] };
}
