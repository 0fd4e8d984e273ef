import type { Finding } from '../../domain/finding.js';
import { MODEL_HASH_PARAMETER } from '../../domain/sr-codes.js';
import { CONCEPTS, sameConcept } from './coded-concepts.js';
import type { DicomObject } from './dicom-object.js';
import type { ReadContext, ReadResult } from './read-context.js';
import { contentTreeOf, descendants, evidenceSeries, type ContentNode } from './sr-content-tree.js';
import { findingOfGroup, isFindingConcept } from './sr-finding-group.js';
import { equipmentOf, mergeDevice, sourceOf, type DeviceIdentity } from './source-device.js';

/**
 * Findings of an SR document: a TID 1500 Measurement Report (one finding per measurement group
 * holding a Finding item), or any Comprehensive / Enhanced SR tree read generically (a CONTAINER
 * holding a Finding CODE item, or a Finding CODE item with its own properties, is one finding). Pure.
 */

/** The Device observer context of the root (TID 1004): UID, manufacturer, model name. */
function observerDevice(root: ContentNode): DeviceIdentity {
  const device: DeviceIdentity = {};
  for (const n of root.children.filter((c) => c.relationship === 'HAS OBS CONTEXT')) {
    if (sameConcept(n.concept, CONCEPTS.deviceObserverUid) && n.uid) device.uid = n.uid;
    if (sameConcept(n.concept, CONCEPTS.deviceObserverManufacturer) && n.text) device.manufacturer = n.text;
    if (sameConcept(n.concept, CONCEPTS.deviceObserverModelName) && n.text) device.modelName = n.text;
  }
  return device;
}

/** The Algorithm Version and the model hash of the Algorithm Parameters (TID 4019) given among `items`. */
function algorithmOf(items: ContentNode[]): Pick<DeviceIdentity, 'softwareVersion' | 'modelHash'> {
  const softwareVersion = items.find((n) => sameConcept(n.concept, CONCEPTS.algorithmVersion) && n.text)?.text;
  const parameter = items.find((n) => sameConcept(n.concept, CONCEPTS.algorithmParameters) && n.text?.startsWith(MODEL_HASH_PARAMETER))?.text;
  const modelHash = parameter?.slice(MODEL_HASH_PARAMETER.length);
  return { ...(softwareVersion ? { softwareVersion } : {}), ...(modelHash ? { modelHash } : {}) };
}

interface Holder {
  node: ContentNode;
  /** The Finding item of a container; the node itself for a Finding CODE item. */
  findingItem: ContentNode;
  items: ContentNode[];
}

/** Containers that hold a Finding item, and Finding items not held by such a container, in document order. */
function findingHolders(root: ContentNode, notes: string[]): Holder[] {
  const holders: Holder[] = [];
  const held = new Set<ContentNode>();
  for (const node of [root, ...descendants(root)]) {
    if (node.valueType === 'CONTAINER') {
      const findingItem = node.children.find((c) => c.valueType === 'CODE' && isFindingConcept(c.concept));
      if (findingItem) {
        holders.push({ node, findingItem, items: [...node.children, ...findingItem.children] });
        held.add(findingItem);
      } else if (sameConcept(node.concept, CONCEPTS.measurementGroup)) {
        notes.push('a measurement group without a Finding (DCM 121071) item is not read: it names no finding type');
      }
    } else if (node.valueType === 'CODE' && isFindingConcept(node.concept) && !held.has(node) && node.children.length > 0) {
      holders.push({ node, findingItem: node, items: node.children });
    }
  }
  return holders;
}

export function readStructuredReport(object: DicomObject, context: ReadContext): ReadResult {
  const root = contentTreeOf(object.dict);
  const notes: string[] = [];
  const evidence = evidenceSeries(object.dict);
  const documentDevice = mergeDevice(observerDevice(root), equipmentOf(object.dict));
  const documentAlgorithm = algorithmOf(root.children);
  const findings: Finding[] = [];
  for (const holder of findingHolders(root, notes)) {
    if (!holder.findingItem.code) {
      notes.push('a Finding item without a coded value is not read');
      continue;
    }
    const group = algorithmOf(holder.items);
    const algorithm = group.softwareVersion ? group : documentAlgorithm;
    const source = sourceOf({ ...documentDevice, ...algorithm }, context.importer, context.inputHash);
    findings.push(findingOfGroup({ type: holder.findingItem.code, items: holder.items, evidence, context, source, notes }));
  }
  if (findings.length === 0) {
    const kind = sameConcept(root.concept, CONCEPTS.imagingMeasurementReport) ? 'the Measurement Report' : 'the SR document';
    notes.push(`${kind} holds no coded finding (no Finding or Single Image Finding item)`);
  }
  return { findings, notes };
}
