import type { AnalyzerIdentity } from '../../domain/finding.js';
import { textOf, type JsonDict } from './dicom-object.js';

/** What a third-party object says made it, in the parts a finding's source holds. */
export interface DeviceIdentity {
  uid?: string;
  manufacturer?: string;
  modelName?: string;
  softwareVersion?: string;
  /** sha256 of the model file, where the object names one. */
  modelHash?: string;
}

/**
 * The General Equipment module (PS3.3 C.7.5.1) of any object: Manufacturer, Manufacturer's Model
 * Name, Software Versions (first value) and Device UID.
 */
export function equipmentOf(dict: JsonDict): DeviceIdentity {
  const identity: DeviceIdentity = {};
  const uid = textOf(dict, '00181002');
  const manufacturer = textOf(dict, '00080070');
  const modelName = textOf(dict, '00081090');
  const softwareVersion = textOf(dict, '00181020');
  if (uid) identity.uid = uid;
  if (manufacturer) identity.manufacturer = manufacturer;
  if (modelName) identity.modelName = modelName;
  if (softwareVersion) identity.softwareVersion = softwareVersion;
  return identity;
}

/** The device's values where given, the equipment module's where not. */
export function mergeDevice(preferred: DeviceIdentity, fallback: DeviceIdentity): DeviceIdentity {
  return { ...fallback, ...Object.fromEntries(Object.entries(preferred).filter(([, v]) => v !== undefined)) };
}

export const UNKNOWN_VERSION = 'unknown';

/**
 * A finding's source: the model name names it (the device UID when there is no model name), the
 * software version versions it; a device that names itself in neither way is the importer's.
 */
export function sourceOf(device: DeviceIdentity, importer: AnalyzerIdentity, inputHash: string): AnalyzerIdentity & { inputHash: string } {
  const id = device.modelName ?? device.uid;
  if (!id) return { ...importer, inputHash };
  return {
    id,
    version: device.softwareVersion ?? UNKNOWN_VERSION,
    ...(device.modelHash ? { modelHash: device.modelHash } : {}),
    ...(device.manufacturer ? { manufacturer: device.manufacturer } : {}),
    inputHash,
  };
}
