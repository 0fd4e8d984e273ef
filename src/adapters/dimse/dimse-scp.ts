import net from 'node:net';
import type { Writable } from 'node:stream';
import dimse from 'dcmjs-dimse';
import { RadbridgeError, asRadbridgeError } from '../../domain/errors.js';
import { isStorageSopClass, VERIFICATION_SOP_CLASS } from '../../dicom/storage-sop-classes.js';
import { supportedTransferSyntaxUids } from '../../dicom/transfer-syntaxes.js';
import type { IngestDeps, Sender } from '../../ingest/ingest-deps.js';
import type { ObjectIntake } from '../../ingest/object-intake.js';
import { ensureStorageSpace, openIntake, receiveObject, type StoredObject } from '../../ingest/receive-object.js';
import { recordAudit } from '../../store/audit-log.js';

const { Scp, Dataset } = dimse;
// dcmjs-dimse logs every PDU at info level; the hub logs what matters itself.
dimse.log.setLevel('warn');
const { CEchoResponse, CStoreResponse } = dimse.responses;
const { PresentationContextResult, RejectResult, RejectSource, RejectReason, Status } = dimse.constants;

type Association = InstanceType<typeof dimse.association.Association>;
type PresentationContext = InstanceType<typeof dimse.association.PresentationContext>;
type CStoreRequest = InstanceType<typeof dimse.requests.CStoreRequest>;
type CEchoRequest = InstanceType<typeof dimse.requests.CEchoRequest>;
type CStoreResponseT = InstanceType<typeof CStoreResponse>;
type CEchoResponseT = InstanceType<typeof CEchoResponse>;
type DatasetT = InstanceType<typeof Dataset>;

export interface DimseListener {
  port: number;
  close(): Promise<void>;
}

/**
 * The C-STORE / C-ECHO SCP: a thin adapter from dcmjs-dimse's association handling to the ingest
 * stage. Each C-STORE data set streams into an ObjectIntake (never into memory) and is answered
 * only after receiveObject() has made it durable.
 */
