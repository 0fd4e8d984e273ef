import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Finding } from '../src/domain/finding.js';
import type { ImagePlane } from '../src/analyze/import/image-planes.js';
import { readResultObject } from '../src/analyze/import/result-object-reader.js';
import { codeXml, concept, dsrdump, imageRef, srXml, writeWithXml2dsr } from './support/dcmtk-sr.js';
import { dciodvfyErrors } from './support/dicom-dump.js';
import { missingTools } from './support/interop.js';
import { CT_IMAGE, DEVICE, measurementReportXml, type ReportUids } from './support/measurement-report.js';
import { tempDir } from './support/test-hub.js';

const skip = missingTools('xml2dsr', 'dsrdump', 'dciodvfy');
const root = '1.2.826.0.1.3680043.10.999.2';
const uids: ReportUids = {
  studyUid: `${root}.1`,
  seriesUid: `${root}.1.9`,
  instanceUid: `${root}.1.9.1`,
  imageSeriesUid: `${root}.1.2`,
  imageUid: `${root}.1.2.7`,
  frameOfReferenceUid: `${root}.1.5`,
};
/** The CT image the report points at: 0.5 mm between rows, 0.8 mm between columns, axial at z = 50. */
const plane: ImagePlane = { seriesUid: uids.imageSeriesUid, geometry: { imagePositionPatient: [-100, -120, 50], imageOrientationPatient: [1, 0, 0, 0, 1, 0], pixelSpacing: [0.5, 0.8] } };
const importer = { id: 'third-party-results', version: '1.0.0' };
const context = (planes: Map<string, ImagePlane>) => ({ inputHash: 'hash-of-input', importer, planes });

const close = (actual: number[] | undefined, expected: number[]) => {
  assert.ok(actual, 'coordinates expected');
  expected.forEach((e, i) => assert.ok(Math.abs((actual[i] ?? Number.NaN) - e) < 1e-6, `coordinate ${i}: ${actual[i]} is not ${e}`));
};

