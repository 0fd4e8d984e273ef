import { RadbridgeError } from '../domain/errors.js';
import type { Vec3 } from './slice-geometry.js';
import { MAX_VOXELS, type Volume } from './volume.js';
import { invertAffine, scaleVoxelAxes } from './voxel-affine.js';

/** Where each output index along one axis falls in the input: lower neighbour, upper neighbour, weight of the upper. */
interface AxisSamples {
  lower: Int32Array;
  upper: Int32Array;
  weight: Float64Array;
}

function axisSamples(size: number, step: number, inputSize: number): AxisSamples {
  const lower = new Int32Array(size);
  const upper = new Int32Array(size);
  const weight = new Float64Array(size);
  for (let n = 0; n < size; n++) {
    const x = n * step;
    const l = Math.min(Math.floor(x + 1e-9), inputSize - 1);
    lower[n] = l;
    upper[n] = Math.min(l + 1, inputSize - 1);
    weight[n] = Math.max(0, x - l);
  }
  return { lower, upper, weight };
}

/** Output size along an axis: every point of the new grid lies inside the old extent. */
const outputSize = (size: number, from: number, to: number): number => Math.floor(((size - 1) * from) / to + 1e-9) + 1;

/**
 * Trilinear resampling to a target spacing (mm, [columns, rows, slices]). The new grid starts at
 * voxel (0, 0, 0) of the old one, so points on both grids keep their values exactly; the affine keeps
 * the orientation and any tilt shear.
 */
export function resampleVolume(volume: Volume, target: Vec3): Volume {
  if (target.some((t) => !(t > 0))) throw new RadbridgeError('BAD_REQUEST', `target spacing [${target.join(', ')}] is not positive`);
  const [nx, ny, nz] = volume.dims;
  const factors: Vec3 = [target[0] / volume.spacing[0], target[1] / volume.spacing[1], target[2] / volume.spacing[2]];
  const dims: [number, number, number] = [outputSize(nx, volume.spacing[0], target[0]), outputSize(ny, volume.spacing[1], target[1]), outputSize(nz, volume.spacing[2], target[2])];
  if (dims[0] * dims[1] * dims[2] > MAX_VOXELS) throw new RadbridgeError('DICOM_LIMIT_EXCEEDED', `resampling to [${target.join(', ')}] mm makes ${dims.join('x')} voxels; the limit is ${MAX_VOXELS}`);
  const [ax, ay, az] = [axisSamples(dims[0], factors[0], nx), axisSamples(dims[1], factors[1], ny), axisSamples(dims[2], factors[2], nz)];
  const input = volume.voxels;
  const out = new Int16Array(dims[0] * dims[1] * dims[2]);
  const at = (i: number, j: number, k: number) => input[i + nx * (j + ny * k)] ?? 0;
  let o = 0;
  for (let k = 0; k < dims[2]; k++) {
    const [k0, k1, wk] = [az.lower[k] ?? 0, az.upper[k] ?? 0, az.weight[k] ?? 0];
    for (let j = 0; j < dims[1]; j++) {
      const [j0, j1, wj] = [ay.lower[j] ?? 0, ay.upper[j] ?? 0, ay.weight[j] ?? 0];
      for (let i = 0; i < dims[0]; i++) {
        const [i0, i1, wi] = [ax.lower[i] ?? 0, ax.upper[i] ?? 0, ax.weight[i] ?? 0];
        const plane = (kk: number) => {
          const top = at(i0, j0, kk) * (1 - wi) + at(i1, j0, kk) * wi;
          const bottom = at(i0, j1, kk) * (1 - wi) + at(i1, j1, kk) * wi;
          return top * (1 - wj) + bottom * wj;
        };
        out[o++] = Math.round(plane(k0) * (1 - wk) + plane(k1) * wk);
      }
    }
  }
  const patientFromVoxel = scaleVoxelAxes(volume.patientFromVoxel, factors);
  return { dims, spacing: [target[0], target[1], target[2]], voxels: out, patientFromVoxel, voxelFromPatient: invertAffine(patientFromVoxel), photometricInterpretation: volume.photometricInterpretation };
}
