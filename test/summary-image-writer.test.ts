import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAnalyzer } from '../src/analyze/builtin/head-ct.js';
import { RadbridgeError } from '../src/domain/errors.js';
import type { FindingMask } from '../src/domain/finding.js';
import { decodeInstance } from '../src/imaging/decode-instance.js';
import { burnText } from '../src/imaging/burn-in.js';
import { paintRuns } from '../src/imaging/mask-runs.js';
import { sliceHeaderFrom } from '../src/imaging/slice-header.js';
import { part10Bytes } from '../src/publish/part10-bytes.js';
import { resultUid } from '../src/publish/result-uids.js';
import { summaryImage, summaryImageSource, summaryLines, textScale } from '../src/publish/sc/summary-image.js';
import { dciodvfyErrors } from './support/dicom-dump.js';
import { writeCtStudy } from './support/head-ct-study.js';
import { missingTools, run } from './support/interop.js';
import { resultDocumentOf } from './support/analyzer-result-documents.js';
import { tempDir } from './support/test-hub.js';

/** The summary secondary capture: the head CT analyzer's key slice with the mask outline and the findings burnt in. */

const skip = missingTools('dciodvfy', 'dcm2pnm');
const BRAIN = { center: 40, width: 80 };

let dir: string;
before(() => {
  dir = tempDir('radbridge-sc-writer-');
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('summary image writer', { skip }, () => {
  it('burns the key slice\'s mask outline and a line per finding into a valid secondary capture derived from it', async () => {
    const study = writeCtStudy('trauma-ct-head', path.join(dir, 'head'), { seed: 3, normal: false, matrix: 128 });
    const { findings } = await createAnalyzer({}).analyze(study.input, new AbortController().signal);
    const files = study.instances.map((i) => i.file);
    const doc = resultDocumentOf(files, findings);
    const source = summaryImageSource(doc);
    assert.ok(source);
    const decoded = await decodeInstance(readFileSync(files[doc.sources.findIndex((s) => s.sopInstanceUid === source.sopInstanceUid)] ?? ''));
    const { rescaleSlope, rescaleIntercept } = sliceHeaderFrom(decoded.dataset);
    const values = Array.from(decoded.frames[0]?.samples ?? [], (v) => v * rescaleSlope + rescaleIntercept);
    const dataset = summaryImage(doc, { sopInstanceUid: source.sopInstanceUid, values, window: BRAIN });
    assert.ok(dataset);
    assert.equal(dataset.SOPInstanceUID, resultUid('result-1', 'sc/instance/1'));
    assert.equal(dataset.BurnedInAnnotation, 'YES');
    assert.deepEqual((dataset.SourceImageSequence as Array<Record<string, unknown>>)[0]?.ReferencedSOPInstanceUID, source.sopInstanceUid);
    const file = path.join(dir, 'summary.dcm');
    writeFileSync(file, part10Bytes(dataset));
    assert.deepEqual(await dciodvfyErrors(file), []);
    const pgm = await run('dcm2pnm', [file, path.join(dir, 'summary.pgm')]);
    assert.equal(pgm.code, 0, pgm.stderr);

    const written = (await decodeInstance(readFileSync(file))).frames[0]?.samples ?? [];
    const haemorrhage = findings.find((f) => f.mask && f.presence === 'present');
    const mask = haemorrhage?.mask as FindingMask;
    const [nx, ny, nz] = mask.dimensions;
    const grid = new Uint8Array(nx * ny * nz);
    paintRuns(grid, mask.runs, 1);
    const k = [...doc.sources].sort((a, b) => (a.imagePositionPatient?.[2] ?? 0) - (b.imagePositionPatient?.[2] ?? 0)).findIndex((s) => s.sopInstanceUid === source.sopInstanceUid);
    const textOnly = new Uint8Array(nx * ny).fill(128);
    burnText(textOnly, nx, ny, summaryLines(doc), textScale(nx));
    let textRows = 0;
    textOnly.forEach((v, p) => (textRows = v === 128 ? textRows : Math.floor(p / nx) + 1));
    const inSlice = (i: number, j: number) => i >= 0 && j >= 0 && i < nx && j < ny && grid[i + nx * (j + ny * k)] === 1;
    let edge = 0;
    for (let j = textRows; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const touching = inSlice(i - 1, j) || inSlice(i + 1, j) || inSlice(i, j - 1) || inSlice(i, j + 1);
        const inner = inSlice(i - 1, j) && inSlice(i + 1, j) && inSlice(i, j - 1) && inSlice(i, j + 1);
        if (inSlice(i, j) && !inner) assert.equal(written[i + nx * j], 0, `inner outline pixel ${i}, ${j} is black`);
        if (!inSlice(i, j) && touching) assert.equal(written[i + nx * j], 255, `outer outline pixel ${i}, ${j} is white`);
        if (inSlice(i, j) && !inner) edge++;
      }
    }
    assert.ok(edge > 0, `the outline lies below the text (rows 0-${textRows - 1})`);
    assert.deepEqual(summaryLines(doc).slice(0, 2), ['AI result: Radbridge head CT 1.2.0', `Intracranial hemorrhage (${haemorrhage?.laterality}): ${Math.round((haemorrhage?.measurements[0]?.value ?? 0) * 10) / 10} mL`]);
    const firstLine = Array.from(written).slice(0, nx * 9);
    assert.ok(firstLine.includes(255) && firstLine.includes(0), 'the first text line is burnt in');
  });

  it('refuses pixels of another image or size, and gives no image without a key image', () => {
    const study = writeCtStudy('trauma-ct-head', path.join(dir, 'bad'), { seed: 4, normal: true, matrix: 64 });
    const doc = resultDocumentOf(study.instances.map((i) => i.file), []);
    assert.equal(summaryImageSource(doc), undefined);
    assert.equal(summaryImage(doc, { sopInstanceUid: '1.2.3', values: [], window: BRAIN }), undefined);
    const source = doc.sources[0];
    assert.ok(source);
    const shown = { ...doc, findings: [{ type: { scheme: 'SCT', value: '72704001', meaning: 'Fracture' }, presence: 'present' as const, measurements: [], location: { images: [{ seriesUid: source.seriesUid, sopInstanceUid: source.sopInstanceUid }] }, source: { id: 'a', version: '1', inputHash: 'x' } }] };
    const refused = (err: unknown) => err instanceof RadbridgeError && err.code === 'RESULT_DOCUMENT_INVALID';
    assert.throws(() => summaryImage(shown, { sopInstanceUid: '1.2.3', values: new Float32Array(64 * 64), window: BRAIN }), refused);
    assert.throws(() => summaryImage(shown, { sopInstanceUid: source.sopInstanceUid, values: new Float32Array(10), window: BRAIN }), refused);
    assert.ok(summaryImage(shown, { sopInstanceUid: source.sopInstanceUid, values: new Float32Array(64 * 64), window: BRAIN }));
  });
});