export async function startDimseScp(deps: IngestDeps): Promise<DimseListener> {
  const cfg = deps.config.dicom;
  let open = 0;

  class HubScp extends Scp {
    private readonly address: string;
    private callingAe = '';
    private overLimit = false;
    private readonly intakes = new Map<string, ObjectIntake>();
    private readonly outcomes = new Map<string, Promise<StoredObject | RadbridgeError>>();
    private readonly associationTimer: NodeJS.Timeout;

    constructor(socket: net.Socket) {
      super(socket, { associationTimeout: cfg.associationTimeoutMs, pduTimeout: cfg.idleTimeoutMs });
      this.address = socket.remoteAddress ?? 'unknown';
      open++;
      deps.metrics.associations.set(open);
      this.overLimit = open > cfg.maxAssociations;
      // dcmjs-dimse times out a missing association request only on sockets it connected itself.
      this.associationTimer = setTimeout(() => {
        deps.log.warn({ address: this.address }, `no association request within ${cfg.associationTimeoutMs} ms: closing`);
        socket.destroy();
      }, cfg.associationTimeoutMs);
      socket.once('close', () => {
        clearTimeout(this.associationTimer);
        open--;
        deps.metrics.associations.set(open);
        for (const intake of this.intakes.values()) intake.destroy();
        this.intakes.clear();
      });
    }

    private get sender(): Sender {
      return { via: 'dimse', aeTitle: this.callingAe, address: this.address };
    }

    override associationRequested(association: Association): void {
      clearTimeout(this.associationTimer);
      this.callingAe = association.getCallingAeTitle().trim();
      const called = association.getCalledAeTitle().trim();
      const reject = (source: number, reason: number, result: number, why: string) => {
        this.sendAssociationReject(result, source, reason);
        deps.log.warn({ callingAe: this.callingAe, calledAe: called, address: this.address }, `association rejected: ${why}`);
        recordAudit(
          deps.database,
          { type: 'association.rejected', outcome: 'serious-failure', actor: this.callingAe, source: this.address, detail: { calledAe: called, reason: why } },
          deps.now(),
        ).catch((err: unknown) => deps.log.error({ err }, 'audit write failed'));
      };
      if (this.overLimit) {
        reject(RejectSource.ServiceProviderPresentation, RejectReason.LocalLimitExceeded, RejectResult.Transient, `more than ${cfg.maxAssociations} associations`);
        return;
      }
      if (cfg.allowedCallingAeTitles.length > 0 && !cfg.allowedCallingAeTitles.includes(this.callingAe)) {
        reject(RejectSource.ServiceUser, RejectReason.CallingAeNotRecognized, RejectResult.Permanent, `calling AE ${this.callingAe} is not allowed`);
        return;
      }
      if (called !== cfg.aeTitle) {
        reject(RejectSource.ServiceUser, RejectReason.CalledAeNotRecognized, RejectResult.Permanent, `called AE ${called} is not ${cfg.aeTitle}`);
        return;
      }
      for (const { id } of association.getPresentationContexts()) {
        acceptContext(association.getPresentationContext(id));
      }
      this.sendAssociationAccept();
    }

    override associationReleaseRequested(): void {
      this.sendAssociationReleaseResponse();
    }

    override cEchoRequest(request: CEchoRequest, callback: (response: CEchoResponseT) => void): void {
      const response = CEchoResponse.fromRequest(request);
      response.setStatus(Status.Success);
      callback(response);
    }

    override createStoreWritableStream(context: PresentationContext, request: CStoreRequest): Writable {
      const intake = openIntake(deps, {
        kind: 'dataset',
        meta: {
          mediaStorageSopClassUid: request.getAffectedSopClassUid(),
          mediaStorageSopInstanceUid: request.getAffectedSopInstanceUid(),
          transferSyntaxUid: context.getAcceptedTransferSyntaxUid() ?? '',
          sourceAeTitle: this.callingAe,
        },
      });
      const key = request.getAffectedSopInstanceUid();
      this.intakes.set(key, intake);
      const sender = this.sender;
      // Checked while the data set streams in; the answer waits for the end of the object.
      this.outcomes.set(
        key,
        ensureStorageSpace(deps)
          .catch((err: unknown) => intake.refuse(err))
          .then(() => receiveObject(deps, intake, sender))
          .catch((err: unknown) => asRadbridgeError(err)),
      );
      return intake;
    }

    override createDatasetFromStoreWritableStream(writable: Writable, _context: PresentationContext, callback: (dataset: DatasetT) => void): void {
      writable.end();
      callback(new Dataset({}, ''));
    }

    override cStoreRequest(request: CStoreRequest, callback: (response: CStoreResponseT) => void): void {
      const key = request.getAffectedSopInstanceUid();
      const outcome = this.outcomes.get(key) ?? Promise.resolve(new RadbridgeError('PROCESSING_FAILURE', 'no data set was received'));
      void outcome.then((result) => {
        this.outcomes.delete(key);
        this.intakes.delete(key);
        const response = CStoreResponse.fromRequest(request);
        if (result instanceof RadbridgeError) {
          response.setStatus(result.dimseStatus);
          response.setErrorComment(result.message.slice(0, 64));
        } else {
          response.setStatus(Status.Success);
        }
        callback(response);
      });
    }

    override abort(): void {
      for (const intake of this.intakes.values()) intake.destroy();
      this.intakes.clear();
    }
  }

  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    // One response per request: without this, Nagle's algorithm adds ~40 ms to every C-STORE.
    socket.setNoDelay(true);
    socket.once('close', () => sockets.delete(socket));
    const scp = new HubScp(socket);
    // dcmjs-dimse's own Server sets this flag; its timeout checks depend on it.
    (scp as unknown as { connected: boolean }).connected = true;
    scp.on('networkError', (err: Error) => {
      deps.log.debug({ err: err.message }, 'DICOM network error');
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.port, cfg.host, () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  deps.log.info({ host: cfg.host, port: address.port, aeTitle: cfg.aeTitle }, 'DICOM listener ready');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** Accepts storage and verification contexts in the first proposed transfer syntax the hub stores as received. */
function acceptContext(context: PresentationContext): void {
  const abstract = context.getAbstractSyntaxUid();
  if (abstract !== VERIFICATION_SOP_CLASS && !isStorageSopClass(abstract)) {
    context.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
    return;
  }
  const chosen = context.getTransferSyntaxUids().find((ts) => supportedTransferSyntaxUids.includes(ts));
  if (chosen) context.setResult(PresentationContextResult.Accept, chosen);
  else context.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported);
}
