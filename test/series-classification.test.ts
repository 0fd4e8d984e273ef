import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import dcmjs from 'dcmjs';
import { classifySeries } from '../src/classify/classify-series.js';
import { seriesFacts, type SeriesFacts } from '../src/classify/series-facts.js';
import { measureSlice, type SliceContent } from '../src/classify/slice-content.js';
import type { JsonDict } from '../src/imaging/pixel-description.js';
import { writeCtSeries } from './support/synthetic-ct.js';
import { tempDir } from './support/test-hub.js';

function facts(overrides: Partial<SeriesFacts>): SeriesFacts {
  return {
    modality: 'CT', bodyPartExamined: undefined, studyDescription: undefined, seriesDescription: undefined, protocolName: undefined,
    imageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'], convolutionKernel: undefined, contrastBolusAgent: undefined,
    imageOrientation: [1, 0, 0, 0, 1, 0], viewPosition: undefined, laterality: undefined, imageComments: undefined, numberOfFrames: 1, zRange: undefined,
    ...overrides,
  };
}

/** A 64×64 axial slice at 8 mm² per pixel: body ellipse, optional lungs, bone ring or bone blobs. */
function phantomSlice(z: number, kind: 'head' | 'neck' | 'chest' | 'abdomen' | 'pelvis'): SliceContent {
  const n = 64;
  const hu = new Int16Array(n * n).fill(-1000);
  const radius = kind === 'head' ? 10 : kind === 'neck' ? 7 : 28;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const dx = x - 32;
      const dy = y - 32;
      const r = Math.hypot(dx, dy);
      if (r > radius) continue;
      let v = 40;
      if (kind === 'head' && r > radius - 2) v = 1200;
      if (kind === 'chest' && Math.hypot(Math.abs(dx) - 13, dy) < 10) v = -850;
      if (kind === 'pelvis' && Math.hypot(Math.abs(dx) - 14, dy) < 6) v = 700;
      if (kind !== 'head' && Math.hypot(dx, dy - 18) < 3) v = 700;
      hu[y * n + x] = v;
    }
  }
  return measureSlice(z, hu, 8);
}

