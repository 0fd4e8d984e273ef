import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { PLACEHOLDERS } from '../notify/priority-update.js';
import { alertsSchema, fhirSchema, notifyReferenceProblems, webhooksSchema } from './notify-schema.js';

const aeTitle = z
  .string()
  .min(1)
  .max(16)
  .regex(/^[\x20-\x5b\x5d-\x7e]+$/, 'AE title: 1-16 printable characters, no backslash');

const port = z.coerce.number().int().min(0).max(65535);
const ms = z.coerce.number().int().min(1);
const bytes = z.coerce.number().int().min(1);

export const duplicatePolicies = ['keep-first', 'replace', 'keep-both'] as const;

const expectedSeriesRule = z.strictObject({
  modality: z.string().optional(),
  callingAeTitle: aeTitle.optional(),
  minSeries: z.coerce.number().int().min(1),
  maxWaitMs: ms.default(600_000),
});

/** A DICOM peer the hub sends to by C-STORE, named in routing rules and `results.destinations` by its key in `destinations`. */
const dimseDestination = z.strictObject({
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65535),
  aeTitle,
  /** The hub's AE title on associations to this peer. Default dicom.aeTitle. */
  callingAeTitle: aeTitle.optional(),
});

/** A DICOMweb origin server the hub sends to by STOW-RS: `stowUrl` is its base (the hub POSTs to {stowUrl}/studies). */
const dicomwebDestination = z.strictObject({
  stowUrl: z.url({ protocol: /^https?$/ }),
  timeoutMs: ms.default(60_000),
});

const destination = z.union([dimseDestination, dicomwebDestination], {
  error: 'a destination is a DICOM peer { host, port, aeTitle, callingAeTitle? } or a DICOMweb server { stowUrl, timeoutMs? }',
});

/**
 * The worklist priority update a RIS peer is sent when an active analyzer's result is urgent or
 * critical (src/notify/priority-update.ts), as that RIS product reads it: the message type, each
 * field as a template of {priority} {level} {accessionNumber} {patientId} {studyUid} {reason}, and
 * the RIS's code per level.
 */
const priorityMapping = z.strictObject({
  messageType: z.string().regex(/^[A-Z][A-Z0-9]{2}\^[A-Z0-9]{3}(\^[A-Z0-9_]+)?$/, 'a message type is like ORM^O01^ORM_O01').default('ORM^O01^ORM_O01'),
  fields: z
    .record(
      z.string(),
      z.string().refine((t) => [...t.matchAll(/\{([A-Za-z]+)\}/g)].every((m) => (PLACEHOLDERS as readonly string[]).includes(m[1] ?? '')), { error: `a template names only ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}` }),
    )
    .superRefine((fields, ctx) => {
      for (const path of Object.keys(fields)) {
        if (!/^(?!MSH-)[A-Z][A-Z0-9]{2}-\d+(\.\d+)?$/.test(path)) ctx.addIssue({ code: 'custom', path: [path], message: `${JSON.stringify(path)}: a field is SEG-n or SEG-n.c outside MSH, e.g. ORC-7.6` });
      }
    })
    .default({ 'ORC-1': 'XO', 'ORC-3': '{accessionNumber}', 'ORC-7.6': '{priority}', 'OBR-3': '{accessionNumber}', 'OBR-27.6': '{priority}', 'OBR-31': '{reason}' }),
  priorities: z.strictObject({ critical: z.string().default('S'), urgent: z.string().default('A') }).prefault({}),
});

/** An HL7 v2 receiver (RIS, interface engine) the hub sends to over MLLP, by its key in `hl7.peers`. */
const mllpPeer = z.strictObject({
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65535),
  /** MLLP over TLS: files of the CA to trust (default: the system's), and a client certificate and key when the peer asks for one. */
  tls: z.strictObject({ caFile: z.string().min(1).optional(), certFile: z.string().min(1).optional(), keyFile: z.string().min(1).optional(), servername: z.string().min(1).optional() }).optional(),
  /** MSH-5 and MSH-6 of what the hub sends this peer. */
  receivingApplication: z.string().default(''),
  receivingFacility: z.string().default(''),
  connectTimeoutMs: ms.default(10_000),
  ackTimeoutMs: ms.default(30_000),
  maxFrameBytes: bytes.default(1024 ** 2),
  /** Set for a RIS whose reading worklist the hub reorders: this RIS product's mapping of the priority update. */
  priorityUpdate: priorityMapping.optional(),
});

