import { codeItem, dcmCode } from './coded-items.js';
import type { ResultDocument } from './result-document.js';
import { resultUid } from './result-uids.js';

/**
 * The analyzer as device observer (PS3.16 TID 1002 Observer Context with TID 1004 Device Observer
 * Identifying Attributes), as SR content items with relationship HAS OBS CONTEXT. Pure.
 */

const OBSERVER_TYPE = dcmCode('121005', 'Observer Type');
const DEVICE = dcmCode('121007', 'Device');
const DEVICE_OBSERVER_UID = dcmCode('121012', 'Device Observer UID');
const DEVICE_OBSERVER_NAME = dcmCode('121013', 'Device Observer Name');
const DEVICE_OBSERVER_MANUFACTURER = dcmCode('121014', 'Device Observer Manufacturer');
const DEVICE_OBSERVER_MODEL_NAME = dcmCode('121015', 'Device Observer Model Name');

/** The analyzer's device UID: name-based on its id, so every object of one analyzer names the same device. */
export function deviceObserverUid(analyzer: ResultDocument['analyzer']): string {
  return resultUid(analyzer.id, 'device-observer');
}

export function deviceObserverContext(analyzer: ResultDocument['analyzer']): Record<string, unknown>[] {
  const text = (concept: ReturnType<typeof dcmCode>, value: string) => ({ RelationshipType: 'HAS OBS CONTEXT', ValueType: 'TEXT', ConceptNameCodeSequence: [codeItem(concept)], TextValue: value });
  return [
    { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'CODE', ConceptNameCodeSequence: [codeItem(OBSERVER_TYPE)], ConceptCodeSequence: [codeItem(DEVICE)] },
    { RelationshipType: 'HAS OBS CONTEXT', ValueType: 'UIDREF', ConceptNameCodeSequence: [codeItem(DEVICE_OBSERVER_UID)], UID: deviceObserverUid(analyzer) },
    text(DEVICE_OBSERVER_NAME, analyzer.name),
    text(DEVICE_OBSERVER_MANUFACTURER, analyzer.manufacturer),
    text(DEVICE_OBSERVER_MODEL_NAME, analyzer.id),
  ];
}
