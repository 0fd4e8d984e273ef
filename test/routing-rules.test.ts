import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { classifySeries } from '../src/classify/classify-series.js';
import { DEFAULT_ROLLOUT_MODE, isRolloutMode, permissionsOf } from '../src/domain/rollout-mode.js';
import { seriesFacts } from '../src/classify/series-facts.js';
import { toAttributeDict } from '../src/route/attribute-names.js';
import { explain, type Explanation, type SeriesSubject } from '../src/route/predicate-evaluation.js';
import type { Predicate, RulesDocument } from '../src/route/rule-schema.js';
import { decideRouting } from '../src/route/routing-decision.js';
import { validateRules, validateRulesText } from '../src/route/rules-validation.js';
import { inTimeWindow } from '../src/route/time-window.js';

function subject(attributes: Record<string, unknown>, more: Partial<SeriesSubject> = {}): SeriesSubject {
  const dict = toAttributeDict(attributes);
  return {
    attributes: dict,
    classification: classifySeries(seriesFacts(dict)),
    sender: { aeTitle: 'CT_TRAUMA1' },
    at: new Date('2026-03-02T10:00:00Z'),
    context: {},
    ...more,
  };
}

const headCt = subject({ Modality: 'CT', BodyPartExamined: 'HEAD', SeriesDescription: 'HEAD AXIAL BRAIN', SliceThickness: 2.5, ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'] });
const passes = (p: Predicate, s: SeriesSubject = headCt) => explain(p, s).passed;

function issuesOf(document: unknown): string[] {
  const v = validateRules(document);
  assert.equal(v.ok, false, 'the document should be refused');
  return v.ok ? [] : v.issues;
}

const rule = (when: unknown, extra: Record<string, unknown> = {}) => ({ version: 1, rules: [{ id: 'r', when, actions: [{ run: { analyzers: ['a'] } }], ...extra }] });

describe('rules document validation', () => {
  it('accepts the example rules file in docs/', () => {
    const v = validateRulesText(readFileSync(new URL('../docs/rules-example.yaml', import.meta.url), 'utf8'), 'rules-example.yaml');
    assert.equal(v.ok, true, v.ok ? '' : v.issues.join('\n'));
    assert.ok(v.ok && v.document.rules.length >= 4);
  });

  it('reports every problem at once, each with its path', () => {
    const issues = issuesOf({
      version: 1,
      rules: [
        { id: 'ok', when: { attribute: 'Modality', equals: 'CT' }, actions: [{ run: { analyzers: ['a'] } }] },
        { id: 'ok', when: { attribute: 'Modality', equals: 'CT' }, actions: [{ run: { analyzers: ['a'] } }] },
        { id: 'bad', when: { any: [{ attribute: 'Modality', regex: '([' }] }, actions: [{ forward: {} }], lane: 'fast' },
      ],
    });
    assert.deepEqual(issues.sort(), [
      'rules[1].id: rule id "ok" is used twice',
      'rules[2].actions[0].forward.destination: Invalid input: expected string, received undefined',
      'rules[2].lane: Invalid option: expected one of "urgent"|"normal"|"off-peak"',
      'rules[2].when.any[0].regex: invalid regular expression "(["',
    ]);
  });

  const cases: Array<[string, unknown, RegExp]> = [
    ['unknown attribute', rule({ attribute: 'Modallity', equals: 'CT' }), /^rules\[0\]\.when\.attribute: unknown DICOM attribute "Modallity"/],
    ['two tests in one', rule({ attribute: 'Modality', equals: 'CT', exists: true }), /^rules\[0\]\.when: needs exactly one of .*got equals, exists/],
    ['no test', rule({ attribute: 'Modality' }), /^rules\[0\]\.when: needs exactly one of .*got none/],
    ['range on a classification', rule({ classification: 'bodyRegion', range: { min: 1 } }), /^rules\[0\]\.when: range cannot be used here/],
    ['unknown classification', rule({ classification: 'ct.dose', equals: 'x' }), /^rules\[0\]\.when\.classification: Invalid option/],
    ['empty range', rule({ attribute: 'SliceThickness', range: {} }), /^rules\[0\]\.when\.range: range needs min, max or both/],
    ['inverted range', rule({ attribute: 'SliceThickness', range: { min: 5, max: 1 } }), /^rules\[0\]\.when\.range: range min is above its max/],
    ['unknown predicate', rule({ modality: 'CT' }), /^rules\[0\]\.when: a predicate has exactly one of all, any, not, .*got keys modality/],
    ['two kinds in one predicate', rule({ all: [], any: [] }), /^rules\[0\]\.when: a predicate has exactly one of .*got all, any/],
    ['empty all', rule({ all: [] }), /^rules\[0\]\.when\.all: Too small/],
    ['nested not', rule({ not: { any: [{ sender: { aeTitle: { regex: '*' } } }] } }), /^rules\[0\]\.when\.not\.any\[0\]\.sender\.aeTitle\.regex: invalid regular expression/],
    ['bad clock', rule({ time: { from: '7:00', to: '19:00' } }), /^rules\[0\]\.when\.time\.from: a time of day is HH:MM/],
    ['bad time zone', rule({ time: { from: '07:00', to: '19:00', timezone: 'Europe/Atlantis' } }), /^rules\[0\]\.when\.time\.timezone: unknown time zone "Europe\/Atlantis"/],
    ['bad day', rule({ time: { from: '07:00', to: '19:00', days: ['monday'] } }), /^rules\[0\]\.when\.time\.days\[0\]: Invalid option/],
    ['unknown action', rule({ attribute: 'Modality', exists: true }, { actions: [{ explode: {} }] }), /^rules\[0\]\.actions\[0\]: an action has exactly one of run, forward, discard/],
    ['no actions', rule({ attribute: 'Modality', exists: true }, { actions: [] }), /^rules\[0\]\.actions: a rule needs at least one action/],
    ['discard beside another action', rule({ attribute: 'Modality', exists: true }, { actions: [{ discard: { reason: 'x' } }, { run: { analyzers: ['a'] } }] }), /^rules\[0\]\.actions: a discard is the only action/],
    ['analyzer id with a colon', rule({ attribute: 'Modality', exists: true }, { actions: [{ run: { analyzers: ['a:b'] } }] }), /^rules\[0\]\.actions\[0\]\.run\.analyzers\[0\]: an analyzer id is letters/],
    ['bad rule id', rule({ attribute: 'Modality', exists: true }, { id: 'my rule' }), /^rules\[0\]\.id: a rule id is letters/],
    ['unknown rule key', rule({ attribute: 'Modality', exists: true }, { priority: 1 }), /^rules\[0\]: Unrecognized key: "priority"/],
    ['wrong version', { version: 2, rules: [] }, /^version: Invalid input: expected 1/],
  ];
  for (const [what, document, expected] of cases) {
    it(`refuses ${what} with a message naming its path`, () => {
      const issues = issuesOf(document);
      assert.ok(issues.some((i) => expected.test(i)), `expected ${String(expected)} in\n${issues.join('\n')}`);
    });
  }

  it('names the text that is not YAML', () => {
    const v = validateRulesText('rules: [', 'rules.yaml');
    assert.ok(!v.ok && /^rules\.yaml: /.test(v.issues[0] ?? ''));
  });
});

describe('predicates', () => {
  it('equals, in, regex, range and exists on DICOM attributes, by keyword or tag', () => {
    assert.equal(passes({ attribute: 'Modality', equals: 'CT' }), true);
    assert.equal(passes({ attribute: '(0008,0060)', equals: 'MR' }), false);
    assert.equal(passes({ attribute: '00180015', in: ['CHEST', 'HEAD'] }), true);
    assert.equal(passes({ attribute: 'SeriesDescription', regex: 'brain$' }), true, 'regex is case-insensitive');
    assert.equal(passes({ attribute: 'SliceThickness', range: { min: 1, max: 3 } }), true);
    assert.equal(passes({ attribute: 'SliceThickness', range: { max: 2 } }), false);
    assert.equal(passes({ attribute: 'SliceThickness', equals: 2.5 }), true);
    assert.equal(passes({ attribute: 'ContrastBolusAgent', exists: false }), true);
    assert.equal(passes({ attribute: 'ContrastBolusAgent', exists: true }), false);
    assert.equal(passes({ attribute: 'SeriesDescription', range: { min: 0 } }), false, 'a text is not a number');
  });

  it('matches a multi-valued attribute when any value does, and a regex across the joined values', () => {
    assert.equal(passes({ attribute: 'ImageType', equals: 'PRIMARY' }), true);
    assert.equal(passes({ attribute: 'ImageType', regex: '^ORIGINAL\\\\PRIMARY' }), true);
    assert.equal(passes({ attribute: 'ImageType', equals: 'DERIVED' }), false);
  });

  it('tests the classification, the sender, the clinical context', () => {
    assert.equal(passes({ classification: 'bodyRegion', equals: 'head' }), true);
    assert.equal(passes({ classification: 'ct.kernel', in: ['bone', 'lung'] }), false);
    assert.equal(passes({ classification: 'radiograph.view', exists: false }), true);
    assert.equal(passes({ classification: 'regions', in: ['head'] }), true, 'a single-region series covers its body region');
    assert.equal(passes({ classification: 'ct.kernel', exists: false }, subject({ Modality: 'CT' })), true, 'no kernel named: unknown is no classification');
    assert.equal(passes({ classification: 'bodyRegion', exists: false }, subject({ Modality: 'CT' })), true);
    assert.equal(passes({ classification: 'regions', exists: true }, subject({ Modality: 'CT' })), false);
    const pan = subject({ Modality: 'CT', BodyPartExamined: 'WHOLEBODY', ImagePositionPatient: [0, 0, -5] }, {});
    const panScan = { ...pan, classification: classifySeries({ ...seriesFacts(pan.attributes), zRange: [-965, -5] }) };
    assert.deepEqual(explain({ classification: 'regions', in: ['chest'] }, panScan).actual, ['head', 'cervical-spine', 'chest', 'abdomen', 'pelvis']);
    assert.equal(passes({ classification: 'bodyRegion', in: ['chest'] }, panScan), false, 'the body region of a pan-scan is whole-body');
    assert.equal(passes({ sender: { aeTitle: { regex: '^CT_TRAUMA\\d$' } } }), true);
    assert.equal(passes({ sender: { aeTitle: { equals: 'CT_ROUTINE' } } }), false);
    assert.equal(passes({ context: 'traumaActivation', equals: true }), false);
    assert.equal(passes({ context: 'traumaActivation', equals: true }, { ...headCt, context: { traumaActivation: true } }), true);
    assert.equal(passes({ context: 'orderPriority', in: ['STAT', 'ASAP'] }, { ...headCt, context: { orderPriority: 'STAT' } }), true);
  });

  it('combines with all, any and not', () => {
    const ct = { attribute: 'Modality', equals: 'CT' } as const;
    const mr = { attribute: 'Modality', equals: 'MR' } as const;
    assert.equal(passes({ all: [ct, { classification: 'bodyRegion', equals: 'head' }] }), true);
    assert.equal(passes({ all: [ct, mr] }), false);
    assert.equal(passes({ any: [mr, ct] }), true);
    assert.equal(passes({ any: [mr, { not: ct }] }), false);
    assert.equal(passes({ not: { all: [ct, mr] } }), true);
  });

  it('explains what it looked at, the value found and the test, part by part', () => {
    const e = explain({ all: [{ attribute: 'Modality', equals: 'CT' }, { not: { classification: 'bodyRegion', in: ['chest', 'abdomen'] } }, { attribute: 'SliceThickness', range: { max: 2 } }] }, headCt);
    const strip = (x: Explanation): unknown => ({ passed: x.passed, looked: x.looked, actual: x.actual, test: x.test, ...(x.children ? { children: x.children.map(strip) } : {}) });
    assert.deepEqual(strip(e), {
      passed: false,
      looked: 'all of 3',
      actual: undefined,
      test: 'every part passes',
      children: [
        { passed: true, looked: 'attribute Modality (0008,0060)', actual: ['CT'], test: 'equals "CT"' },
        { passed: true, looked: 'not', actual: undefined, test: 'the part fails', children: [{ passed: false, looked: 'classification bodyRegion', actual: ['head'], test: 'in ["chest", "abdomen"]' }] },
        { passed: false, looked: 'attribute SliceThickness (0018,0050)', actual: [2.5], test: 'in range -inf..2' },
      ],
    });
    const region = e.children?.[1]?.children?.[0];
    assert.deepEqual(region?.evidence, ['from attributes', 'BodyPartExamined: HEAD'], 'a classification explains its own evidence');
  });

  it('explains a missing classification', () => {
    const e = explain({ classification: 'bodyRegion', equals: 'head' }, { ...headCt, classification: undefined });
    assert.deepEqual([e.passed, e.actual, e.evidence], [false, [], ['the series has no classification']]);
  });
});

describe('time windows', () => {
  const at = (iso: string) => new Date(iso);
  it('a window crossing midnight covers the early hours of the next day, and the end minute is outside', () => {
    const night = { from: '22:00', to: '06:00', timezone: 'UTC' };
    assert.equal(inTimeWindow(night, at('2026-03-02T23:30:00Z')).inside, true);
    assert.equal(inTimeWindow(night, at('2026-03-03T05:59:00Z')).inside, true);
    assert.equal(inTimeWindow(night, at('2026-03-03T06:00:00Z')).inside, false);
    assert.equal(inTimeWindow(night, at('2026-03-03T12:00:00Z')).inside, false);
    assert.equal(inTimeWindow(night, at('2026-03-02T22:00:00Z')).inside, true);
  });

  it('its days are the days it starts on', () => {
    const mondayNight = { from: '22:00', to: '06:00', timezone: 'UTC', days: ['mon' as const] };
    assert.equal(inTimeWindow(mondayNight, at('2026-03-03T01:00:00Z')).inside, true, 'Tuesday 01:00 is Monday night');
    assert.equal(inTimeWindow(mondayNight, at('2026-03-02T01:00:00Z')).inside, false, 'Monday 01:00 is Sunday night');
  });

  it('reads the clock in the rule’s time zone, summer time included', () => {
    const day = { from: '08:00', to: '17:00', timezone: 'Europe/Berlin' };
    assert.equal(inTimeWindow(day, at('2026-01-15T07:30:00Z')).inside, true, '08:30 in Berlin in winter (UTC+1)');
    assert.equal(inTimeWindow(day, at('2026-07-15T06:30:00Z')).inside, true, '08:30 in Berlin in summer (UTC+2)');
    assert.equal(inTimeWindow(day, at('2026-07-15T15:30:00Z')).inside, false, '17:30 in Berlin in summer');
    const tokyo = inTimeWindow({ from: '00:00', to: '01:00', timezone: 'Asia/Tokyo', days: ['sat'] }, at('2026-03-06T15:30:00Z'));
    assert.deepEqual([tokyo.inside, tokyo.local.text], [true, 'sat 00:30 Asia/Tokyo'], 'Friday 15:30 UTC is Saturday in Tokyo');
  });

  it('explains the local time it found', () => {
    const e = explain({ time: { from: '22:00', to: '06:00', timezone: 'America/New_York' } }, { ...headCt, at: at('2026-03-03T04:00:00Z') });
    assert.deepEqual([e.passed, e.actual, e.test], [true, 'mon 23:00 America/New_York', 'between 22:00 and 06:00 (America/New_York)']);
  });
});

describe('routing decisions', () => {
  const doc = (rules: unknown[]): RulesDocument => {
    const v = validateRules({ version: 1, rules });
    assert.ok(v.ok, v.ok ? '' : v.issues.join('\n'));
    return v.document;
  };
  const ct = { attribute: 'Modality', equals: 'CT' };

  it('gathers the actions of every matching rule and queues each analyzer once, in the most urgent lane', () => {
    const d = decideRouting(
      doc([
        { id: 'all-ct', when: ct, actions: [{ run: { analyzers: ['ich', 'qa'] } }], lane: 'off-peak' },
        { id: 'trauma', when: { sender: { aeTitle: { equals: 'CT_TRAUMA1' } } }, actions: [{ run: { analyzers: ['ich'] } }, { forward: { destination: 'pacs' } }], lane: 'urgent' },
        { id: 'mr', when: { attribute: 'Modality', equals: 'MR' }, actions: [{ run: { analyzers: ['mr-only'] } }] },
      ]),
      headCt,
    );
    assert.deepEqual(d.rules.map((r) => [r.ruleId, r.matched]), [['all-ct', true], ['trauma', true], ['mr', false]]);
    assert.deepEqual(d.runs, [{ analyzerId: 'ich', lane: 'urgent', ruleId: 'trauma' }, { analyzerId: 'qa', lane: 'off-peak', ruleId: 'all-ct' }]);
    assert.deepEqual(d.forwards, [{ destination: 'pacs', lane: 'urgent', ruleId: 'trauma' }]);
    assert.equal(d.lane, 'urgent');
    assert.equal(d.discard, undefined);
  });

  it('selects series inside a run action, and says why a series was not selected', () => {
    const rules = doc([{ id: 'head', when: ct, actions: [{ run: { analyzers: ['ich'], series: { not: { classification: 'ct.kernel', equals: 'bone' } } } }] }]);
    const bone = subject({ Modality: 'CT', BodyPartExamined: 'HEAD', ConvolutionKernel: 'H70h' });
    assert.deepEqual(decideRouting(rules, headCt).runs.map((r) => r.analyzerId), ['ich']);
    const d = decideRouting(rules, bone);
    assert.deepEqual([d.rules[0]?.matched, d.rules[0]?.actions[0]?.selected, d.runs], [true, false, []]);
    assert.deepEqual(d.rules[0]?.actions[0]?.series?.children?.[0]?.actual, ['bone']);
  });

  it('a matching discard wins over every other rule', () => {
    const d = decideRouting(
      doc([
        { id: 'all-ct', when: ct, actions: [{ run: { analyzers: ['ich'] } }], lane: 'urgent' },
        { id: 'no-scouts', when: { attribute: 'SeriesDescription', regex: 'brain' }, actions: [{ discard: { reason: 'test series' } }] },
      ]),
      headCt,
    );
    assert.deepEqual([d.runs, d.forwards, d.discard, d.lane], [[], [], { ruleId: 'no-scouts', reason: 'test series' }, undefined]);
    assert.equal(d.rules[0]?.matched, true, 'the other rule still shows it matched');
  });

  it('no rules, no actions', () => {
    assert.deepEqual(decideRouting({ version: 1, rules: [] }, headCt), { rules: [], runs: [], forwards: [], lane: undefined });
  });
});

describe('rollout modes', () => {
  it('silent shows, sends, reprioritises and alerts nothing, and is the default', () => {
    assert.equal(DEFAULT_ROLLOUT_MODE, 'silent');
    assert.deepEqual(permissionsOf('silent'), { show: false, reprioritize: false, alert: false });
    assert.deepEqual(permissionsOf('assistive'), { show: true, reprioritize: false, alert: false });
    assert.deepEqual(permissionsOf('active'), { show: true, reprioritize: true, alert: true });
    assert.deepEqual(['silent', 'assistive', 'active', 'loud', 3].map(isRolloutMode), [true, true, true, false, false]);
  });
});
