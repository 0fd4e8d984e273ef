import { codeItem, dcmCode } from '../coded-items.js';
import { findingLabel } from '../finding-label.js';
import { deviceObserverContext } from '../observer-context.js';
import type { ResultDocument } from '../result-document.js';
import { resultHeader } from '../result-header.js';
import { resultUid } from '../result-uids.js';
import { keyImagesOf, type KeyImage } from './key-images.js';

/**
 * A Key Object Selection Document (PS3.3 A.35.4, PS3.16 TID 2010) flagging the key images of a
 * result's present findings, titled Of Interest (CID 7010), with the analyzer as device observer,
 * a description naming the findings, and the images as evidence. Pure.
 */

export const KEY_OBJECT_SELECTION_CLASS = '1.2.840.10008.5.1.4.1.1.88.59';
export const KOS_SERIES_NUMBER = 9903;

export const OF_INTEREST = dcmCode('113000', 'Of Interest');
const KEY_OBJECT_DESCRIPTION = dcmCode('113012', 'Key Object Description');

function descriptionOf(doc: ResultDocument, keyImages: KeyImage[]): string {
  const findings = [...new Set(keyImages.flatMap((k) => k.findings))];
  return `Key images of ${findings.length} finding(s) by ${doc.analyzer.name} ${doc.analyzer.version}: ${findings.map(findingLabel).join('; ')}`;
}

const sopReference = (k: KeyImage) => ({ ReferencedSOPClassUID: k.image.sopClassUid, ReferencedSOPInstanceUID: k.image.sopInstanceUid, ...(k.frame ? { ReferencedFrameNumber: k.frame } : {}) });

function evidenceOf(studyUid: string, keyImages: KeyImage[]) {
  const bySeries = new Map<string, KeyImage[]>();
  for (const k of keyImages) bySeries.set(k.image.seriesUid, [...(bySeries.get(k.image.seriesUid) ?? []), k]);
  return [
    {
      StudyInstanceUID: studyUid,
      ReferencedSeriesSequence: [...bySeries].map(([seriesUid, images]) => ({
        SeriesInstanceUID: seriesUid,
        ReferencedSOPSequence: images.filter((k, n) => images.findIndex((o) => o.image.sopInstanceUid === k.image.sopInstanceUid) === n).map((k) => ({ ReferencedSOPClassUID: k.image.sopClassUid, ReferencedSOPInstanceUID: k.image.sopInstanceUid })),
      })),
    },
  ];
}

/** The KOS of a result, or undefined when no present finding has a key image. */
export function keyObjectSelection(doc: ResultDocument): Record<string, unknown> | undefined {
  const keyImages = keyImagesOf(doc);
  if (keyImages.length === 0) return undefined;
  const header = resultHeader(doc, {
    sopClassUid: KEY_OBJECT_SELECTION_CLASS,
    sopInstanceUid: resultUid(doc.resultKey, `kos/instance/${doc.revision}`),
    seriesUid: resultUid(doc.resultKey, 'kos/series'),
    modality: 'KO',
    seriesNumber: KOS_SERIES_NUMBER,
    seriesKind: 'AI key images',
  });
  return {
    ...header,
    ReferencedPerformedProcedureStepSequence: [],
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: [codeItem(OF_INTEREST)],
    ContinuityOfContent: 'SEPARATE',
    ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: '2010' }],
    CurrentRequestedProcedureEvidenceSequence: evidenceOf(String(header.StudyInstanceUID), keyImages),
    ContentSequence: [
      ...deviceObserverContext(doc.analyzer),
      { RelationshipType: 'CONTAINS', ValueType: 'TEXT', ConceptNameCodeSequence: [codeItem(KEY_OBJECT_DESCRIPTION)], TextValue: descriptionOf(doc, keyImages) },
      ...keyImages.map((k) => ({ RelationshipType: 'CONTAINS', ValueType: 'IMAGE', ReferencedSOPSequence: [sopReference(k)] })),
    ],
  };
}