const pixelCleaningRule = z.strictObject({
  manufacturer: z.string().min(1),
  modelName: z.string().min(1).optional(),
  rows: z.coerce.number().int().min(1).optional(),
  columns: z.coerce.number().int().min(1).optional(),
  regions: z
    .array(z.strictObject({ x: z.coerce.number().int().min(0), y: z.coerce.number().int().min(0), width: z.coerce.number().int().min(1), height: z.coerce.number().int().min(1) }))
    .min(1),
});

/** An analyzer module (src/analyze/analyzer.ts AnalyzerModule): a file: URL or an absolute path. */
export const analyzerModuleSchema = z.strictObject({
  url: z
    .string()
    .min(1)
    .refine((u) => u.startsWith('file:') || u.startsWith('/'), 'a file: URL or an absolute path')
    .transform((u) => (u.startsWith('file:') ? u : pathToFileURL(u).href)),
  options: z.unknown().optional(),
  timeoutMs: ms.optional(),
  memoryMb: z.coerce.number().int().min(16).max(65_536).optional(),
});

export const configSchema = z.strictObject({
  dataDir: z.string().default('./data'),
  /** The site whose rollout modes gate this hub's analysis results (a mode set for site '*' applies to every site). */
  site: z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, 'a site is letters, digits, dot, dash or underscore').default('main'),
  database: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('sqlite'), path: z.string().optional() }),
      z.strictObject({
        kind: z.literal('postgres'),
        url: z.string().url(),
        schema: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('public'),
      }),
    ])
    .prefault({ kind: 'sqlite' }),
  dicom: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: port.default(11112),
      aeTitle: aeTitle.default('RADBRIDGE'),
      allowedCallingAeTitles: z.array(aeTitle).default([]),
      maxAssociations: z.coerce.number().int().min(1).default(32),
      idleTimeoutMs: ms.default(60_000),
      associationTimeoutMs: ms.default(30_000),
    })
    .prefault({}),
  http: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: port.default(8080),
      publicBaseUrl: z.string().url().optional(),
    })
    .prefault({}),
  storage: z
    .strictObject({
      duplicatePolicy: z.enum(duplicatePolicies).default('keep-first'),
      minFreeBytes: bytes.default(1024 ** 3),
    })
    .prefault({}),
  limits: z
    .strictObject({
      maxObjectBytes: bytes.default(2 * 1024 ** 3),
      maxElementBytes: bytes.default(1024 ** 3),
      maxSequenceDepth: z.coerce.number().int().min(1).max(128).default(128),
      maxRows: z.coerce.number().int().min(1).max(65535).default(16384),
      maxColumns: z.coerce.number().int().min(1).max(65535).default(16384),
      maxFrames: z.coerce.number().int().min(1).default(10_000),
    })
    .prefault({}),
  completion: z
    .strictObject({
      quietPeriodMs: ms.default(10_000),
      quietPeriodMsByCallingAe: z.record(aeTitle, ms).prefault({}),
      expectedSeries: z.array(expectedSeriesRule).default([]),
      sweepIntervalMs: ms.default(1_000),
    })
    .prefault({}),
  pull: z
    .strictObject({
      dicomwebUrl: z.string().url().optional(),
      timeoutMs: ms.default(300_000),
      /** Tries per pull, the first included, when failures are transient. */
      maxAttempts: z.coerce.number().int().min(1).max(100).default(3),
    })
    .prefault({}),
  jobs: z
    .strictObject({
      /** Jobs this hub runs at once; 0: it runs none (other hubs on the same PostgreSQL do). */
      concurrency: z.coerce.number().int().min(0).max(256).default(4),
      leaseMs: ms.default(30_000),
      pollIntervalMs: ms.default(250),
      backoffBaseMs: ms.default(1_000),
      backoffMaxMs: ms.default(300_000),
    })
    .prefault({}),
  deidentification: z
    .strictObject({
      /** Regions blanked in images that may carry burned-in text, per device and image size, before a remote analyzer gets them. */
      pixelCleaning: z.array(pixelCleaningRule).default([]),
    })
    .prefault({}),
  /** Analyzer modules registered at start (pending approval until approved through the API). */
  analyzers: z.array(analyzerModuleSchema).default([]),
  /** DICOM peers that routing rules forward to (`forward: { destination: name }`). */
  destinations: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'a destination name is letters, digits, dot, dash, underscore or @'), destination).prefault({}),
  results: z
    .strictObject({
      /** Where the hub sends the result objects it writes (names in `destinations`); none: they are written and kept, not sent. */
      destinations: z.array(z.string().min(1)).default([]),
      /** Which objects are written for a result shown to people (assistive and active modes; silent results are never written). */
      objects: z
        .strictObject({ sr: z.boolean().default(true), seg: z.boolean().default(true), kos: z.boolean().default(true), summaryImage: z.boolean().default(false) })
        .prefault({}),
      /** Tries per object and destination before it is dead-lettered (retry it through /api/jobs/{id}/retry); with the job backoff, about a day by default. */
      maxAttempts: z.coerce.number().int().min(1).max(10_000).default(300),
    })
    .prefault({}),
  hl7: z
    .strictObject({
      peers: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'a peer name is letters, digits, dot, dash, underscore or @'), mllpPeer).prefault({}),
      /** The MLLP receiver for ADT, ORM and OMI (patient, order and trauma activation context); off without a port. */
      listen: z
        .strictObject({
          port: z.coerce.number().int().min(0).max(65535).optional(),
          host: z.string().default('127.0.0.1'),
          maxFrameBytes: bytes.default(1024 ** 2),
          idleTimeoutMs: ms.default(300_000),
          /** MLLP over TLS only: the receiver's certificate and key; with caFile, senders must show a certificate it signed. */
          tls: z.strictObject({ certFile: z.string().min(1), keyFile: z.string().min(1), caFile: z.string().min(1).optional() }).optional(),
          /** The field carrying the trauma activation level, which no standard field holds: "SEG-n" or "SEG-n.c", e.g. "PV2-25" or "ZTA-1". */
          traumaActivationField: z.string().regex(/^[A-Z][A-Z0-9]{2}-\d+(\.\d+)?$/, 'a field is SEG-n or SEG-n.c, e.g. PV2-25').optional(),
        })
        .prefault({}),
      /** Peers (names in `peers`) sent each shown result as a preliminary ORU^R01. */
      resultPeers: z.array(z.string().min(1)).default([]),
      /** Tries per message and peer before it is dead-lettered; with the job backoff, about a day by default. */
      maxAttempts: z.coerce.number().int().min(1).max(10_000).default(300),
    })
    .prefault({}),
  fhir: fhirSchema,
  webhooks: webhooksSchema,
  alerts: alertsSchema,
  routing: z
    .strictObject({
      /** A YAML or JSON rules document, validated and stored as the current version at start (docs/rules-example.yaml). */
      rulesFile: z.string().min(1).optional(),
    })
    .prefault({}),
  triage: z
    .strictObject({
      /** A YAML or JSON criticality table (docs/criticality-example.yaml); default: that table. */
      criticalityFile: z.string().min(1).optional(),
      /** The site's AIS mapping (docs/ais-mapping-example.yaml); without one no AIS is mapped. */
      aisMappingFile: z.string().min(1).optional(),
    })
    .prefault({}),
  log: z
    .strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
    .prefault({}),
}).superRefine((config, ctx) => {
  config.hl7.resultPeers.forEach((name, n) => {
    if (!(name in config.hl7.peers)) ctx.addIssue({ code: 'custom', path: ['hl7', 'resultPeers', n], message: `"${name}" is not among hl7.peers (${Object.keys(config.hl7.peers).join(', ') || 'none configured'})` });
  });
  for (const problem of notifyReferenceProblems(config)) ctx.addIssue({ code: 'custom', ...problem });
  config.results.destinations.forEach((name, n) => {
    if (!(name in config.destinations)) ctx.addIssue({ code: 'custom', path: ['results', 'destinations', n], message: `"${name}" is not among destinations (${Object.keys(config.destinations).join(', ') || 'none configured'})` });
  });
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type Destination = z.infer<typeof destination>;
export type DimseDestination = z.infer<typeof dimseDestination>;
export type MllpPeerConfig = z.infer<typeof mllpPeer>;
export type DuplicatePolicy = (typeof duplicatePolicies)[number];
