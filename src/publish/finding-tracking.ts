import type { ResultDocument } from './result-document.js';
import { resultUid } from './result-uids.js';

/**
 * The Tracking Identifier and Tracking UID of a result's finding (the one at `index` in its
 * findings): the SR's measurement group and the SEG's segment of the same finding carry the same
 * pair, so a viewer links them. Stable across revisions, so an amended SR tracks the same findings.
 */
export function findingTracking(doc: ResultDocument, index: number): { id: string; uid: string } {
  const finding = doc.findings[index];
  return { id: `${finding?.type.meaning ?? 'Finding'} ${index + 1}`, uid: resultUid(doc.resultKey, `sr/tracking/${index + 1}`) };
}
