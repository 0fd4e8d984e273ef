import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { aisMappingSchema, mapAis } from '../src/domain/ais-mapping.js';
import { defaultCriticalityTable } from '../src/domain/criticality-defaults.js';
import { severityScores, type ScoredInjury } from '../src/domain/injury-severity-score.js';
import { summarizeInjuries } from '../src/domain/injury-summary.js';
import { studyInjuries } from '../src/domain/study-injuries.js';
import { HAEMOTHORAX, INTRACRANIAL_HAEMORRHAGE, PNEUMOTHORAX } from '../src/domain/trauma-codes.js';
import { BRAIN, finding, result, volume } from './support/injury-findings.js';

const s = (severity: ScoredInjury['severity'], region: ScoredInjury['region']): ScoredInjury => ({ severity, region });
const example = aisMappingSchema.parse(parse(readFileSync(new URL('../docs/ais-mapping-example.yaml', import.meta.url), 'utf8')));

describe('ISS and NISS', () => {
  it('ISS squares the worst AIS of the three worst regions; NISS the three worst injuries anywhere', () => {
    // Baker 1974 style example: chest 4 and 3, abdomen 2, extremities 3, head 1.
    const injuries = [s(4, 'chest'), s(3, 'chest'), s(2, 'abdomen'), s(3, 'extremities'), s(1, 'head-neck')];
    const r = severityScores(injuries);
    assert.equal(r.iss, 16 + 9 + 4);
    assert.equal(r.niss, 16 + 9 + 9);
    assert.deepEqual(r.issRegions, [{ region: 'chest', severity: 4 }, { region: 'extremities', severity: 3 }, { region: 'abdomen', severity: 2 }]);
  });

  it('with fewer than three regions sums what there is', () => {
    assert.deepEqual([severityScores([s(3, 'chest')]).iss, severityScores([s(3, 'chest')]).niss], [9, 9]);
    assert.deepEqual([severityScores([s(3, 'chest'), s(3, 'chest')]).iss, severityScores([s(3, 'chest'), s(3, 'chest')]).niss], [9, 18]);
    assert.deepEqual([severityScores([]).iss, severityScores([]).niss], [0, 0]);
  });

  it('ties between regions give the same ISS whichever is taken', () => {
    const r = severityScores([s(2, 'face'), s(2, 'abdomen'), s(2, 'external'), s(2, 'chest')]);
    assert.equal(r.iss, 12);
    assert.equal(r.niss, 12);
    assert.equal(r.issRegions.length, 3);
  });

  it('any AIS 6 makes both 75', () => {
    assert.deepEqual([severityScores([s(6, 'head-neck'), s(1, 'face')]).iss, severityScores([s(6, 'head-neck')]).niss], [75, 75]);
  });

  it('AIS 9 (unknown severity) counts for neither and is reported as unscored', () => {
    const r = severityScores([s(9, 'head-neck'), s(2, 'chest')]);
    assert.deepEqual([r.iss, r.niss, r.unscored, r.issRegions.map((x) => x.region)], [4, 4, 1, ['chest']]);
  });
});

describe('the AIS mapping', () => {
  it('the shipped example carries severities and regions and no AIS code', () => {
    assert.ok(example.entries.length > 0);
    assert.ok(example.entries.every((e) => e.ais === undefined));
  });

  it('takes the most severe entry whose size threshold the injury reaches', () => {
    const [small] = summarizeInjuries([result('a', [finding(HAEMOTHORAX, { laterality: 'left', measurements: [volume(400)] })])]);
    const [large] = summarizeInjuries([result('a', [finding(HAEMOTHORAX, { laterality: 'left', measurements: [volume(1200)] })])]);
    assert.ok(small && large);
    const low = mapAis(small, example);
    const high = mapAis(large, example);
    assert.deepEqual([low?.region, low?.severity, high?.severity], ['chest', 3, 4]);
  });

  it('refuses an unknown region and severity 7, naming each', () => {
    const bad = aisMappingSchema.safeParse({ version: 1, dictionary: 'site dictionary', entries: [{ finding: { scheme: 'SCT', value: '1' }, severity: 7, region: 'neck' }] });
    assert.deepEqual(bad.error?.issues.map((i) => i.path.join('.')).sort(), ['entries.0.region', 'entries.0.severity']);
  });

  it('refuses an AIS code whose severity digit differs from the severity', () => {
    const bad = aisMappingSchema.safeParse({ version: 1, dictionary: 'site dictionary', entries: [{ finding: { scheme: 'SCT', value: '1' }, ais: '123456.3', severity: 4, region: 'chest' }] });
    assert.deepEqual(bad.error?.issues.map((i) => [i.path.join('.'), i.message]), [['entries.0.ais', "the code's severity digit 3 differs from severity 4"]]);
  });
});

describe('the study injury report', () => {
  const results = [
    result('head-ct', [finding(INTRACRANIAL_HAEMORRHAGE, { site: BRAIN, measurements: [volume(32)] })]),
    result('chest-ct', [finding(PNEUMOTHORAX, { laterality: 'left' }), finding(HAEMOTHORAX, { laterality: 'right', measurements: [volume(300)] })]),
  ];

  it('shows every mapped AIS as provisional until confirmed, and ISS over confirmed only and over all', () => {
    const first = studyInjuries('1.2', results, defaultCriticalityTable, example, []);
    assert.deepEqual(first.injuries.map((i) => i.ais?.status), ['provisional', 'provisional', 'provisional']);
    assert.equal(first.severity.confirmed.iss, 0);
    // head 4 (ICH ≥ 30 mL in the example), chest 3 and 3: ISS 16 + 9, NISS 16 + 9 + 9.
    assert.deepEqual([first.severity.all.iss, first.severity.all.niss], [25, 34]);
    assert.equal(first.criticality.level, 'critical');
    const [ich, ptx, htx] = first.injuries;
    assert.ok(ich && ptx && htx);
    const later = studyInjuries('1.2', results, defaultCriticalityTable, example, [
      { injuryId: ich.id, confirmed: true, severity: 5, reason: 'mass effect on review', by: 'dr a', at: 1 },
      { injuryId: ptx.id, confirmed: false, reason: 'skin fold', by: 'dr a', at: 2 },
    ]);
    assert.deepEqual(later.injuries.map((i) => [i.ais?.status, i.ais?.severity, i.ais?.mappedSeverity]), [['confirmed', 5, 4], ['rejected', 3, undefined], ['provisional', 3, undefined]]);
    assert.deepEqual([later.severity.confirmed.iss, later.severity.all.iss, later.severity.all.niss], [25, 25 + 9, 25 + 9]);
    assert.deepEqual([later.severity.provisional, later.severity.confirmedCount, later.severity.unmapped], [1, 1, 0]);
  });

  it('without a mapping has no AIS and ISS 0, and criticality still applies', () => {
    const r = studyInjuries('1.2', results, defaultCriticalityTable, undefined, []);
    assert.deepEqual([r.severity.all.iss, r.severity.unmapped, r.criticality.level], [0, 3, 'critical']);
  });
});
