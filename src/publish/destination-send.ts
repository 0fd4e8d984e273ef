import { sendFiles, UNANSWERED, type SendResult } from '../adapters/dimse/dimse-scu.js';
import type { Config, Destination } from '../config/schema.js';
import { storeInstances } from '../dicomweb/stow-rs-client.js';
import { RetrieveError } from '../dicomweb/wado-rs-client.js';
import { PermanentJobError } from '../jobs/job-engine.js';

/**
 * Sends stored files to a configured destination: a DICOM peer by C-STORE (one association; an
 * uncompressed file the peer does not accept in its own transfer syntax goes in one it does, as
 * dcmjs-dimse proposes Implicit and Explicit VR Little Endian for every file) or a DICOMweb server
 * by STOW-RS (one request). What cannot get better by trying again is a PermanentJobError; a
 * peer that cannot be reached is a plain Error, for the engine to retry with backoff.
 */

export interface Delivery extends SendResult {
  /** The peer as addressed: AE title at host:port, or the STOW-RS URL. */
  peer: string;
  /** Who the peer saw: the calling AE title, or the hub's AE title for DICOMweb. */
  actor: string;
}

type DestinationConfig = Pick<Config, 'destinations' | 'dicom'>;

/** The destination named, or a permanent failure when the configuration no longer has it. */
export function destinationOf(config: DestinationConfig, name: string): Destination {
  const configured = config.destinations[name];
  if (configured) return configured;
  const known = Object.keys(config.destinations);
  throw new PermanentJobError(`destination "${name}" is not configured (destinations: ${known.length === 0 ? 'none' : known.join(', ')})`);
}

async function sendByCStore(config: DestinationConfig, name: string, d: Extract<Destination, { host: string }>, files: string[]): Promise<Delivery> {
  const target = { host: d.host, port: d.port, calledAeTitle: d.aeTitle, callingAeTitle: d.callingAeTitle ?? config.dicom.aeTitle };
  const peer = `${target.calledAeTitle}@${target.host}:${target.port}`;
  try {
    return { ...(await sendFiles(target, files)), peer, actor: target.callingAeTitle };
  } catch (err) {
    throw new Error(`sending to ${name} (${peer}) failed: ${(err as Error).message}`, { cause: err });
  }
}

async function sendByStow(config: DestinationConfig, name: string, d: Extract<Destination, { stowUrl: string }>, files: string[], signal?: AbortSignal): Promise<Delivery> {
  try {
    const { refused } = await storeInstances(d.stowUrl, files, { timeoutMs: d.timeoutMs, ...(signal ? { signal } : {}) });
    const failures = refused.map((r) => ({ file: r.sopInstanceUid, reason: `refused: failure reason 0x${r.reason.toString(16).padStart(4, '0')}`, status: r.reason }));
    return { sent: files.length - refused.length, failures, peer: d.stowUrl, actor: config.dicom.aeTitle };
  } catch (err) {
    const message = `sending to ${name} (${d.stowUrl}) failed: ${(err as Error).message}`;
    throw err instanceof RetrieveError && !err.transient ? new PermanentJobError(message, { cause: err }) : new Error(message, { cause: err });
  }
}

export async function sendToDestination(config: DestinationConfig, name: string, files: string[], signal?: AbortSignal): Promise<Delivery> {
  const d = destinationOf(config, name);
  return 'stowUrl' in d ? sendByStow(config, name, d, files, signal) : sendByCStore(config, name, d, files);
}

/**
 * Worth another try: files left unanswered when the association ended, and those the peer refused
 * for want of resources (0xA7xx: disk full, busy; STOW-RS 0xA700 too). Not: any other failure
 * status, or a stored file that cannot be read.
 */
function isTransient(failure: SendResult['failures'][number]): boolean {
  if (failure.status === undefined) return failure.reason === UNANSWERED;
  return (failure.status & 0xff00) === 0xa700;
}

/** The error of a delivery with failures: permanent when any failure is. */
export function deliveryFailure(destination: string, result: SendResult): Error {
  const refused = result.failures.filter((f) => !isTransient(f));
  const first = refused[0] ?? result.failures[0];
  const message = `${destination} did not store ${result.failures.length} instance(s) (sent ${result.sent}); first: ${first?.reason ?? 'unknown'}`;
  return refused.length > 0 ? new PermanentJobError(message) : new Error(message);
}
