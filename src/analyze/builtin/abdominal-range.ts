import { measureSlice, regionsFromContent } from '../../classify/slice-content.js';
import type { Volume } from '../../imaging/volume.js';

/**
 * The slices of a CT volume to search for free fluid: those the slice content calls abdomen or
 * pelvis, and lying at least DIAPHRAGM_MARGIN_MM below the lowest slice the content calls chest,
 * since the lung bases end above the diaphragm and the slices between show chest wall and heart.
 * Pure.
 */

export const DIAPHRAGM_MARGIN_MM = 40;

export interface SliceRange {
  kFrom: number;
  kTo: number;
  zTop: number;
  zBottom: number;
}

export function abdominalSliceRange(volume: Volume): SliceRange | undefined {
  const [nx, ny, nz] = volume.dims;
  const perSlice = nx * ny;
  const m = volume.patientFromVoxel;
  const zOf = (k: number) => (m[8] ?? 0) * (nx / 2) + (m[9] ?? 0) * (ny / 2) + (m[10] ?? 0) * k + (m[11] ?? 0);
  const content = Array.from({ length: nz }, (_, k) => measureSlice(zOf(k), volume.voxels.subarray(k * perSlice, (k + 1) * perSlice), volume.spacing[0] * volume.spacing[1]));
  const segments = regionsFromContent(content);
  const chest = segments.filter((s) => s.region === 'chest').map((s) => s.zTo);
  const lungBottom = chest.length > 0 ? Math.min(...chest) : undefined;
  const inAbdomen = (z: number) =>
    segments.some((s) => (s.region === 'abdomen' || s.region === 'pelvis') && z <= s.zFrom && z >= s.zTo) && (lungBottom === undefined || z <= lungBottom - DIAPHRAGM_MARGIN_MM);
  const ks = Array.from({ length: nz }, (_, k) => k).filter((k) => inAbdomen(zOf(k)));
  if (ks.length === 0) return undefined;
  const kFrom = Math.min(...ks);
  const kTo = Math.max(...ks);
  return { kFrom, kTo, zTop: Math.max(zOf(kFrom), zOf(kTo)), zBottom: Math.min(zOf(kFrom), zOf(kTo)) };
}
