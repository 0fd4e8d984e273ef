import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deidentifyForRemote } from '../src/deidentify/deidentify-for-remote.js';
import { readDicom } from '../src/deidentify/dicom-reader.js';
import { PIXEL_DATA, findElement } from '../src/deidentify/dicom-tree.js';
import { reidentify } from '../src/deidentify/reidentify.js';
import { RadbridgeError } from '../src/domain/errors.js';
import { openDatabase } from '../src/store/database.js';
import { claimUidReplacements } from '../src/store/uid-replacements.js';
import { comparableDciodvfyErrors, dcmdump, searchableText, writeAll } from './support/deidentified-files.js';
import { missingTools } from './support/interop.js';
import { seededStudy, seededValues, sopInstanceUidOf, writeSeededCt, type SyntaxOption } from './support/seeded-dicom.js';
import { openTestDatabase, type DatabaseKind, type TestDatabase } from './support/test-database.js';
import { tempDir } from './support/test-hub.js';

const skip = missingTools('dump2dcm', 'dcmdump', 'dciodvfy');
const SYNTAXES: Array<[SyntaxOption, string]> = [
  ['+te', '1.2.840.10008.1.2.1'],
  ['+tb', '1.2.840.10008.1.2.2'],
  ['+ti', '1.2.840.10008.1.2'],
  ['+td', '1.2.840.10008.1.2.1.99'],
];

function uidIn(dump: string, tag: string): string[] {
  return [...dump.matchAll(new RegExp(`\\(${tag}\\) UI \\[([^\\]]*)\\]`, 'g'))].map((m) => m[1] ?? '');
}

function pixelData(bytes: Uint8Array): Buffer {
  const e = findElement(readDicom(bytes).dataset, PIXEL_DATA);
  assert.equal(e?.kind, 'value');
  return e.kind === 'value' ? e.value : Buffer.alloc(0);
}

function refusal(code: string, text: RegExp) {
  return (err: unknown) => err instanceof RadbridgeError && err.code === code && text.test(err.message);
}

