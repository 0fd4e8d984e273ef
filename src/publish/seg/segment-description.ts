import type { Finding } from '../../domain/finding.js';
import { LATERALITY_CODES } from '../../domain/sr-codes.js';
import { codeItem, dcmCode, sctCode } from '../coded-items.js';
import { findingLabel } from '../finding-label.js';
import type { ResultDocument } from '../result-document.js';

/**
 * The Segment Description macro (PS3.3 C.8.20.2) of one finding: its type as Segmented Property
 * Type, a category from CID 7150, its site and side as Anatomic Region (the side alone as the
 * property type's modifier, CID 244), the tracking pair its SR measurement group carries, and the
 * analyzer as the automatic algorithm that made it. Pure.
 */

/** CID 7150 Segmentation Property Category: an organ or structure the finding names as its own site, else an abnormality. */
export const ANATOMICAL_STRUCTURE = sctCode('91723000', 'Anatomical Structure');
export const MORPHOLOGICALLY_ABNORMAL_STRUCTURE = sctCode('49755003', 'Morphologically Abnormal Structure');
/** CID 7162 Surface Processing Algorithm Family. */
export const ARTIFICIAL_INTELLIGENCE = dcmCode('123110', 'Artificial Intelligence');

/** LO holds 64 characters; ST 1024. */
const MAX_LO = 64;
const MAX_ST = 1024;

function categoryOf(finding: Finding) {
  const { type, site } = finding;
  return site && site.scheme === type.scheme && site.value === type.value ? ANATOMICAL_STRUCTURE : MORPHOLOGICALLY_ABNORMAL_STRUCTURE;
}

export function segmentDescription(finding: Finding, segmentNumber: number, analyzer: ResultDocument['analyzer'], tracking: { id: string; uid: string }): Record<string, unknown> {
  const { site, laterality } = finding;
  const side = laterality ? [codeItem(LATERALITY_CODES[laterality])] : undefined;
  return {
    SegmentNumber: segmentNumber,
    SegmentLabel: finding.type.meaning.slice(0, MAX_LO),
    TrackingID: tracking.id.slice(0, MAX_LO),
    TrackingUID: tracking.uid,
    SegmentDescription: findingLabel(finding).slice(0, MAX_ST),
    SegmentAlgorithmType: 'AUTOMATIC',
    SegmentAlgorithmName: analyzer.id.slice(0, MAX_LO),
    SegmentationAlgorithmIdentificationSequence: [
      {
        AlgorithmFamilyCodeSequence: [codeItem(ARTIFICIAL_INTELLIGENCE)],
        AlgorithmName: analyzer.id.slice(0, MAX_LO),
        AlgorithmVersion: analyzer.version.slice(0, MAX_LO),
        ...(analyzer.modelHash ? { AlgorithmParameters: `model sha256 ${analyzer.modelHash}` } : {}),
      },
    ],
    SegmentedPropertyCategoryCodeSequence: [codeItem(categoryOf(finding))],
    SegmentedPropertyTypeCodeSequence: [{ ...codeItem(finding.type), ...(side && !site ? { SegmentedPropertyTypeModifierCodeSequence: side } : {}) }],
    ...(site ? { AnatomicRegionSequence: [{ ...codeItem(site), ...(side ? { AnatomicRegionModifierSequence: side } : {}) }] } : {}),
  };
}
