import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createAnalyzer } from '../src/analyze/builtin/fast-free-fluid.js';
import { readCineLoop } from '../src/analyze/onnx/cine-frames.js';
import { ConfigError } from '../src/config/load.js';
import { defaultCriticalityTable } from '../src/domain/criticality-defaults.js';
import { FREE_FLUID } from '../src/domain/trauma-codes.js';
import { PermanentJobError } from '../src/jobs/job-engine.js';
import { loadTriageTables } from '../src/triage/triage-files.js';
import { anechoicFractionModel } from './support/fast-models.js';
import { scratchDir, writeManifest } from './support/model-manifests.js';

/** Bad input to the triage tables and the FAST slot: each class refused with a message that names the problem. */

const dir = scratchDir('radbridge-triage-');
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

async function problemsOf(files: Parameters<typeof loadTriageTables>[0]): Promise<string[]> {
  try {
    await loadTriageTables(files);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('the triage tables named in the configuration', () => {
  it('default to the shipped table and no AIS mapping', async () => {
    assert.deepEqual(await loadTriageTables({}), { criticality: defaultCriticalityTable });
  });

  it('loads the shipped examples', async () => {
    const t = await loadTriageTables({ criticalityFile: 'docs/criticality-example.yaml', aisMappingFile: 'docs/ais-mapping-example.yaml' });
    assert.equal(t.aisMapping?.entries.length, 6);
  });

  it('refuses a missing file, a file that is not YAML, and a table with problems, each with the setting and path', async () => {
    assert.match((await problemsOf({ criticalityFile: path.join(dir, 'missing.yaml') }))[0] ?? '', /^triage\.criticalityFile .*missing\.yaml: cannot be read/);
    assert.match((await problemsOf({ aisMappingFile: file('bad.yaml', 'entries: [\n') }))[0] ?? '', /^triage\.aisMappingFile .*: cannot be read as YAML/);
    const problems = await problemsOf({ criticalityFile: file('table.yaml', 'version: 1\nrules:\n  - { id: X, level: critical, finding: { scheme: SCT, value: "1" }, label: x }\n') });
    assert.deepEqual(problems.map((p) => p.replace(/^.*table\.yaml: /, '')), ['rules[0].id: lower-case letters, digits and dashes']);
  });
});

describe('the FAST slot refuses what it cannot run', () => {
  const model = anechoicFractionModel(20);
  const base = { inputs: { modalities: ['US'] }, preprocessing: { layout: { kind: 'slice' } }, outputs: [{ kind: 'classification', name: 'fluid', labels: [{ index: 0, type: FREE_FLUID, threshold: 0.5 }] }] };

  it('options that are not { manifest }', async () => {
    await assert.rejects(createAnalyzer({ model: 'x.onnx' }), /the FAST free-fluid slot takes \{ manifest: path \}/);
  });

  it('a manifest for CT, or with other outputs than one classification', async () => {
    await assert.rejects(createAnalyzer({ manifest: writeManifest(dir, 'ct', { ...base, inputs: { modalities: ['CT'] } }, model) }), /needs inputs\.modalities with US/);
    const seg = { kind: 'segmentation', name: 'fluid', method: 'argmax', labels: [{ channel: 1, type: FREE_FLUID }] };
    await assert.rejects(createAnalyzer({ manifest: writeManifest(dir, 'seg', { ...base, outputs: [seg] }, model) }), /takes one classification output/);
  });

  it('says plainly that it is a reference method, and does not apply to a study without a FAST cine loop', async () => {
    const slot = await createAnalyzer({ manifest: writeManifest(dir, 'ok', base, model) });
    assert.match(slot.description.intendedUse, /reference method, not cleared for clinical use/);
    const input = { studyUid: '1.2.3', inputHash: 'h', mode: 'assistive' as const, series: [] };
    assert.deepEqual(slot.applicability?.(input), { applicable: false, reasons: ['no ultrasound cine loop labelled with a FAST window (RUQ, LUQ, pelvis, pericardial)'] });
    await assert.rejects(slot.analyze(input, new AbortController().signal), PermanentJobError);
  });

  it('a file that is not DICOM, as a permanent failure', async () => {
    await assert.rejects(readCineLoop(new TextEncoder().encode('not dicom'), '1.2.3'), (err: unknown) => err instanceof PermanentJobError && /cine loop 1\.2\.3 cannot be decoded/.test(err.message));
  });
});
