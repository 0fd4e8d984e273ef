import { RadbridgeError } from '../domain/errors.js';
import type { JsonDict } from './pixel-description.js';

/**
 * The values of a decimal (DS/FD/FL) attribute as numbers; undefined when absent or empty. dcmjs
 * hands DS values back as numbers or strings, so both are accepted; anything else is refused.
 */
export function decimals(dict: JsonDict, tag: string, name: string): number[] | undefined {
  const values = dict[tag]?.Value;
  if (!values || values.length === 0 || values.every((v) => v === '' || v === null)) return undefined;
  const numbers = values.map((v) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN));
  if (numbers.some((n) => !Number.isFinite(n))) {
    throw new RadbridgeError('DICOM_MALFORMED', `${name} (${tag.slice(0, 4)},${tag.slice(4)}) holds a value that is not a number: ${JSON.stringify(values)}`);
  }
  return numbers;
}

/** Like decimals(), but exactly `count` values are required. */
export function requiredDecimals(dict: JsonDict, tag: string, name: string, count: number): number[] {
  const values = decimals(dict, tag, name);
  if (!values) throw new RadbridgeError('DICOM_MISSING_ATTRIBUTE', `${name} (${tag.slice(0, 4)},${tag.slice(4)}) is missing`);
  if (values.length !== count) throw new RadbridgeError('DICOM_MALFORMED', `${name} (${tag.slice(0, 4)},${tag.slice(4)}) holds ${values.length} values, expected ${count}`);
  return values;
}
