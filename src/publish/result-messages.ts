import type { Config } from '../config/schema.js';
import type { Criticality } from '../domain/criticality.js';
import { encodeMessage, type Hl7Message } from '../hl7/hl7-message.js';
import { reportBundle } from '../notify/fhir-report.js';
import { controlIdOf, oruMessage, type MessageContext } from '../notify/oru-message.js';
import { priorityUpdateMessage } from '../notify/priority-update.js';
import type { OutboxMessage } from '../store/message-outbox.js';
import type { ResultDocument } from './result-document.js';

/**
 * The messages a shown result sends beside its objects (docs/adr/0022-hl7-v2-and-mllp.md,
 * docs/adr/0023-alerts-fhir-webhooks.md): the preliminary ORU^R01 to each of `hl7.resultPeers`, the
 * preliminary DiagnosticReport bundle to each of `fhir.resultServers`, and, when an active
 * analyzer's result makes the study urgent or critical, the worklist priority update to each HL7
 * peer with a `priorityUpdate` mapping, built as that RIS product reads it. Each has a stable key,
 * so a result published again queues nothing new.
 */

type PeerMessage = Omit<OutboxMessage, 'studyUid'>;
type Raised = Criticality & { level: 'urgent' | 'critical' };

/** One logical HL7 message for each of `peers`, each with its stable MSH-10 and the peer's receiving application and facility. */
function toPeers(hl7: Config['hl7'], peers: readonly string[], messageKey: string, now: number, build: (context: MessageContext) => Hl7Message): PeerMessage[] {
  return peers.map((destination) => {
    const peer = hl7.peers[destination];
    const controlId = controlIdOf(`${destination}/${messageKey}`);
    const message = build({ controlId, receivingApplication: peer?.receivingApplication ?? '', receivingFacility: peer?.receivingFacility ?? '', now });
    return { channel: 'hl7', destination, messageKey, controlId, body: encodeMessage(message) };
  });
}

function reportBundles(fhir: Config['fhir'], doc: ResultDocument, now: number): PeerMessage[] {
  const bundle = reportBundle(doc, now);
  const body = JSON.stringify(bundle);
  return fhir.resultServers.map((destination) => ({ channel: 'fhir', destination, messageKey: `report/${doc.resultKey}/${doc.revision}`, controlId: bundle.id, body }));
}

/** `raised`: the study's criticality by this result when it came from an active analyzer and is urgent or critical. */
export function resultMessages(config: Pick<Config, 'hl7' | 'fhir'>, doc: ResultDocument, studyUid: string, raised: Raised | undefined, now: number): OutboxMessage[] {
  const { hl7 } = config;
  const oru = toPeers(hl7, hl7.resultPeers, `oru/${doc.resultKey}/${doc.revision}`, now, (context) => oruMessage(doc, context));
  const worklists = Object.entries(hl7.peers).flatMap(([name, peer]) => (peer.priorityUpdate ? [{ name, mapping: peer.priorityUpdate }] : []));
  const priority = raised
    ? worklists.flatMap(({ name, mapping }) => toPeers(hl7, [name], `priority/${studyUid}/${raised.level}`, now, (context) => priorityUpdateMessage(doc.patientStudy, raised, mapping, context)))
    : [];
  return [...oru, ...priority, ...reportBundles(config.fhir, doc, now)].map((m) => ({ ...m, studyUid }));
}
