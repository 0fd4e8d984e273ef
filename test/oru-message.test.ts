import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeMessage, fieldText, parseMessage } from '../src/hl7/hl7-message.js';
import { controlIdOf, oruMessage } from '../src/notify/oru-message.js';
import { haemorrhage, headDocument, STUDY_UID } from './support/result-documents.js';

describe('ORU^R01 of an analysis result', () => {
  const context = { controlId: controlIdOf('oru/analysis-result-42/1'), receivingApplication: 'RIS', receivingFacility: 'TRAUMA', now: Date.UTC(2026, 2, 1, 10, 21) };
  const parsed = parseMessage(encodeMessage(oruMessage(headDocument(), context)));
  const segments = (id: string) => parsed.segments.filter((s) => s.id === id);

  it('names the patient, the study (accession number, Study Instance UID) and a preliminary status', () => {
    const [msh] = segments('MSH');
    assert.deepEqual([fieldText(msh, 3), fieldText(msh, 5), fieldText(msh, 6), fieldText(msh, 9), fieldText(msh, 9, 2), fieldText(msh, 10), fieldText(msh, 12), fieldText(msh, 18)], ['RADBRIDGE', 'RIS', 'TRAUMA', 'ORU', 'R01', context.controlId, '2.5.1', 'UNICODE UTF-8']);
    assert.equal(fieldText(msh, 7), '20260301102100+0000');
    const [pid] = segments('PID');
    assert.deepEqual([fieldText(pid, 3), fieldText(pid, 5), fieldText(pid, 5, 2), fieldText(pid, 7), fieldText(pid, 8)], ['P-SR-1', 'Test', 'Trauma', '19700101', 'M']);
    const [obr] = segments('OBR');
    assert.deepEqual([fieldText(obr, 3), fieldText(obr, 7), fieldText(obr, 25)], ['ACC42', '20260301101500', 'P']);
    assert.equal(fieldText(segments('ZDS')[0], 1), STUDY_UID);
  });

  it('writes each finding as a coded OBX with its presence, then its side and measurements with UCUM units, under one sub-ID', () => {
    const obx = segments('OBX');
    const first = obx.filter((s) => fieldText(s, 4) === '1');
    assert.deepEqual(first.map((s) => [fieldText(s, 2), fieldText(s, 3), fieldText(s, 3, 3)]).slice(0, 1), [['CWE', haemorrhage.type.value, 'SCT']]);
    assert.deepEqual([fieldText(first[0], 5), fieldText(first[0], 5, 3), fieldText(first[0], 11)], ['52101004', 'SCT', 'P']);
    const volumes = first.filter((s) => fieldText(s, 2) === 'NM');
    assert.deepEqual(volumes.map((s) => [fieldText(s, 5), fieldText(s, 6), fieldText(s, 6, 3), fieldText(s, 17)]), haemorrhage.measurements.map((m) => [String(m.value), m.unit.value, 'UCUM', m.method ?? '']));
    assert.equal(haemorrhage.laterality, 'left');
    assert.ok(first.some((s) => fieldText(s, 3) === '272741003' && fieldText(s, 5) === '7771000'), 'its side, left');
    assert.deepEqual(obx.map((s) => fieldText(s, 1)), obx.map((_s, n) => String(n + 1)), 'OBX set IDs count up');
    assert.ok(obx.some((s) => fieldText(s, 4) === '2'), 'the second finding has its own sub-ID');
  });

  it('derives MSH-10 from the logical message: the same key gives the same 20 characters, another key another', () => {
    assert.equal(controlIdOf('oru/a/1'), controlIdOf('oru/a/1'));
    assert.notEqual(controlIdOf('oru/a/1'), controlIdOf('oru/a/2'));
    assert.match(controlIdOf('x'), /^[0-9a-f]{20}$/);
  });
});