describe('third-party SR read into findings', { skip }, () => {
  let dir: string;
  let reportFile: string;
  before(async () => {
    dir = tempDir('radbridge-sr-');
    reportFile = path.join(dir, 'tid1500.dcm');
    await writeWithXml2dsr(measurementReportXml(uids), reportFile);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('builds a TID 1500 report that dciodvfy accepts and dsrdump shows', async () => {
    assert.deepEqual(await dciodvfyErrors(reportFile), []);
    const dump = await dsrdump(reportFile);
    assert.match(dump, /Imaging Measurement Report/);
    assert.match(dump, /Finding"\)=\(72704001,SRT,"Fracture"\)/);
  });

  it('reads each measurement group: type, site, side, measurements, certainty, image region and device', async () => {
    const { findings, notes } = await readResultObject(readFileSync(reportFile), context(new Map([[uids.imageUid, plane]])));
    assert.deepEqual(notes, []);
    assert.equal(findings.length, 2);
    const [fracture, haemorrhage] = findings as [Finding, Finding];
    assert.deepEqual(fracture.type, { scheme: 'SCT', value: '72704001', meaning: 'Fracture' }, 'retired SRT is read as SCT');
    assert.equal(fracture.presence, 'present');
    assert.deepEqual(fracture.site, { scheme: 'SCT', value: '71341001', meaning: 'Bone structure of femur' });
    assert.equal(fracture.laterality, 'left');
    assert.deepEqual(fracture.measurements, [
      { concept: { scheme: 'SCT', value: '103339001', meaning: 'Long Axis' }, value: 23.5, unit: { scheme: 'UCUM', value: 'mm', meaning: 'millimeter' } },
    ]);
    assert.equal(fracture.confidence, 0.87);
    assert.deepEqual(fracture.location?.images, [{ seriesUid: uids.imageSeriesUid, sopInstanceUid: uids.imageUid }]);
    close(fracture.location?.box?.[0], [-100 + 9.5 * 0.8, -120 + 19.5 * 0.5, 50]);
    close(fracture.location?.box?.[1], [-100 + 29.5 * 0.8, -120 + 39.5 * 0.5, 50]);
    assert.deepEqual(fracture.source, { id: DEVICE.model, version: DEVICE.version, manufacturer: DEVICE.manufacturer, inputHash: 'hash-of-input' });

    assert.deepEqual(haemorrhage.type, { scheme: 'SCT', value: '50960005', meaning: 'Hemorrhage' });
    assert.equal(haemorrhage.presence, 'present');
    assert.deepEqual(haemorrhage.site, { scheme: 'SCT', value: '12738006', meaning: 'Brain structure' });
    assert.equal(haemorrhage.laterality, 'right');
    assert.deepEqual(haemorrhage.measurements, [{ concept: { scheme: 'SCT', value: '118565006', meaning: 'Volume' }, value: 12.5, unit: { scheme: 'UCUM', value: 'mL', meaning: 'milliliter' } }]);
    assert.equal(haemorrhage.confidence, undefined);
    assert.deepEqual(haemorrhage.location, { images: [], point: [12.5, -40, 65] });
    assert.equal(haemorrhage.source.version, '3.4', "the group's algorithm version wins over the equipment's");
  });

  it('keeps the image reference without coordinates when the image plane is not known', async () => {
    const { findings } = await readResultObject(readFileSync(reportFile), context(new Map()));
    assert.deepEqual(findings[0]?.location, { images: [{ seriesUid: uids.imageSeriesUid, sopInstanceUid: uids.imageUid }] });
  });

  it('reads a Comprehensive SR tree generically: a Finding item with its site, certainty and point', async () => {
    const file = path.join(dir, 'comprehensive.dcm');
    const finding = `<container flag="SEPARATE"><relationship>CONTAINS</relationship>${concept('121070', 'DCM', 'Findings')}
<code><relationship>CONTAINS</relationship>${concept('121071', 'DCM', 'Finding')}
<code><relationship>HAS CONCEPT MOD</relationship>${concept('363698007', 'SCT', 'Finding Site')}${codeXml('39607008', 'SCT', 'Lung structure')}
<code><relationship>HAS CONCEPT MOD</relationship>${concept('272741003', 'SCT', 'Laterality')}${codeXml('24028007', 'SCT', 'Right')}</code></code>
<num><relationship>HAS PROPERTIES</relationship>${concept('111012', 'DCM', 'Certainty of Finding')}<value>0.92</value><unit>${codeXml('1', 'UCUM', 'no units')}</unit></num>
<scoord type="POINT"><relationship>INFERRED FROM</relationship>${concept('111030', 'DCM', 'Image Region')}${imageRef('SELECTED FROM', CT_IMAGE, uids.imageUid)}<data>100/200</data></scoord>
${codeXml('36118008', 'SCT', 'Pneumothorax')}</code></container>`;
    const xml = srXml({
      type: 'Comprehensive SR',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.88.33',
      studyUid: uids.studyUid,
      seriesUid: uids.seriesUid,
      instanceUid: `${uids.instanceUid}.2`,
      device: { manufacturer: 'Chest Vision', model: 'PTX-Detect', version: '5.0' },
      evidence: [{ seriesUid: uids.imageSeriesUid, sopClassUid: CT_IMAGE, instances: [uids.imageUid] }],
      root: { concept: concept('18748-4', 'LN', 'Diagnostic Imaging Report'), children: finding },
    });
    await writeWithXml2dsr(xml, file);
    assert.deepEqual(await dciodvfyErrors(file), []);
    const { findings } = await readResultObject(readFileSync(file), context(new Map([[uids.imageUid, plane]])));
    assert.equal(findings.length, 1);
    const [ptx] = findings as [Finding];
    assert.deepEqual(ptx.type, { scheme: 'SCT', value: '36118008', meaning: 'Pneumothorax' });
    assert.deepEqual([ptx.presence, ptx.site?.value, ptx.laterality, ptx.confidence], ['present', '39607008', 'right', 0.92]);
    assert.deepEqual(ptx.measurements, []);
    assert.deepEqual(ptx.location?.images, [{ seriesUid: uids.imageSeriesUid, sopInstanceUid: uids.imageUid }]);
    close(ptx.location?.point, [-100 + 99.5 * 0.8, -120 + 199.5 * 0.5, 50]);
    assert.deepEqual(ptx.source, { id: 'PTX-Detect', version: '5.0', manufacturer: 'Chest Vision', inputHash: 'hash-of-input' }, 'without an observer context the equipment names the device');
  });

  it('refuses an SR without a content tree, naming what is missing', async () => {
    const file = path.join(dir, 'empty.dcm');
    const xml = srXml({
      type: 'Enhanced SR',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.88.22',
      studyUid: uids.studyUid,
      seriesUid: uids.seriesUid,
      instanceUid: `${uids.instanceUid}.3`,
      device: DEVICE,
      evidence: [],
      root: { concept: concept('126000', 'DCM', 'Imaging Measurement Report'), children: '' },
    });
    await writeWithXml2dsr(xml, file);
    await assert.rejects(readResultObject(readFileSync(file), context(new Map())), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'DICOM_MISSING_ATTRIBUTE');
      assert.match(err.message, /no content tree: Content Sequence \(0040,A730\) of the root is empty/);
      return true;
    });
  });
});