describe('series classification', () => {
  it('reads the body region from Body Part Examined, then the descriptions', () => {
    assert.equal(classifySeries(facts({ bodyPartExamined: 'HEAD' })).bodyRegion.value, 'head');
    const chest = classifySeries(facts({ seriesDescription: 'CT THORAX KM' }));
    assert.deepEqual(chest.bodyRegion, { value: 'chest', basis: 'attributes', evidence: [{ source: 'SeriesDescription', value: 'CT THORAX KM' }] });
    assert.equal(classifySeries(facts({ protocolName: 'C-SPINE TRAUMA' })).bodyRegion.value, 'cervical-spine');
    assert.equal(classifySeries(facts({ studyDescription: 'CT CHEST ABDOMEN PELVIS' })).bodyRegion.value, 'whole-body');
    assert.equal(classifySeries(facts({})).bodyRegion.basis, 'default');
  });

  it('splits a head-to-pelvis series by z-range when there are no pixels to read', () => {
    const c = classifySeries(facts({ seriesDescription: 'POLYTRAUMA WB', zRange: [-1000, 0] }));
    assert.equal(c.bodyRegion.value, 'whole-body');
    assert.deepEqual(c.regions.map((r) => [r.region, r.zFrom, r.zTo]), [
      ['head', 0, -220],
      ['cervical-spine', -220, -350],
      ['chest', -350, -650],
      ['abdomen', -650, -900],
      ['pelvis', -900, -1000],
    ]);
  });

  it('tells soft tissue, bone and lung kernels apart across vendors', () => {
    const kernel = (convolutionKernel: string, seriesDescription?: string) => classifySeries(facts({ convolutionKernel, seriesDescription })).ct?.kernel.value;
    assert.equal(kernel('B70f'), 'bone');
    assert.equal(kernel('Br40d\\3'), 'soft-tissue');
    assert.equal(kernel('I50f'), 'lung');
    assert.equal(kernel('BONEPLUS'), 'bone');
    assert.equal(kernel('STANDARD'), 'soft-tissue');
    assert.equal(kernel('FC52'), 'lung');
    assert.equal(kernel('FC35'), 'bone');
    assert.equal(kernel('B31f', 'THORAX LUNG 1mm'), 'lung');
  });

  it('finds the contrast phase and whether a series is a reformat', () => {
    assert.equal(classifySeries(facts({ seriesDescription: 'ABDOMEN PORTAL VENOUS' })).ct?.contrastPhase.value, 'portal-venous');
    assert.equal(classifySeries(facts({ seriesDescription: 'CTA ARTERIAL' })).ct?.contrastPhase.value, 'arterial');
    assert.equal(classifySeries(facts({ contrastBolusAgent: 'IOMEPROL' })).ct?.contrastPhase.value, 'contrast-unspecified');
    assert.deepEqual(classifySeries(facts({})).ct?.contrastPhase.basis, 'default');
    assert.equal(classifySeries(facts({ imageType: ['DERIVED', 'SECONDARY', 'MPR'] })).ct?.reconstruction.value, 'reformat');
    assert.equal(classifySeries(facts({ imageOrientation: [0, 1, 0, 0, 0, -1] })).ct?.reconstruction.value, 'reformat');
    assert.equal(classifySeries(facts({})).ct?.reconstruction.value, 'primary-axial');
  });

  it('classifies radiographs by body part, view and laterality', () => {
    const knee = classifySeries(facts({ modality: 'DX', bodyPartExamined: 'KNEE', viewPosition: 'LL', laterality: 'R' }));
    assert.deepEqual([knee.radiograph?.bodyPart.value, knee.radiograph?.view.value, knee.radiograph?.laterality.value, knee.bodyRegion.value], ['knee', 'lateral', 'right', 'extremity']);
    const hip = classifySeries(facts({ modality: 'CR', seriesDescription: 'HIP LEFT AP' }));
    assert.deepEqual([hip.radiograph?.bodyPart.value, hip.radiograph?.view.value, hip.radiograph?.laterality.value], ['hip', 'AP', 'left']);
    assert.equal(classifySeries(facts({ modality: 'DX', protocolName: 'GANZBEIN STEHEND' })).radiograph?.bodyPart.value, 'full-leg');
  });

  it('classifies ultrasound as cine or still and reads the FAST window', () => {
    const us = classifySeries(facts({ modality: 'US', numberOfFrames: 40, seriesDescription: 'FAST RUQ MORISON' }));
    assert.deepEqual([us.ultrasound?.kind.value, us.ultrasound?.fastWindow.value], ['cine', 'right-upper-quadrant']);
    assert.equal(classifySeries(facts({ modality: 'US' })).ultrasound?.fastWindow.value, 'unlabelled');
  });

  const panScan: SliceContent[] = [
    ...[0, -40, -80, -120, -160].map((z) => phantomSlice(z, 'head')),
    ...[-240, -280].map((z) => phantomSlice(z, 'neck')),
    ...[-400, -450, -500, -550, -600].map((z) => phantomSlice(z, 'chest')),
    ...[-700, -750, -800, -850].map((z) => phantomSlice(z, 'abdomen')),
    ...[-950, -1000].map((z) => phantomSlice(z, 'pelvis')),
  ];

  it('splits a pan-scan into regions from its pixels, in any slice order', () => {
    const c = classifySeries(facts({ seriesDescription: 'POLYTRAUMA' }), [...panScan].reverse());
    assert.equal(c.bodyRegion.value, 'whole-body');
    assert.equal(c.bodyRegion.basis, 'content');
    assert.deepEqual(c.regions.map((r) => [r.region, r.zFrom, r.zTo]), [
      ['head', 0, -160],
      ['cervical-spine', -240, -280],
      ['chest', -400, -600],
      ['abdomen', -700, -850],
      ['pelvis', -950, -1000],
    ]);
    assert.match(c.regions[2]?.evidence[0]?.value ?? '', /^lung 0\.\d\d, bone/);
  });

  it('believes the pixels over a mislabelled header, and says so', () => {
    const head = panScan.slice(0, 5);
    const c = classifySeries(facts({ bodyPartExamined: 'CHEST', seriesDescription: 'THORAX' }), head);
    assert.equal(c.bodyRegion.value, 'head');
    assert.equal(c.conflicts.length, 1);
    assert.match(c.conflicts[0] ?? '', /header says chest .*BodyPartExamined "CHEST".* but the images show head/);
  });

  it('reads its facts from a real DICOM header', () => {
    const [file] = writeCtSeries({ dir: tempDir(), count: 1, seed: 'classify', extra: { ConvolutionKernel: 'B70f', SeriesDescription: 'CHEST BONE 1mm' } }).files;
    const dict = dcmjs.data.DicomMessage.readFile(new Uint8Array(readFileSync(file ?? '')).buffer).dict as JsonDict;
    const c = classifySeries(seriesFacts(dict, [0, -1, -2]));
    assert.equal(c.bodyRegion.value, 'chest');
    assert.deepEqual(c.ct?.kernel, { value: 'bone', basis: 'attributes', evidence: [{ source: 'SeriesDescription', value: 'CHEST BONE 1mm' }] });
    assert.equal(c.ct?.reconstruction.value, 'primary-axial');
  });
});
