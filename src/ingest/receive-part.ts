import { RadbridgeError, asRadbridgeError } from '../domain/errors.js';
import type { PartHeaders, PartSink } from '../dicomweb/multipart-related.js';
import type { IngestDeps, Sender } from './ingest-deps.js';
import { openIntake, receiveObject, type ReceiveExpectations, type StoredObject } from './receive-object.js';

/** What became of one part: stored, or refused with the UIDs it announced when it got that far. */
export interface PartOutcome {
  stored?: StoredObject;
  error?: RadbridgeError;
  sopClassUid?: string;
  sopInstanceUid?: string;
}

const discardingSink: PartSink = { write: () => Promise.resolve(), end: () => Promise.resolve(), abort: () => {} };

/**
 * Streams one multipart/related part (STOW-RS request, WADO-RS response) into ingest with
 * back-pressure. Parts that are not application/dicom are refused unread. `settled` resolves once
 * the part is stored or refused, also when the body broke off inside it.
 */
export function receivePart(
  deps: IngestDeps,
  sender: Sender,
  headers: PartHeaders,
  expect: ReceiveExpectations,
): { sink: PartSink; settled: Promise<PartOutcome> } {
  const partType = (headers.get('content-type') ?? 'application/dicom').split(';')[0]?.trim().toLowerCase();
  if (partType !== 'application/dicom') {
    const error = new RadbridgeError('UNSUPPORTED_MEDIA_TYPE', `part of type ${partType} is not application/dicom`);
    return { sink: discardingSink, settled: Promise.resolve({ error }) };
  }
  const intake = openIntake(deps, { kind: 'part10' });
  const settled = receiveObject(deps, intake, sender, expect).then(
    (stored): PartOutcome => ({ stored, ...intake.announcedIds() }),
    (err: unknown): PartOutcome => ({ error: asRadbridgeError(err), ...intake.announcedIds() }),
  );
  const sink: PartSink = {
    write: (data) =>
      new Promise<void>((resolve) => {
        if (intake.write(data)) resolve();
        else intake.once('drain', resolve);
      }),
    end: async () => {
      intake.end();
      await settled;
    },
    abort: (reason) => {
      intake.refuse(reason);
      intake.end();
    },
  };
  return { sink, settled };
}
