import type { ColumnType, Generated } from 'kysely';
import type { RolloutMode } from '../domain/rollout-mode.js';

/** Times are milliseconds since the epoch; JSON is stored as text. */
export interface PatientsTable {
  id: Generated<number>;
  patient_key: string;
  patient_id: string;
  issuer_of_patient_id: string;
  patient_name: string | null;
  birth_date: string | null;
  sex: string | null;
  updated_at: number;
}

export interface StudiesTable {
  id: Generated<number>;
  study_uid: string;
  patient_fk: number;
  accession_number: string | null;
  study_id: string | null;
  study_date: string | null;
  study_time: string | null;
  study_description: string | null;
  referring_physician_name: string | null;
  institution_name: string | null;
  num_series: number;
  num_instances: number;
  status: 'receiving' | 'complete';
  generation: number;
  first_received_at: number;
  last_received_at: number;
  completed_at: number | null;
}

export interface SeriesTable {
  id: Generated<number>;
  series_uid: string;
  study_fk: number;
  modality: string | null;
  body_part_examined: string | null;
  laterality: string | null;
  series_description: string | null;
  protocol_name: string | null;
  manufacturer: string | null;
  manufacturer_model_name: string | null;
  station_name: string | null;
  series_number: number | null;
  series_date: string | null;
  series_time: string | null;
  calling_ae_title: string | null;
  num_instances: number;
  status: 'receiving' | 'complete';
  generation: number;
  first_received_at: number;
  last_received_at: number;
  complete_after: number;
  completed_at: number | null;
}

export interface InstancesTable {
  id: Generated<number>;
  sop_instance_uid: string;
  sop_class_uid: string;
  series_fk: number;
  instance_number: number | null;
  transfer_syntax_uid: string;
  content_hash: string;
  file_path: string;
  file_size: number;
  dataset_offset: number;
  /** File offset of the (7FE0,0010) tag: the bytes before it are the header. */
  pixel_data_tag_offset: number | null;
  /** File offset of the pixel data value (the item table when encapsulated). */
  pixel_data_offset: number | null;
  /** null when encapsulated. */
  pixel_data_length: number | null;
  rows: number | null;
  columns: number | null;
  number_of_frames: number | null;
  samples_per_pixel: number | null;
  bits_allocated: number | null;
  sender_ae_title: string | null;
  received_via: string;
  received_at: number;
}

export interface InstanceVersionsTable {
  id: Generated<number>;
  sop_instance_uid: string;
  content_hash: string;
  file_path: string;
  disposition: 'replaced' | 'kept-both';
  sender_ae_title: string | null;
  recorded_at: number;
}

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  payload: string;
  idempotency_key: string;
  /** 'failed' is the dead-letter list: the job ended for good, `last_error` says why. */
  status: 'pending' | 'running' | 'done' | 'failed';
  attempts: number;
  last_error: string | null;
  run_after: number;
  created_at: number;
  updated_at: number;
  /** The worker holding the job while it runs, and until when; an expired lease is claimable again. */
  lease_owner: Generated<string | null>;
  lease_until: Generated<number | null>;
  /** The job is dead-lettered instead of run after this time; null: no deadline. */
  deadline_at: Generated<number | null>;
  /** Tries, the first included, before a transient failure dead-letters the job. */
  max_attempts: Generated<number>;
  /** Higher is claimed first among due jobs (src/domain/lane.ts). */
  priority: Generated<number>;
  /** When the last attempt started. */
  started_at: Generated<number | null>;
  dead_lettered_at: Generated<number | null>;
}

/** One row per effect a job made: the unique key makes a retried job's effect happen once. */
export interface JobEffectsTable {
  idempotency_key: string;
  effect: string;
  recorded_at: number;
}

