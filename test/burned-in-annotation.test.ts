import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PixelCleaningRule } from '../src/deidentify/burned-in-annotation.js';
import { deidentifyForRemote } from '../src/deidentify/deidentify-for-remote.js';
import { readDicom } from '../src/deidentify/dicom-reader.js';
import { PIXEL_DATA, findElement } from '../src/deidentify/dicom-tree.js';
import { RadbridgeError } from '../src/domain/errors.js';
import { comparableDciodvfyErrors, dcmdump, writeAll } from './support/deidentified-files.js';
import { missingTools } from './support/interop.js';
import { US_COLUMNS, US_ROWS, US_TEXT_PIXEL, US_TEXT_REGION, US_TISSUE_PIXEL, writeUltrasound } from './support/seeded-dicom.js';
import { openTestDatabase, type TestDatabase } from './support/test-database.js';
import { tempDir } from './support/test-hub.js';

const skip = missingTools('dump2dcm', 'dcmdump', 'dciodvfy', 'dcmcrle');

const sonoRule: PixelCleaningRule = { manufacturer: 'Sonic Devices', modelName: 'SONO 5', rows: US_ROWS, columns: US_COLUMNS, regions: [US_TEXT_REGION] };

function pixels(bytes: Uint8Array): Buffer {
  const e = findElement(readDicom(bytes).dataset, PIXEL_DATA);
  if (e?.kind !== 'value') throw new Error('no native pixel data');
  return e.value;
}

function refused(text: RegExp) {
  return (err: unknown) => err instanceof RadbridgeError && err.code === 'DEIDENTIFICATION_REFUSED' && text.test(err.message);
}

describe('burned-in annotation before a remote analyzer', { skip }, () => {
  let t: TestDatabase;
  const dir = tempDir('radbridge-burned-in-');
  before(async () => {
    t = await openTestDatabase('sqlite');
  });
  after(async () => {
    await t.remove();
  });

  it('refuses an ultrasound image that does not say NO, and one that says YES', async () => {
    const unsaid = readFileSync(writeUltrasound(dir, 'us-unsaid', undefined));
    await assert.rejects(deidentifyForRemote([unsaid], { database: t.database }), refused(/^file 1: modality US carries text in its pixels.*no pixel cleaning regions are configured for manufacturer "Sonic Devices", model "SONO 5", 32x48/));
    const yes = readFileSync(writeUltrasound(dir, 'us-yes', 'YES'));
    await assert.rejects(deidentifyForRemote([yes], { database: t.database }), refused(/Burned In Annotation \(0028,0301\) is YES/));
  });

  it('sends an ultrasound image that says NO as it is, pixels untouched', async () => {
    const no = readFileSync(writeUltrasound(dir, 'us-no', 'NO'));
    const [out] = (await deidentifyForRemote([no], { database: t.database })).files;
    assert.equal(out?.pixelsCleaned, false);
    assert.deepEqual(pixels(out?.bytes ?? new Uint8Array()), pixels(no));
  });

  it('accepts it after cleaning: the configured text region is zeroed, the rest untouched, Burned In Annotation NO', async () => {
    const inputFile = writeUltrasound(dir, 'us-clean', undefined);
    const input = readFileSync(inputFile);
    const before = pixels(input);
    assert.equal(before[2], US_TEXT_PIXEL, 'the input has burned-in text');
    const batch = await deidentifyForRemote([input], { database: t.database, pixelCleaning: [{ ...sonoRule, manufacturer: 'Other Devices' }, sonoRule] });
    assert.equal(batch.files[0]?.pixelsCleaned, true);
    const after = pixels(batch.files[0]?.bytes ?? new Uint8Array());
    for (let y = 0; y < US_ROWS; y++) {
      for (let x = 0; x < US_COLUMNS; x++) {
        const i = y * US_COLUMNS + x;
        if (y < US_TEXT_REGION.height) assert.equal(after[i], 0, `text pixel (${x},${y}) is zeroed`);
        else assert.equal(after[i], US_TISSUE_PIXEL, `pixel (${x},${y}) outside the region is kept`);
      }
    }
    const [file] = writeAll(dir, 'us-cleaned', batch.files.map((f) => f.bytes));
    const dump = await dcmdump(file ?? '');
    assert.match(dump, /\(0028,0301\) CS \[NO\]/);
    assert.match(dump, /\(0008,0100\) SH \[113101\]/);
    assert.match(dump, /\(0012,0063\) LO \[Basic Application Confidentiality Profile\\Clean Pixel Data Option\]/);
    const inputErrors = await comparableDciodvfyErrors(inputFile);
    assert.deepEqual([...(await comparableDciodvfyErrors(file ?? ''))].filter((e) => !inputErrors.has(e)), []);
  });

  it('refuses when the cleaning rules are for another model or image size', async () => {
    const input = readFileSync(writeUltrasound(dir, 'us-other', undefined));
    await assert.rejects(deidentifyForRemote([input], { database: t.database, pixelCleaning: [{ ...sonoRule, modelName: 'SONO 7' }] }), refused(/no pixel cleaning regions/));
    await assert.rejects(deidentifyForRemote([input], { database: t.database, pixelCleaning: [{ ...sonoRule, rows: 600 }] }), refused(/no pixel cleaning regions/));
  });

  it('refuses compressed pixel data rather than cleaning it in part', async () => {
    const native = writeUltrasound(dir, 'us-rle', 'YES');
    const compressed = path.join(dir, 'us-rle-compressed.dcm');
    execFileSync('dcmcrle', [native, compressed]);
    await assert.rejects(deidentifyForRemote([readFileSync(compressed)], { database: t.database, pixelCleaning: [sonoRule] }), refused(/compressed \(RLE Lossless\).*refused rather than cleaned in part/));
  });
});
