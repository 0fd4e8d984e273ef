import type { Database } from '../store/database.js';
import { originalUids } from '../store/uid-replacements.js';
import { readDicom } from './dicom-reader.js';
import { textValue, type DicomItem } from './dicom-tree.js';
import { writeDicom } from './dicom-writer.js';

/**
 * Re-identification of an object sent back by a remote analyzer (an SR, a SEG): every UID in it,
 * at any depth, that the hub gave out as a replacement is put back to its original, so the result
 * attaches to the original study, series and instances. UIDs the hub never gave out stay as they are.
 */

export interface Reidentified {
  bytes: Uint8Array;
  /** Replacement → original, for every UID put back. */
  restored: ReadonlyMap<string, string>;
}

function splitUids(value: Buffer): string[] {
  return value
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .split('\\')
    .map((u) => u.trim());
}

function collectUids(item: DicomItem, into: Set<string>): void {
  for (const e of item) {
    if (e.kind === 'sequence') for (const child of e.items) collectUids(child, into);
    else if (e.kind === 'value' && e.vr === 'UI') for (const uid of splitUids(e.value)) if (uid) into.add(uid);
  }
}

function restore(item: DicomItem, originals: ReadonlyMap<string, string>): DicomItem {
  return item.map((e) => {
    if (e.kind === 'sequence') return { ...e, items: e.items.map((child) => restore(child, originals)) };
    if (e.kind !== 'value' || e.vr !== 'UI') return e;
    const uids = splitUids(e.value);
    if (!uids.some((u) => originals.has(u))) return e;
    return { ...e, value: textValue('UI', uids.map((u) => originals.get(u) ?? u).join('\\')) };
  });
}

export async function reidentify(bytes: Uint8Array, options: { database: Database }): Promise<Reidentified> {
  const object = readDicom(bytes);
  const uids = new Set<string>([object.meta.mediaStorageSopInstanceUid]);
  collectUids(object.dataset, uids);
  const restored = await originalUids(options.database.db, [...uids]);
  if (restored.size === 0) return { bytes, restored };
  const sopInstanceUid = object.meta.mediaStorageSopInstanceUid;
  return {
    bytes: writeDicom({
      ...object,
      meta: { ...object.meta, mediaStorageSopInstanceUid: restored.get(sopInstanceUid) ?? sopInstanceUid },
      dataset: restore(object.dataset, restored),
    }),
    restored,
  };
}
