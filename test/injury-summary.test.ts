import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarizeInjuries } from '../src/domain/injury-summary.js';
import { HAEMOTHORAX, INTRACRANIAL_HAEMORRHAGE, PNEUMOTHORAX } from '../src/domain/trauma-codes.js';
import { BRAIN, finding, result, volume } from './support/injury-findings.js';

const CM3 = { scheme: 'UCUM', value: 'cm3', meaning: 'cubic centimeter' };
const MM3 = { scheme: 'UCUM', value: 'mm3', meaning: 'cubic millimeter' };

describe('the injury summary', () => {
  it('merges the same type, site and side from a pan-scan and a head series of two analyzers into one injury with both sources', () => {
    const injuries = summarizeInjuries([
      result('head-ct', [finding(INTRACRANIAL_HAEMORRHAGE, { site: BRAIN, laterality: 'left', measurements: [volume(21)], confidence: 0.7, series: '1.2.3.1' })], ['1.2.3.1']),
      result('third-party-sr', [finding(INTRACRANIAL_HAEMORRHAGE, { site: BRAIN, laterality: 'left', measurements: [volume(32)], confidence: 0.9, series: '1.2.3.2' })], ['1.2.3.2']),
    ]);
    assert.equal(injuries.length, 1);
    const [ich] = injuries;
    assert.deepEqual(ich?.sources.map((s) => [s.analyzer, s.seriesUids]), [['head-ct@1.0.0', ['1.2.3.1']], ['third-party-sr@1.0.0', ['1.2.3.2']]]);
    assert.deepEqual(ich?.measurements.map((m) => [m.value, m.unit.value, m.source]), [[32, 'mL', 'third-party-sr@1.0.0']]);
    assert.equal(ich?.confidence, 0.9);
    assert.deepEqual(ich?.codes.map((c) => c.value), [INTRACRANIAL_HAEMORRHAGE.value, BRAIN.value]);
  });

  it('keeps different sides and different types apart, and drops absent findings', () => {
    const injuries = summarizeInjuries([
      result('chest-ct', [
        finding(PNEUMOTHORAX, { laterality: 'left' }),
        finding(PNEUMOTHORAX, { laterality: 'right' }),
        finding(HAEMOTHORAX, { laterality: 'left', presence: 'absent' }),
      ]),
    ]);
    assert.deepEqual(injuries.map((i) => [i.type.value, i.laterality]), [[PNEUMOTHORAX.value, 'left'], [PNEUMOTHORAX.value, 'right']]);
    assert.notEqual(injuries[0]?.id, injuries[1]?.id);
  });

  it('compares volumes across units and keeps the largest with its source', () => {
    const [injury] = summarizeInjuries([
      result('a', [finding(HAEMOTHORAX, { laterality: 'right', measurements: [volume(1200, CM3)] })]),
      result('b', [finding(HAEMOTHORAX, { laterality: 'right', measurements: [volume(900_000, MM3)] })]),
    ]);
    assert.deepEqual(injury?.measurements.map((m) => [m.value, m.unit.value, m.source]), [[1200, 'cm3', 'a@1.0.0']]);
  });

  it('gives the same injury the same id whatever reported it, and an indeterminate injury becomes present when a source says so', () => {
    const first = summarizeInjuries([result('a', [finding(PNEUMOTHORAX, { laterality: 'left', presence: 'indeterminate' })])]);
    const both = summarizeInjuries([result('a', [finding(PNEUMOTHORAX, { laterality: 'left', presence: 'indeterminate' })]), result('b', [finding(PNEUMOTHORAX, { laterality: 'left' })])]);
    assert.equal(first[0]?.presence, 'indeterminate');
    assert.equal(both[0]?.presence, 'present');
    assert.equal(first[0]?.id, both[0]?.id);
  });

  it('has no injuries without findings', () => {
    assert.deepEqual(summarizeInjuries([result('a', [])]), []);
  });
});
