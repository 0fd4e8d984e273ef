import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeFilePrefix, parseFilePrefix } from '../src/dicom/part10.js';
import { missingTools, run } from './support/interop.js';
import { writeCtSeries } from './support/synthetic-ct.js';
import { startTestHub, tempDir, type TestHub } from './support/test-hub.js';

const skip = missingTools('storescu', 'dcmconv', 'dcmcjpeg', 'dcmcjpls', 'dcmcrle');

function datasetOf(file: string): { ts: string; dataset: Buffer } {
  const bytes = readFileSync(file);
  const prefix = parseFilePrefix(bytes, true);
  assert.ok(prefix);
  return { ts: prefix.meta.transferSyntaxUid, dataset: bytes.subarray(prefix.length) };
}

async function explicitDataset(file: string, dir: string): Promise<Buffer> {
  const out = path.join(dir, `inflated-${path.basename(file)}`);
  const r = await run('dcmconv', ['+te', file, out]);
  assert.equal(r.code, 0, r.stderr);
  return datasetOf(out).dataset;
}

/** Relabels an encapsulated file as JPEG 2000: DCMTK has no JPEG 2000 encoder, and the hub stores bytes as received. */
function relabelAsJpeg2000(source: string, target: string, transferSyntaxUid: string): void {
  const bytes = readFileSync(source);
  const prefix = parseFilePrefix(bytes, true);
  assert.ok(prefix);
  writeFileSync(target, Buffer.concat([encodeFilePrefix({ ...prefix.meta, transferSyntaxUid }), bytes.subarray(prefix.length)]));
}

describe('C-STORE accepts every common transfer syntax and stores it as received', { skip }, () => {
  let hub: TestHub;
  const dir = tempDir();
  /** name, transfer syntax, how DCMTK makes it from a source file. */
  const conversions: Array<[string, string, (source: string, out: string) => [string, string[]] | undefined]> = [
    ['Implicit VR Little Endian', '1.2.840.10008.1.2', (src, out) => ['dcmconv', ['+ti', src, out]]],
    ['Explicit VR Big Endian', '1.2.840.10008.1.2.2', (src, out) => ['dcmconv', ['+tb', src, out]]],
    ['Deflated Explicit VR Little Endian', '1.2.840.10008.1.2.1.99', (src, out) => ['dcmconv', ['+td', src, out]]],
    ['JPEG Baseline (8 bit)', '1.2.840.10008.1.2.4.50', (src, out) => ['dcmcjpeg', ['+eb', src, out]]],
    ['JPEG Extended (12 bit)', '1.2.840.10008.1.2.4.51', (src, out) => ['dcmcjpeg', ['+ee', src, out]]],
    ['JPEG Lossless (Process 14)', '1.2.840.10008.1.2.4.57', (src, out) => ['dcmcjpeg', ['+el', src, out]]],
    ['JPEG Lossless SV1', '1.2.840.10008.1.2.4.70', (src, out) => ['dcmcjpeg', ['+e1', src, out]]],
    ['JPEG-LS Lossless', '1.2.840.10008.1.2.4.80', (src, out) => ['dcmcjpls', ['+el', src, out]]],
    ['JPEG-LS Near-Lossless', '1.2.840.10008.1.2.4.81', (src, out) => ['dcmcjpls', ['+en', src, out]]],
    ['RLE Lossless', '1.2.840.10008.1.2.5', (src, out) => ['dcmcrle', [src, out]]],
    ['JPEG 2000 Lossless (relabelled JPEG-LS bytes)', '1.2.840.10008.1.2.4.90', () => undefined],
    ['JPEG 2000 (relabelled JPEG-LS bytes)', '1.2.840.10008.1.2.4.91', () => undefined],
  ];
  /** A storescu profile per transfer syntax, so each file is offered in exactly its own syntax. */
  const profiles = path.join(dir, 'storescu.cfg');
  writeFileSync(
    profiles,
    [
      '[[TransferSyntaxes]]',
      ...conversions.flatMap(([, uid], i) => [`[TS${i}]`, `TransferSyntax1 = ${uid}`]),
      '[[PresentationContexts]]',
      ...conversions.flatMap((_c, i) => [`[PC${i}]`, `PresentationContext1 = 1.2.840.10008.5.1.4.1.1.2\\TS${i}`]),
      '[[Profiles]]',
      ...conversions.flatMap((_c, i) => [`[P${i}]`, `PresentationContexts = PC${i}`]),
    ].join('\n'),
  );

  before(async () => {
    hub = await startTestHub();
  });
  after(async () => {
    await hub.stop();
  });

  for (const [index, [name, uid, convert]] of conversions.entries()) {
    it(name, async () => {
      const out = path.join(dir, `${uid}.dcm`);
      const eightBit = uid === '1.2.840.10008.1.2.4.50' ? { BitsAllocated: 8, BitsStored: 8, HighBit: 7, PixelData: [new Uint8Array(64 * 64).fill(90).buffer] } : {};
      const source = writeCtSeries({ dir: path.join(dir, uid), count: 1, seed: `ts-${uid}`, extra: eightBit }).files[0] as string;
      const command = convert(source, out);
      if (command) {
        const made = await run(command[0], command[1]);
        assert.equal(made.code, 0, made.stderr);
      } else {
        const jls = path.join(dir, `${uid}.jls.dcm`);
        assert.equal((await run('dcmcjpls', ['+el', source, jls])).code, 0);
        relabelAsJpeg2000(jls, out, uid);
      }
      const original = datasetOf(out);
      assert.equal(original.ts, uid);
      const sent = await run('storescu', ['-v', '-xf', profiles, `P${index}`, '-aec', 'RADBRIDGE', '127.0.0.1', String(hub.dicomPort), out]);
      assert.equal(sent.code, 0, sent.stderr);
      const sop = await run('dcmdump', ['+P', '0008,0018', '-q', out]);
      const sopUid = /\[([0-9.]+)\]/.exec(sop.stdout)?.[1] ?? '';
      const row = await hub.app.database.db.selectFrom('instances').selectAll().where('sop_instance_uid', '=', sopUid).where('transfer_syntax_uid', '=', uid).executeTakeFirst();
      assert.ok(row, `stored in ${uid}: ${sent.stdout}${sent.stderr}`);
      const stored = datasetOf(path.join(hub.dataDir, row.file_path));
      assert.equal(stored.ts, uid);
      if (uid === '1.2.840.10008.1.2.1.99') {
        // storescu deflates again on the wire: compare the inflated content.
        assert.deepEqual(await explicitDataset(path.join(hub.dataDir, row.file_path), dir), await explicitDataset(out, dir));
      } else {
        assert.ok(stored.dataset.equals(original.dataset), 'data set bytes identical to what was sent');
      }
    });
  }
});