for (const kind of ['sqlite', 'postgres'] as DatabaseKind[]) {
  describe(`de-identification for remote analyzers on ${kind}`, { skip }, () => {
    let t: TestDatabase;
    before(async () => {
      t = await openTestDatabase(kind);
    });
    after(async () => {
      await t.remove();
    });

    for (const [syntax, syntaxUid] of SYNTAXES) {
      it(`leaves none of the seeded identifiers in the bytes, in ${syntaxUid}, with the pixels and transfer syntax kept`, async () => {
        const dir = tempDir('radbridge-deid-');
        const study = seededStudy(SYNTAXES.findIndex(([s]) => s === syntax) + 10);
        const inputs = [0, 1, 2].map((i) => writeSeededCt(dir, study, i, syntax));
        const inputBytes = inputs.map((f) => readFileSync(f));
        const before = searchableText(inputBytes[1] ?? Buffer.alloc(0));
        for (const value of Object.values(seededValues)) assert.ok(before.includes(value), `the input carries ${value}`);

        const batch = await deidentifyForRemote(inputBytes, { database: t.database });
        const outputs = writeAll(dir, 'deid', batch.files.map((f) => f.bytes));
        const originals = [study.studyUid, study.seriesUid, study.frameOfReferenceUid, study.referencedStudyUid, ...[0, 1, 2].map((i) => sopInstanceUidOf(study, i))];
        for (const [i, file] of outputs.entries()) {
          const bytes = searchableText(readFileSync(file));
          const dump = await dcmdump(file);
          for (const value of [...Object.values(seededValues), ...originals]) {
            assert.ok(!bytes.includes(value), `${value} survives in the bytes of file ${i}`);
            assert.ok(!dump.includes(value), `${value} survives in the dcmdump of file ${i}`);
          }
          assert.match(dump, new RegExp(`\\(0002,0010\\) UI \\[${syntaxUid.replace(/\./g, '\\.')}\\]`));
          assert.match(dump, /\(0012,0062\) CS \[YES\]/);
          assert.match(dump, /\(0012,0063\) LO \[Basic Application Confidentiality Profile\]/);
          assert.match(dump, /\(0008,0100\) SH \[113100\][\s\S]*\(0008,0102\) SH \[DCM\]/);
          assert.match(dump, /\(0010,0010\) PN (\(no value available\)|\[\])/);
          assert.doesNotMatch(dump, /\((0009|0029|6000),/);
          assert.deepEqual(pixelData(readFileSync(file)), pixelData(inputBytes[i] ?? new Uint8Array()), `pixels of file ${i}`);
        }
        const dumps = await Promise.all(outputs.map(dcmdump));
        const studyUids = new Set(dumps.flatMap((d) => uidIn(d, '0020,000d')));
        assert.equal(studyUids.size, 1);
        assert.match([...studyUids][0] ?? '', /^2\.25\.\d+$/);
        assert.equal(batch.mapping.get(study.studyUid), [...studyUids][0]);
        // Source Image Sequence of slice 2 still points at slice 1, under its new UID.
        const sop1 = uidIn(dumps[1] ?? '', '0008,0018')[0];
        assert.ok(sop1 && uidIn(dumps[2] ?? '', '0008,1155').includes(sop1));
        assert.equal(batch.mapping.get(sopInstanceUidOf(study, 1)), sop1);
      });
    }

    it('adds no dciodvfy error to those of the input', async () => {
      const dir = tempDir('radbridge-deid-');
      const input = writeSeededCt(dir, seededStudy(20), 1);
      const [output] = writeAll(dir, 'deid', (await deidentifyForRemote([readFileSync(input)], { database: t.database })).files.map((f) => f.bytes));
      const inputErrors = await comparableDciodvfyErrors(input);
      const added = [...(await comparableDciodvfyErrors(output ?? ''))].filter((e) => !inputErrors.has(e));
      assert.deepEqual(added, []);
    });

    it('maps the same UID to the same replacement across files, runs and a reopened index', async () => {
      const dir = tempDir('radbridge-deid-');
      const study = seededStudy(30);
      const first = await deidentifyForRemote([readFileSync(writeSeededCt(dir, study, 0))], { database: t.database });
      const second = await deidentifyForRemote([readFileSync(writeSeededCt(dir, study, 1))], { database: t.database });
      assert.equal(second.mapping.get(study.studyUid), first.mapping.get(study.studyUid));
      assert.equal(second.mapping.get(study.frameOfReferenceUid), first.mapping.get(study.frameOfReferenceUid));
      assert.notEqual(second.mapping.get(study.studyUid), second.mapping.get(study.seriesUid));
      const reopened = await openDatabase(t.config, t.dataDir);
      try {
        const third = await deidentifyForRemote([readFileSync(writeSeededCt(dir, study, 2))], { database: reopened });
        assert.equal(third.mapping.get(study.studyUid), first.mapping.get(study.studyUid));
        // Slice 2's Source Image Sequence names slice 1 by the replacement the second run gave it.
        assert.equal(third.mapping.get(sopInstanceUidOf(study, 1)), second.mapping.get(sopInstanceUidOf(study, 1)));
      } finally {
        await reopened.close();
      }
      const rows = await t.database.db.selectFrom('uid_replacements').selectAll().where('original_uid', '=', study.studyUid).execute();
      assert.equal(rows.length, 1);
    });

    it('gives two writers racing for the same original one replacement', async () => {
      const original = '1.2.826.0.1.3680043.10.999.60.1';
      const [a, b] = await Promise.all([
        claimUidReplacements(t.database.db, new Map([[original, '2.25.1001']]), 1),
        claimUidReplacements(t.database.db, new Map([[original, '2.25.1002']]), 2),
      ]);
      assert.ok(['2.25.1001', '2.25.1002'].includes(a.get(original) ?? ''));
      assert.equal(b.get(original), a.get(original));
    });

    it('re-identifies a returned SR: every de-identified UID it references goes back to the original', async () => {
      const dir = tempDir('radbridge-deid-');
      const study = seededStudy(40);
      const batch = await deidentifyForRemote([0, 1].map((i) => readFileSync(writeSeededCt(dir, study, i))), { database: t.database });
      const deid = (uid: string) => batch.mapping.get(uid) ?? assert.fail(`no replacement for ${uid}`);
      const srUid = '2.25.123456789012345678901234567890';
      const srSeries = '2.25.223456789012345678901234567890';
      const returned = path.join(dir, 'returned-sr.dcm');
      writeFileSync(
        `${returned}.dump`,
        [
          '(0008,0016) UI [1.2.840.10008.5.1.4.1.1.88.22]',
          `(0008,0018) UI [${srUid}]`,
          '(0008,0060) CS [SR]',
          `(0020,000d) UI [${deid(study.studyUid)}]`,
          `(0020,000e) UI [${srSeries}]`,
          '(0040,a375) SQ (Sequence)',
          '(fffe,e000) na (Item)',
          '(0008,1115) SQ (Sequence)',
          '(fffe,e000) na (Item)',
          '(0008,1199) SQ (Sequence)',
          ...[0, 1].flatMap((i) => ['(fffe,e000) na (Item)', '(0008,1150) UI [1.2.840.10008.5.1.4.1.1.2]', `(0008,1155) UI [${deid(sopInstanceUidOf(study, i))}]`, '(fffe,e00d) na (ItemDelimitationItem)']),
          '(fffe,e0dd) na (SequenceDelimitationItem)',
          `(0020,000e) UI [${deid(study.seriesUid)}]`,
          '(fffe,e00d) na (ItemDelimitationItem)',
          '(fffe,e0dd) na (SequenceDelimitationItem)',
          `(0020,000d) UI [${deid(study.studyUid)}]`,
          '(fffe,e00d) na (ItemDelimitationItem)',
          '(fffe,e0dd) na (SequenceDelimitationItem)',
          '',
        ].join('\n'),
      );
      execFileSync('dump2dcm', ['+te', `${returned}.dump`, returned]);
      const result = await reidentify(readFileSync(returned), { database: t.database });
      const restoredFile = path.join(dir, 'restored-sr.dcm');
      writeFileSync(restoredFile, result.bytes);
      const dump = await dcmdump(restoredFile);
      assert.deepEqual(uidIn(dump, '0020,000d'), [study.studyUid, study.studyUid]);
      assert.deepEqual(uidIn(dump, '0008,1155'), [sopInstanceUidOf(study, 0), sopInstanceUidOf(study, 1)]);
      assert.deepEqual(uidIn(dump, '0020,000e'), [srSeries, study.seriesUid]);
      assert.deepEqual(uidIn(dump, '0008,0018'), [srUid]);
      assert.equal(result.restored.size, 4);
    });

    it('refuses bytes that are not DICOM and truncated files with a coded error naming the file, recording nothing', async () => {
      const dir = tempDir('radbridge-deid-');
      const study = seededStudy(50);
      const good = readFileSync(writeSeededCt(dir, study, 0));
      await assert.rejects(deidentifyForRemote([good, Buffer.from('this is a text file, not DICOM at all '.repeat(8))], { database: t.database }), refusal('DICOM_NOT_PART10', /^file 2: .*DICM/));
      await assert.rejects(deidentifyForRemote([Buffer.alloc(40)], { database: t.database }), refusal('DICOM_NOT_PART10', /^file 1: only 40 bytes/));
      const truncated = good.subarray(0, good.length - 300);
      await assert.rejects(deidentifyForRemote([truncated], { database: t.database }), refusal('DICOM_TRUNCATED', /^file 1: the object ends inside/));
      const cutInHeader = good.subarray(0, 400);
      await assert.rejects(deidentifyForRemote([cutInHeader], { database: t.database }), refusal('DICOM_TRUNCATED', /^file 1: /));
      await assert.rejects(reidentify(truncated, { database: t.database }), refusal('DICOM_TRUNCATED', /the object ends inside/));
      const rows = await t.database.db.selectFrom('uid_replacements').selectAll().where('original_uid', '=', study.studyUid).execute();
      assert.deepEqual(rows, []);
    });
  });
}