export interface AuditLogTable {
  seq: Generated<number>;
  recorded_at: number;
  event_type: string;
  event_code: string;
  outcome: 'success' | 'minor-failure' | 'serious-failure';
  actor: string;
  source: string;
  study_uid: string | null;
  sop_instance_uid: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

export interface RuleDocumentsTable {
  id: Generated<number>;
  version: number;
  /** The validated rules document, JSON. */
  document: string;
  sha256: string;
  changed_by: string;
  reason: string;
  changed_at: number;
}

export interface AnalysisResultsTable {
  id: Generated<number>;
  idempotency_key: string;
  study_uid: string;
  /** JSON array. */
  series_uids: string;
  generation: number;
  amendment: number;
  analyzer_id: string;
  analyzer_version: string;
  rule_id: string;
  lane: string;
  /** The rollout mode in force when the result came. */
  mode: RolloutMode;
  /** JSON array of the analyzer's findings. */
  findings: string;
  created_at: number;
  /** 0 when the analyzer found its input not applicable; `reasons` says why (JSON array). */
  applicable: ColumnType<number, number | undefined, number>;
  reasons: ColumnType<string, string | undefined, string>;
  input_hash: string | null;
  model_hash: string | null;
}

export interface RoutingDecisionsTable {
  id: Generated<number>;
  study_uid: string;
  series_uid: string;
  generation: number;
  rule_id: string;
  rules_version: number;
  /** 1 when the rule's `when` passed. */
  matched: number;
  outcome: 'not-matched' | 'not-selected' | 'acted' | 'discarded' | 'overruled-by-discard';
  /** The rule's selected actions, JSON. */
  actions: string;
  lane: string;
  /** Why the rule matched or not, JSON. */
  explanation: string;
  decided_at: number;
}

export interface AnalyzerVersionsTable {
  id: Generated<number>;
  analyzer_id: string;
  version: string;
  /** JSON AnalyzerModule: where the analyzer's code is, its options and limits. */
  module: string;
  /** JSON AnalyzerDescription as the analyzer gave it when registered. */
  description: string;
  model_hash: string | null;
  /** pending | approved | retired */
  approval: string;
  /** JSON array of site names, or ["*"] for every site. */
  sites: string;
  registered_at: number;
  changed_by: string;
  reason: string;
  changed_at: number;
}

export interface AnalyzerModesTable {
  id: Generated<number>;
  analyzer_id: string;
  /** A site name, or '*' for every site without a mode of its own. */
  site: string;
  mode: string;
  changed_by: string;
  reason: string;
  changed_at: number;
}

/** A UID replaced on de-identification and its replacement, both unique: the way back for returned results. */
export interface UidReplacementsTable {
  original_uid: string;
  replacement_uid: string;
  created_at: number;
}

/** A person's decision on an injury's mapped AIS (src/store/ais-decisions.ts). */
export interface AisDecisionsTable {
  id: Generated<number>;
  study_uid: string;
  injury_id: string;
  confirmed: number;
  severity: number | null;
  reason: string;
  decided_by: string;
  decided_at: number;
}

/** An object the hub wrote from an analysis result (src/store/result-objects.ts). */
export interface ResultObjectsTable {
  id: Generated<number>;
  sop_instance_uid: string;
  result_key: string;
  revision: number;
  study_uid: string;
  series_uid: string;
  /** sr | seg | kos | summary-image */
  object_kind: string;
  sop_class_uid: string;
  file_path: string;
  created_at: number;
}

/** An object queued for a destination (src/store/outbox.ts); its job (by `job_key`) says how the sending goes. */
export interface OutboxTable {
  id: Generated<number>;
  job_key: string;
  study_uid: string;
  destination: string;
  /** sr | seg | kos | summary-image */
  object_kind: string;
  sop_class_uid: string;
  sop_instance_uid: string;
  /** In the object store, relative to its root. */
  file_path: string;
  created_at: number;
  sent_at: number | null;
  /** The peer that confirmed it (AE title and address, or URL). */
  sent_to: string | null;
}

/** An HL7 v2 message received and the acknowledgement it got (src/store/hl7-received.ts). */
export interface Hl7ReceivedTable {
  /** MSH-3 and MSH-4, as "application|facility". */
  sender: string;
  control_id: string;
  /** MSH-9, e.g. ADT^A01. */
  message_type: string;
  /** ER7 text as received. */
  message: string;
  ack: string;
  received_at: number;
}

/** A message queued for an HL7 v2 peer, a FHIR server or a webhook endpoint (src/store/message-outbox.ts); its job (by `job_key`) says how the sending goes. */
export interface MessageOutboxTable {
  id: Generated<number>;
  job_key: string;
  study_uid: string;
  channel: 'hl7' | 'fhir' | 'webhook';
  /** A name in `hl7.peers`, `fhir.servers` or `webhooks.endpoints`, as the channel says. */
  destination: string;
  /** The logical message, e.g. oru/{result key}: queued once per destination. */
  message_key: string;
  /** What the receiver knows a repeat by: MSH-10, the FHIR Bundle id, the webhook-id; the same on every try. */
  control_id: string;
  /** ER7 text or JSON, as sent. */
  body: string;
  /** The alert the message tells of, if it does. */
  alert_id: string | null;
  created_at: number;
  sent_at: number | null;
  sent_to: string | null;
  /** The acknowledgement that confirmed it. */
  reply: string | null;
}

/** Context read from one HL7 v2 message (src/store/order-context.ts). */
export interface OrderContextTable {
  id: Generated<number>;
  message_type: string;
  patient_id: string;
  accession_number: string | null;
  priority: string | null;
  trauma_activation: string | null;
  received_at: number;
}

/** An alert raised for an urgent or critical study (src/store/alerts.ts). */
export interface AlertsTable {
  id: Generated<number>;
  /** Stable and opaque, derived from study and level: carries no patient data. */
  alert_id: string;
  study_uid: string;
  level: 'critical' | 'urgent';
  /** JSON array of reason lines. */
  reasons: string;
  state: 'created' | 'delivered' | 'acknowledged';
  /** The escalation step reached, 0 the first. */
  step: number;
  created_at: number;
  delivered_at: number | null;
  escalated_at: number | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  acknowledged_via: 'person' | 'system' | null;
}

export interface DB {
  patients: PatientsTable;
  studies: StudiesTable;
  series: SeriesTable;
  instances: InstancesTable;
  instance_versions: InstanceVersionsTable;
  jobs: JobsTable;
  job_effects: JobEffectsTable;
  audit_log: AuditLogTable;
  rule_documents: RuleDocumentsTable;
  routing_decisions: RoutingDecisionsTable;
  analyzer_modes: AnalyzerModesTable;
  analysis_results: AnalysisResultsTable;
  analyzer_versions: AnalyzerVersionsTable;
  uid_replacements: UidReplacementsTable;
  ais_decisions: AisDecisionsTable;
  result_objects: ResultObjectsTable;
  outbox: OutboxTable;
  hl7_received: Hl7ReceivedTable;
  message_outbox: MessageOutboxTable;
  order_context: OrderContextTable;
  alerts: AlertsTable;
}
