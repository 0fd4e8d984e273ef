import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { RadbridgeError } from '../../domain/errors.js';
import { modelManifestSchema, type ModelManifest } from './model-manifest.js';

/** Reading a manifest file (YAML or JSON), validating it with every problem at its path, and the model file's hash. */

export interface LoadedManifest {
  manifest: ModelManifest;
  /** Absolute path of the manifest. */
  file: string;
  /** Absolute path of the model file, when the manifest names one. */
  modelFile?: string;
  /** The model file's bytes, when named (a remote model may have none here). */
  modelBytes?: Uint8Array;
  /** sha256 (hex) of the model file, or the manifest's modelSha256 for a remote model without one. */
  modelHash: string;
}

/** `outputs[1].labels[0].type.value` from ['outputs', 1, 'labels', 0, 'type', 'value']. */
function pathText(parts: readonly PropertyKey[]): string {
  let out = '';
  for (const key of parts) out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`;
  return out === '' ? '(root)' : out;
}

function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return [...new Set(issues.map((i) => `${pathText(i.path)}: ${i.message}`))];
}

function invalid(file: string, issues: string[]): RadbridgeError {
  return new RadbridgeError('MODEL_MANIFEST_INVALID', `model manifest ${file} is invalid: ${issues.join('; ')}`, issues);
}

/** Validates a parsed manifest; throws MODEL_MANIFEST_INVALID listing every problem with its path. */
export function validateManifest(value: unknown, source: string): ModelManifest {
  const parsed = modelManifestSchema.safeParse(value);
  if (!parsed.success) throw invalid(source, formatIssues(parsed.error.issues));
  return parsed.data;
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new RadbridgeError('MODEL_MANIFEST_INVALID', `model manifest ${file} cannot be read: ${(err as Error).message}`);
  }
}

async function readModel(manifestFile: string, manifest: ModelManifest): Promise<Pick<LoadedManifest, 'modelFile' | 'modelBytes' | 'modelHash'>> {
  if (manifest.model === undefined) return { modelHash: manifest.modelSha256 ?? '' };
  const modelFile = path.resolve(path.dirname(manifestFile), manifest.model);
  let modelBytes: Uint8Array;
  try {
    modelBytes = await readFile(modelFile);
  } catch (err) {
    throw invalid(manifestFile, [`model: the model file ${modelFile} cannot be read: ${(err as Error).message}`]);
  }
  const modelHash = sha256Hex(modelBytes);
  if (manifest.modelSha256 !== undefined && manifest.modelSha256 !== modelHash) {
    throw invalid(manifestFile, [`modelSha256: the manifest says ${manifest.modelSha256} but ${modelFile} hashes to ${modelHash}`]);
  }
  return { modelFile, modelBytes, modelHash };
}

/** Reads, parses and validates a manifest and reads its model file. */
export async function loadManifest(manifestPath: string): Promise<LoadedManifest> {
  const file = path.resolve(manifestPath);
  const text = await readText(file);
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw invalid(file, [`(root): not YAML or JSON: ${(err as Error).message}`]);
  }
  const manifest = validateManifest(value, file);
  return { manifest, file, ...(await readModel(file, manifest)) };
}
