import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Code } from '../../src/domain/finding.js';

/** Writing model manifests (JSON, which is YAML) beside their model files, and the codes tests use. */

export const HAEMORRHAGE: Code = { scheme: 'SCT', value: '50960005', meaning: 'Hemorrhage' };
export const BRAIN: Code = { scheme: 'SCT', value: '12738006', meaning: 'Brain structure' };
export const FRACTURE: Code = { scheme: 'SCT', value: '125605004', meaning: 'Fracture of bone' };
export const LANDMARKS: Code = { scheme: 'DCM', value: '111030', meaning: 'Image Region' };
/** Local codes (a private scheme) for the test landmarks. */
export const DENSEST: Code = { scheme: '99RBTEST', value: 'densest', meaning: 'Densest voxel' };
export const LEAST_DENSE: Code = { scheme: '99RBTEST', value: 'least-dense', meaning: 'Least dense voxel' };

export function scratchDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Identity and inputs every test manifest shares. */
export const manifestBase = {
  version: '1.0.0',
  name: 'Test model',
  intendedUse: 'Tests only; not for clinical use',
  manufacturer: 'Radbridge tests',
  inputs: { modalities: ['CT'] },
};

/** Writes `model.onnx` (when given) and `manifest.json` into their own folder under `dir`; returns the manifest path. */
export function writeManifest(dir: string, name: string, manifest: Record<string, unknown>, model?: Uint8Array): string {
  const folder = path.join(dir, name);
  mkdirSync(folder, { recursive: true });
  if (model) writeFileSync(path.join(folder, 'model.onnx'), model);
  const file = path.join(folder, 'manifest.json');
  writeFileSync(file, JSON.stringify({ id: name, ...manifestBase, ...(model ? { model: 'model.onnx' } : {}), ...manifest }, null, 2));
  return file;
}
