import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { organVolumes } from '../src/analyze/builtin/organ-volumes.js';
import type { AnalysisInput } from '../src/analyze/analyzer.js';
import { classifySeries } from '../src/classify/classify-series.js';
import { seriesFacts } from '../src/classify/series-facts.js';
import { code, writeWithDump2dcm, type DumpElement } from './support/dicom-dump.js';
import { missingTools } from './support/interop.js';
import { segElements, type FixtureUids } from './support/seg-gsps-fixtures.js';
import { tempDir } from './support/test-hub.js';

/** Organ volumes from a SEG sent beside the CT: liver, spleen and both kidneys of known voxel counts. */

const skip = missingTools('dump2dcm');
const root = '1.2.826.0.1.3680043.10.999.18';
const uids: FixtureUids = { studyUid: `${root}.1`, seriesUid: `${root}.9`, instanceUid: `${root}.9.1`, frameOfReferenceUid: `${root}.5`, imageSeriesUid: `${root}.2`, imageUids: [1, 2, 3].map((n) => `${root}.2.${n}`) };
const anatomical = code('123037004', 'SCT', 'Anatomical Structure');
const segment = (n: number, label: string, type: DumpElement[], side?: DumpElement[]): DumpElement[] => [
  ['0062,0003', 'SQ', [anatomical]],
  ['0062,0004', 'US', String(n)],
  ['0062,0005', 'LO', label],
  ['0062,0008', 'CS', 'AUTOMATIC'],
  ['0062,0009', 'LO', 'OrganSeg'],
  ['0062,000f', 'SQ', [type]],
  ...(side ? ([['0008,2218', 'SQ', [[...type, ['0008,2220', 'SQ', [side]]]]]] as DumpElement[]) : []),
];
const organs: DumpElement[][] = [
  segment(1, 'liver', code('10200004', 'SCT', 'Liver')),
  segment(2, 'spleen', code('78961009', 'SCT', 'Spleen')),
  segment(3, 'kidney left', code('64033007', 'SCT', 'Kidney'), code('7771000', 'SCT', 'Left')),
  segment(4, 'kidney right', code('64033007', 'SCT', 'Kidney'), code('24028007', 'SCT', 'Right')),
];

describe('organ volumes from a segmentation', { skip }, () => {
  const dir = tempDir('radbridge-organ-seg-');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives liver, spleen and left and right kidney volumes with their SNOMED CT sites', async () => {
    // 4 x 4 binary frames, bits packed across frames: liver 3 + 4 voxels on slices 0 and 1, spleen 2, left kidney 1, right kidney 8.
    const spec = { type: 'BINARY' as const, rows: 4, columns: 4, frames: [{ segment: 1, slice: 0 }, { segment: 1, slice: 1 }, { segment: 2, slice: 1 }, { segment: 3, slice: 2 }, { segment: 4, slice: 2 }], pixelHex: '07\\00\\0f\\00\\03\\00\\01\\00\\ff\\00' };
    const elements = segElements(uids, spec).map((e): DumpElement => (e[0] === '0062,0002' ? ['0062,0002', 'SQ', organs] : e));
    const file = path.join(dir, 'organs.dcm');
    await writeWithDump2dcm(elements, file);
    const input: AnalysisInput = {
      studyUid: uids.studyUid, inputHash: 'h', mode: 'assistive',
      series: [{ seriesUid: uids.seriesUid, modality: 'SEG', classification: classifySeries(seriesFacts({ '00080060': { vr: 'CS', Value: ['SEG'] } })), instances: [{ sopInstanceUid: uids.instanceUid, file }] }],
    };
    const { findings } = await organVolumes(input, { id: 'abdomen-ct', version: '1.0.0' }, new AbortController().signal);
    const voxelMl = (0.5 * 0.5 * 2) / 1000;
    const got = findings.map((f) => [f.site?.value, f.laterality ?? null, Math.round((f.measurements[0]?.value ?? 0) / voxelMl), f.measurements[0]?.unit.value, f.source.id]);
    assert.deepEqual(got, [
      ['10200004', null, 7, 'mL', 'abdomen-ct'],
      ['78961009', null, 2, 'mL', 'abdomen-ct'],
      ['18639004', 'left', 1, 'mL', 'abdomen-ct'],
      ['9846003', 'right', 8, 'mL', 'abdomen-ct'],
    ]);
  });
});
