import { RadbridgeError } from '../domain/errors.js';
import type { Volume } from './volume.js';

/** A VOI window (Window Center / Window Width, PS3.3 C.11.2.1.2) in modality units (HU for CT). */
export interface VoiWindow {
  center: number;
  width: number;
}

/**
 * Maps modality values to 8-bit grey with the linear VOI function of PS3.3 C.11.2.1.2.1; MONOCHROME1
 * (minimum is white) is inverted so that 255 is always white.
 */
export function applyWindow(values: ArrayLike<number>, window: VoiWindow, photometricInterpretation = 'MONOCHROME2'): Uint8Array {
  if (!(window.width >= 1)) throw new RadbridgeError('BAD_REQUEST', `window width ${window.width} is below 1`);
  const low = window.center - 0.5 - (window.width - 1) / 2;
  const high = window.center - 0.5 + (window.width - 1) / 2;
  const invert = photometricInterpretation === 'MONOCHROME1';
  const out = new Uint8Array(values.length);
  for (let p = 0; p < values.length; p++) {
    const x = values[p] ?? 0;
    const grey = x <= low ? 0 : x > high ? 255 : Math.round(((x - (window.center - 0.5)) / (window.width - 1) + 0.5) * 255);
    out[p] = invert ? 255 - grey : grey;
  }
  return out;
}

/** One slice of a volume (k along the slice axis) windowed to 8-bit grey, rows top to bottom. */
export function windowSlice(volume: Volume, k: number, window: VoiWindow): Uint8Array {
  const [columns, rows, slices] = volume.dims;
  if (!Number.isInteger(k) || k < 0 || k >= slices) throw new RadbridgeError('BAD_REQUEST', `slice ${k} is outside 0..${slices - 1}`);
  const size = columns * rows;
  return applyWindow(volume.voxels.subarray(k * size, (k + 1) * size), window, volume.photometricInterpretation);
}
