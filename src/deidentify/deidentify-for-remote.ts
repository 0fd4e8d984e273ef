import { RadbridgeError } from '../domain/errors.js';
import type { Database } from '../store/database.js';
import { claimUidReplacements } from '../store/uid-replacements.js';
import { applyBasicProfile, BASIC_PROFILE_CODE, CLEAN_PIXEL_DATA_CODE, markDeidentified } from './basic-profile.js';
import { burnedInTextReason, cleanBurnedInText, type PixelCleaningRule } from './burned-in-annotation.js';
import { readDicom } from './dicom-reader.js';
import { textOf, type DicomObject } from './dicom-tree.js';
import { writeDicom } from './dicom-writer.js';
import { newReplacementUid } from './replacement-uid.js';

/**
 * What a remote analyzer calls before anything leaves the hospital: the Basic Application Level
 * Confidentiality Profile on every file, UIDs replaced consistently and recorded in the hub,
 * burned-in text cleaned by configured regions or the file refused.
 */

export interface DeidentifyOptions {
  database: Database;
  /** Regions to blank per device and image size, for images that may carry burned-in text. */
  pixelCleaning?: readonly PixelCleaningRule[];
  now?: number;
}

export interface DeidentifiedFile {
  bytes: Uint8Array;
  /** True when burned-in text was blanked by a cleaning rule. */
  pixelsCleaned: boolean;
}

export interface DeidentifiedBatch {
  files: DeidentifiedFile[];
  /** Every UID replaced in these files, original → replacement. */
  mapping: ReadonlyMap<string, string>;
}

const SOP_INSTANCE_UID = 0x00080018;

function failure(index: number, err: unknown): RadbridgeError {
  if (err instanceof RadbridgeError) return new RadbridgeError(err.code, `file ${index + 1}: ${err.message}`, err.issues);
  return new RadbridgeError('PROCESSING_FAILURE', `file ${index + 1}: ${err instanceof Error ? err.message : String(err)}`);
}

interface Prepared {
  object: DicomObject;
  pixelsCleaned: boolean;
}

function prepare(bytes: Uint8Array, rules: readonly PixelCleaningRule[]): Prepared {
  const object = readDicom(bytes);
  const reason = burnedInTextReason(object);
  if (reason === undefined) return { object, pixelsCleaned: false };
  return { object: cleanBurnedInText(object, rules, reason), pixelsCleaned: true };
}

/** Every UID the profile replaces in the object, the meta header's SOP Instance UID included. */
function uidsToReplace(object: DicomObject): Set<string> {
  const uids = new Set<string>([object.meta.mediaStorageSopInstanceUid]);
  applyBasicProfile(object.dataset, {
    replaceUid: (uid) => {
      uids.add(uid);
      return uid;
    },
  });
  return uids;
}

function deidentifyObject(prepared: Prepared, mapping: ReadonlyMap<string, string>): Uint8Array {
  const { object, pixelsCleaned } = prepared;
  const replaceUid = (uid: string): string => {
    const replacement = mapping.get(uid);
    if (replacement === undefined) throw new Error(`UID ${uid} has no replacement`);
    return replacement;
  };
  const methods = pixelsCleaned ? [BASIC_PROFILE_CODE, CLEAN_PIXEL_DATA_CODE] : [BASIC_PROFILE_CODE];
  const dataset = markDeidentified(applyBasicProfile(object.dataset, { replaceUid }), methods);
  const sopInstanceUid = textOf(dataset, SOP_INSTANCE_UID) ?? replaceUid(object.meta.mediaStorageSopInstanceUid);
  return writeDicom({
    syntax: object.syntax,
    dataset,
    meta: { mediaStorageSopClassUid: object.meta.mediaStorageSopClassUid, mediaStorageSopInstanceUid: sopInstanceUid, transferSyntaxUid: object.meta.transferSyntaxUid },
  });
}

/**
 * De-identifies every file or none: the first file that cannot be read or cleaned fails the batch
 * with its coded error, naming the file by its position.
 */
export async function deidentifyForRemote(files: readonly Uint8Array[], options: DeidentifyOptions): Promise<DeidentifiedBatch> {
  const rules = options.pixelCleaning ?? [];
  const prepared = files.map((bytes, i) => {
    try {
      return prepare(bytes, rules);
    } catch (err) {
      throw failure(i, err);
    }
  });
  const originals = new Set<string>();
  for (const p of prepared) for (const uid of uidsToReplace(p.object)) originals.add(uid);
  const proposals = new Map([...originals].map((uid) => [uid, newReplacementUid()]));
  const mapping = await claimUidReplacements(options.database.db, proposals, options.now ?? Date.now());
  return {
    files: prepared.map((p, i) => {
      try {
        return { bytes: deidentifyObject(p, mapping), pixelsCleaned: p.pixelsCleaned };
      } catch (err) {
        throw failure(i, err);
      }
    }),
    mapping,
  };
}
