import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { evaluateCriticality } from '../src/domain/criticality.js';
import { defaultCriticalityTable } from '../src/domain/criticality-defaults.js';
import { criticalityTableSchema } from '../src/domain/criticality-table.js';
import { summarizeInjuries } from '../src/domain/injury-summary.js';
import { HAEMOTHORAX, INTRACRANIAL_HAEMORRHAGE, LENGTH, MIDLINE_SHIFT, PNEUMOTHORAX } from '../src/domain/trauma-codes.js';
import { BRAIN, finding, result, volume } from './support/injury-findings.js';

const table = defaultCriticalityTable;
const MM = { scheme: 'UCUM', value: 'mm', meaning: 'millimeter' };
const of = (...findings: Parameters<typeof result>[1]) => evaluateCriticality(summarizeInjuries([result('a', findings)]), table);

describe('criticality', () => {
  it('is Critical with the measured reason when a haemorrhage reaches the threshold, and names the lesser rule too', () => {
    const c = of(finding(INTRACRANIAL_HAEMORRHAGE, { site: BRAIN, measurements: [volume(32)] }));
    assert.equal(c.level, 'critical');
    assert.deepEqual(c.reasons.map((r) => [r.level, r.reason]), [['critical', 'intracranial haemorrhage of 32 mL ≥ 30 mL'], ['urgent', 'intracranial haemorrhage present']]);
  });

  it('fires exactly at the threshold and not just below it', () => {
    assert.equal(of(finding(INTRACRANIAL_HAEMORRHAGE, { measurements: [volume(30)] })).level, 'critical');
    assert.equal(of(finding(INTRACRANIAL_HAEMORRHAGE, { measurements: [volume(29.99)] })).level, 'urgent');
    assert.equal(of(finding(MIDLINE_SHIFT, { measurements: [{ concept: LENGTH, value: 0.5, unit: { scheme: 'UCUM', value: 'cm', meaning: 'centimeter' } }] })).level, 'critical');
    assert.equal(of(finding(MIDLINE_SHIFT, { measurements: [{ concept: LENGTH, value: 4.9, unit: MM }] })).level, 'routine');
  });

  it('does not fire a threshold rule without the measurement, and says why', () => {
    const c = of(finding(MIDLINE_SHIFT));
    assert.equal(c.level, 'routine');
    assert.deepEqual(c.unchecked.map((u) => u.rule), ['midline-shift']);
    assert.match(c.unchecked[0]?.reason ?? '', /no 410668003 measurement/);
  });

  it('does not fire on a unit it cannot convert, and says which', () => {
    const c = of(finding(HAEMOTHORAX, { measurements: [volume(2, { scheme: 'UCUM', value: '[foz_us]', meaning: 'fluid ounce' })] }));
    assert.equal(c.level, 'urgent');
    assert.match(c.unchecked.find((u) => u.rule === 'haemothorax-massive')?.reason ?? '', /unit \[foz_us\] cannot be compared with mL/);
  });

  it('takes the highest level over several injuries and keeps every reason', () => {
    const c = of(finding(HAEMOTHORAX, { laterality: 'right', measurements: [volume(400)] }), finding(PNEUMOTHORAX, { laterality: 'left' }));
    assert.equal(c.level, 'critical');
    assert.deepEqual(c.reasons.map((r) => r.reason), ['pneumothorax present', 'haemothorax present']);
  });

  it('is Routine without findings, and an absent or indeterminate finding raises nothing', () => {
    assert.deepEqual(of(), { level: 'routine', reasons: [], unchecked: [] });
    assert.equal(of(finding(PNEUMOTHORAX, { presence: 'absent' }), finding(PNEUMOTHORAX, { laterality: 'right', presence: 'indeterminate' })).level, 'routine');
  });

  it('ships docs/criticality-example.yaml as the default table', () => {
    const example = criticalityTableSchema.parse(parse(readFileSync(new URL('../docs/criticality-example.yaml', import.meta.url), 'utf8')));
    assert.deepEqual(example, table);
  });

  it('refuses a table with a duplicate id, a routine rule or an unknown unit, naming each', () => {
    const bad = criticalityTableSchema.safeParse({
      version: 1,
      rules: [
        { id: 'a', level: 'critical', finding: { scheme: 'SCT', value: '1' }, label: 'x', measurement: { concept: { scheme: 'SCT', value: '2' }, atLeast: 1, unit: 'gal' } },
        { id: 'a', level: 'routine', finding: { scheme: 'SCT', value: '1' }, label: 'x' },
      ],
    });
    assert.equal(bad.success, false);
    const paths = bad.error?.issues.map((i) => i.path.join('.')).sort();
    assert.deepEqual(paths, ['rules.0.measurement.unit', 'rules.1.level']);
  });
});
