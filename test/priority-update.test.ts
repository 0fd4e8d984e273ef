import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config/load.js';
import { encodeMessage, fieldText, parseMessage, segmentOf } from '../src/hl7/hl7-message.js';
import { priorityUpdateMessage } from '../src/notify/priority-update.js';
import { resultMessages } from '../src/publish/result-messages.js';
import { headDocument } from './support/result-documents.js';

describe('worklist priority update', () => {
  const criticality = { level: 'critical' as const, reasons: [{ level: 'critical' as const, rule: 'ich-large', injuryId: '0123456789abcdef', reason: 'intracranial haemorrhage of 32 mL ≥ 30 mL | left^frontal' }], unchecked: [] };
  const context = { controlId: 'PRIO-1', receivingApplication: 'RIS', receivingFacility: 'TRAUMA', now: Date.UTC(2026, 11, 3, 12) };

  it('fills each mapped field and component from its template, segments in the mapping’s order, values escaped', () => {
    const defaults = loadConfig({ env: {}, overrides: { hl7: { peers: { ris: { host: 'ris.example', port: 2575, priorityUpdate: {} } } } } }).hl7.peers.ris?.priorityUpdate;
    assert.ok(defaults);
    const text = encodeMessage(priorityUpdateMessage(headDocument().patientStudy, criticality, { ...defaults, fields: { 'ORC-1': 'XO', 'ORC-7.6': '{priority}', 'OBR-3': '{accessionNumber}', 'ZPR-2.3': '{level} {studyUid}', 'OBR-31': '{reason}' } }, context));
    const message = parseMessage(text);
    assert.deepEqual(message.segments.map((s) => s.id), ['MSH', 'PID', 'ORC', 'OBR', 'ZPR']);
    assert.deepEqual([fieldText(segmentOf(message, 'MSH'), 9), fieldText(segmentOf(message, 'MSH'), 9, 2), fieldText(segmentOf(message, 'MSH'), 10)], ['ORM', 'O01', 'PRIO-1']);
    assert.equal(fieldText(segmentOf(message, 'ORC'), 7, 6), 'S');
    assert.equal(fieldText(segmentOf(message, 'OBR'), 3), 'ACC42');
    assert.equal(fieldText(segmentOf(message, 'ZPR'), 2, 3), `critical ${headDocument().patientStudy.StudyInstanceUID ?? ''}`);
    assert.equal(fieldText(segmentOf(message, 'OBR'), 31), 'intracranial haemorrhage of 32 mL ≥ 30 mL | left^frontal', 'delimiters in a reason stay inside its field');
    assert.equal(fieldText(segmentOf(message, 'PID'), 3), 'P-SR-1');
  });

  it('uses the site’s code for each level', () => {
    const mapping = { messageType: 'OMG^O19^OMG_O19', fields: { 'TQ1-9': '{priority}' }, priorities: { critical: 'STAT', urgent: 'ASAP' } };
    const urgent = priorityUpdateMessage(headDocument().patientStudy, { ...criticality, level: 'urgent' }, mapping, context);
    assert.equal(fieldText(segmentOf(urgent, 'TQ1'), 9), 'ASAP');
    assert.equal(fieldText(segmentOf(priorityUpdateMessage(headDocument().patientStudy, criticality, mapping, context), 'TQ1'), 9), 'STAT');
  });

  it('gives each RIS its own product’s message, and none to a peer without a mapping', () => {
    const config = loadConfig({
      env: {},
      overrides: {
        hl7: {
          peers: {
            'ris-a': { host: 'a.example', port: 2575, priorityUpdate: { fields: { 'ORC-7.6': '{priority}' } } },
            'ris-b': { host: 'b.example', port: 2575, priorityUpdate: { messageType: 'OMG^O19^OMG_O19', fields: { 'TQ1-9': '{priority}' }, priorities: { critical: 'STAT', urgent: 'ASAP' } } },
            archive: { host: 'c.example', port: 2575 },
          },
        },
      },
    });
    const doc = headDocument();
    const messages = resultMessages(config, doc, doc.patientStudy.StudyInstanceUID ?? '', criticality, context.now);
    assert.deepEqual(messages.map((m) => m.destination).sort(), ['ris-a', 'ris-b']);
    const to = (destination: string) => parseMessage(messages.find((m) => m.destination === destination)?.body ?? '');
    assert.equal(fieldText(segmentOf(to('ris-a'), 'ORC'), 7, 6), 'S');
    assert.equal(fieldText(segmentOf(to('ris-b'), 'MSH'), 9), 'OMG');
    assert.equal(fieldText(segmentOf(to('ris-b'), 'TQ1'), 9), 'STAT');
    assert.deepEqual(resultMessages(config, doc, 'x', undefined, context.now), [], 'nothing when the result raises the study to neither level');
  });

  it('refuses a mapping that writes MSH, names an unknown value or is not a message type, each at its peer’s path', () => {
    const refuses = (priorityUpdate: unknown, pattern: RegExp) =>
      assert.throws(() => loadConfig({ env: {}, overrides: { hl7: { peers: { ris: { host: 'ris.example', port: 2575, priorityUpdate } } } } }), pattern);
    refuses({ fields: { 'MSH-9': 'ORM' } }, /hl7\.peers\.ris\.priorityUpdate\.fields.*a field is SEG-n or SEG-n\.c outside MSH/);
    refuses({ fields: { 'ORC-7.6': '{urgency}' } }, /a template names only \{priority\}/);
    refuses({ messageType: 'ORM-O01' }, /a message type is like ORM\^O01\^ORM_O01/);
  });
});
