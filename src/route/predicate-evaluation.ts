import type { Classified } from '../classify/classification.js';
import type { SeriesClassification } from '../classify/classify-series.js';
import { attributeTag, type AttributeDict } from './attribute-names.js';
import type { ClassificationPath, Matcher, Predicate } from './rule-schema.js';
import { inTimeWindow } from './time-window.js';

/** What one series offers the rules: its header, its classification, who sent it, when, and the clinical context. */
export interface SeriesSubject {
  seriesUid?: string | undefined;
  attributes: AttributeDict;
  classification?: SeriesClassification | undefined;
  sender: { aeTitle?: string | undefined };
  at: Date;
  /** Clinical context brought by other sources, e.g. { traumaActivation: true } from an HL7 order. */
  context: Record<string, unknown>;
}

type Value = string | number | boolean;

/** Why a predicate passed or failed: what it looked at, the value it found, the test, and the same for its parts. */
export interface Explanation {
  kind: 'all' | 'any' | 'not' | 'attribute' | 'classification' | 'sender' | 'time' | 'context';
  passed: boolean;
  looked: string;
  actual?: Value[] | string | undefined;
  test: string;
  evidence?: string[] | undefined;
  children?: Explanation[] | undefined;
}

const show = (v: Value) => JSON.stringify(v);

function describeMatcher(m: Matcher): string {
  if (m.equals !== undefined) return `equals ${show(m.equals)}`;
  if (m.in !== undefined) return `in [${m.in.map(show).join(', ')}]`;
  if (m.regex !== undefined) return `matches /${m.regex}/i`;
  if (m.range !== undefined) return `in range ${m.range.min ?? '-inf'}..${m.range.max ?? '+inf'}`;
  return m.exists ? 'exists' : 'is absent';
}

function same(actual: Value, expected: Value): boolean {
  if (typeof expected === 'number' || typeof actual === 'number') return Number(actual) === Number(expected) && String(actual).trim() !== '';
  return String(actual).trim() === String(expected);
}

/** A matcher over the values found; a multi-valued attribute passes when any of its values does. */
export function matches(m: Matcher, values: Value[]): boolean {
  if (m.exists !== undefined) return (values.length > 0) === m.exists;
  if (m.equals !== undefined) return values.some((v) => same(v, m.equals as Value));
  if (m.in !== undefined) return values.some((v) => (m.in ?? []).some((e) => same(v, e)));
  if (m.regex !== undefined) {
    const re = new RegExp(m.regex, 'iu');
    return values.some((v) => re.test(String(v))) || (values.length > 1 && re.test(values.join('\\')));
  }
  const { min = -Infinity, max = Infinity } = m.range ?? {};
  return values.some((v) => typeof v !== 'boolean' && String(v).trim() !== '' && Number(v) >= min && Number(v) <= max);
}

function valuesOf(raw: unknown): Value[] {
  const list = Array.isArray(raw) ? (raw as unknown[]) : raw === undefined || raw === null ? [] : [raw];
  return list.flatMap((v): Value[] => {
    if (typeof v === 'string') return v.trim() === '' ? [] : [v.trim()];
    if (typeof v === 'number' || typeof v === 'boolean') return [v];
    if (typeof v === 'object' && v !== null && 'Alphabetic' in v) return [String(v.Alphabetic)];
    return [];
  });
}

function leaf(kind: Explanation['kind'], looked: string, m: Matcher, values: Value[], evidence?: string[]): Explanation {
  return { kind, passed: matches(m, values), looked, actual: values, test: describeMatcher(m), ...(evidence ? { evidence } : {}) };
}

const classifiedAt: Record<Exclude<ClassificationPath, 'regions'>, (c: SeriesClassification) => Classified<string> | undefined> = {
  bodyRegion: (c) => c.bodyRegion,
  'ct.kernel': (c) => c.ct?.kernel,
  'ct.contrastPhase': (c) => c.ct?.contrastPhase,
  'ct.reconstruction': (c) => c.ct?.reconstruction,
  'radiograph.bodyPart': (c) => c.radiograph?.bodyPart,
  'radiograph.view': (c) => c.radiograph?.view,
  'radiograph.laterality': (c) => c.radiograph?.laterality,
  'ultrasound.kind': (c) => c.ultrasound?.kind,
  'ultrasound.fastWindow': (c) => c.ultrasound?.fastWindow,
};

function classificationValues(c: SeriesClassification | undefined, path: ClassificationPath): { values: Value[]; evidence: string[] } {
  if (!c) return { values: [], evidence: ['the series has no classification'] };
  if (path === 'regions') {
    // The regions a series covers: its split along z when it spans several, else its one body region.
    if (c.regions.length === 0) return { values: c.bodyRegion.value === 'unknown' ? [] : [c.bodyRegion.value], evidence: [`one region, the body region (from ${c.bodyRegion.basis})`] };
    return { values: [...new Set(c.regions.map((r) => r.region))], evidence: c.regions.map((r) => `${r.region} z ${r.zFrom}..${r.zTo}`) };
  }
  const node = classifiedAt[path](c);
  if (!node) return { values: [], evidence: [`no ${path.split('.')[0] ?? path} classification`] };
  // 'unknown' is no classification: `exists: false` finds it, `equals` never does.
  return { values: node.value === 'unknown' ? [] : [node.value], evidence: [`from ${node.basis}`, ...node.evidence.map((e) => `${e.source}: ${e.value}`)] };
}

/** Evaluates a predicate against a series and explains the outcome, part by part. */
export function explain(p: Predicate, s: SeriesSubject): Explanation {
  if ('all' in p) {
    const children = p.all.map((c) => explain(c, s));
    return { kind: 'all', passed: children.every((c) => c.passed), looked: `all of ${children.length}`, test: 'every part passes', children };
  }
  if ('any' in p) {
    const children = p.any.map((c) => explain(c, s));
    return { kind: 'any', passed: children.some((c) => c.passed), looked: `any of ${children.length}`, test: 'at least one part passes', children };
  }
  if ('not' in p) {
    const child = explain(p.not, s);
    return { kind: 'not', passed: !child.passed, looked: 'not', test: 'the part fails', children: [child] };
  }
  if ('attribute' in p) {
    const name = attributeTag(p.attribute);
    const tag = name?.tag ?? p.attribute;
    return leaf('attribute', `attribute ${name?.keyword ?? p.attribute} (${tag.slice(0, 4)},${tag.slice(4)})`, p, valuesOf(s.attributes[tag]?.Value));
  }
  if ('classification' in p) {
    const { values, evidence } = classificationValues(s.classification, p.classification);
    return leaf('classification', `classification ${p.classification}`, p, values, evidence);
  }
  if ('sender' in p) return leaf('sender', 'sender AE title', p.sender.aeTitle, valuesOf(s.sender.aeTitle));
  if ('time' in p) {
    const { inside, local } = inTimeWindow(p.time, s.at);
    const days = p.time.days ? ` on ${p.time.days.join(',')}` : '';
    return { kind: 'time', passed: inside, looked: 'time', actual: local.text, test: `between ${p.time.from} and ${p.time.to}${days}${p.time.timezone ? ` (${p.time.timezone})` : ''}` };
  }
  return leaf('context', `context ${p.context}`, p, valuesOf(s.context[p.context]));
}
