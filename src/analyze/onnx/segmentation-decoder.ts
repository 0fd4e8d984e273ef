import type { Code, Finding } from '../../domain/finding.js';
import { lateralityOfExtent } from '../../domain/laterality.js';
import type { Volume } from '../../imaging/volume.js';
import { patientBoxOf, patientPoint, voxelVolumeMm3 } from '../../imaging/voxel-affine.js';
import { connectedComponents, type Component } from '../../imaging/connected-components.js';
import { imagesOf, thresholdFor, type DecodeContext } from './decode-context.js';
import type { DenseMap } from './dense-map.js';
import type { SegmentationOutput } from './model-manifest.js';

/**
 * Segmentation probabilities to findings: a label per voxel (argmax, or the most probable channel
 * at or above the threshold for the rollout mode), carried back to the series grid by nearest
 * neighbour, split into 3D connected components, one finding per component with its volume (voxel
 * count x voxel volume), centroid, box, side and mask; a label with no component is reported absent.
 */

export const VOLUME: Code = { scheme: 'SCT', value: '118565006', meaning: 'Volume' };
const UNITS: Record<SegmentationOutput['labels'][number]['volumeUnit'], { code: Code; perMm3: number }> = {
  mL: { code: { scheme: 'UCUM', value: 'mL', meaning: 'milliliter' }, perMm3: 1e-3 },
  cm3: { code: { scheme: 'UCUM', value: 'cm3', meaning: 'cubic centimeter' }, perMm3: 1e-3 },
  mm3: { code: { scheme: 'UCUM', value: 'mm3', meaning: 'cubic millimeter' }, perMm3: 1 },
};

/** Label per model voxel: channel + 1 of the labelled channel it belongs to, 0 for none. */
export function labelVoxels(map: DenseMap, spec: SegmentationOutput, threshold: number): Uint8Array {
  const voxels = map.dims[0] * map.dims[1] * map.dims[2];
  const labelled = new Set(spec.labels.map((l) => l.channel));
  const out = new Uint8Array(voxels);
  for (let v = 0; v < voxels; v++) {
    let bestChannel = -1;
    let bestValue = -Infinity;
    for (let c = 0; c < map.channels; c++) {
      const p = map.values[c * voxels + v] ?? 0;
      if (spec.method === 'threshold' && (!labelled.has(c) || p < threshold)) continue;
      if (p > bestValue) {
        bestValue = p;
        bestChannel = c;
      }
    }
    if (bestChannel >= 0 && labelled.has(bestChannel)) out[v] = bestChannel + 1;
  }
  return out;
}

/** For each series voxel, the index of the nearest model voxel (the model grid starts at series voxel 0). */
function nearestModelVoxel(series: Volume, model: Volume): (voxel: number) => number {
  if (series === model) return (v) => v;
  const axis = (a: 0 | 1 | 2) => {
    const factor = model.spacing[a] / series.spacing[a];
    return Int32Array.from({ length: series.dims[a] }, (_v, n) => Math.min(model.dims[a] - 1, Math.round(n / factor)));
  };
  const [ni, nj, nk] = [axis(0), axis(1), axis(2)];
  const [sx, sy] = series.dims;
  const [mx, my] = model.dims;
  return (v) => (ni[v % sx] ?? 0) + mx * ((nj[Math.floor(v / sx) % sy] ?? 0) + my * (nk[Math.floor(v / (sx * sy))] ?? 0));
}

function componentFinding(component: Component, label: SegmentationOutput['labels'][number], context: DecodeContext): Finding {
  const grid = context.seriesVolume;
  const unit = UNITS[label.volumeUnit];
  const volume = component.voxels * voxelVolumeMm3(grid.patientFromVoxel) * unit.perMm3;
  const box = patientBoxOf(grid.patientFromVoxel, component.min, component.max);
  return {
    type: label.type,
    presence: 'present',
    ...(label.site ? { site: label.site } : {}),
    laterality: lateralityOfExtent(box[0][0], box[1][0], context.midlineX),
    measurements: [{ concept: VOLUME, value: volume, unit: unit.code, method: 'voxel count' }],
    confidence: component.weight / component.voxels,
    location: { images: imagesOf(context, component.min[2], component.max[2]), point: patientPoint(grid.patientFromVoxel, component.centroid), box },
    mask: { seriesUid: context.seriesUid, dimensions: [...grid.dims], affine: [...grid.patientFromVoxel], runs: component.runs },
    source: context.source,
  };
}

export function decodeSegmentation(spec: SegmentationOutput, map: DenseMap, context: DecodeContext): Finding[] {
  const threshold = spec.threshold === undefined ? 0 : thresholdFor(spec.threshold, context.mode);
  const modelLabels = labelVoxels(map, spec, threshold);
  const series = context.seriesVolume;
  const toModel = nearestModelVoxel(series, context.modelVolume);
  const seriesLabels = series === context.modelVolume ? modelLabels : Uint8Array.from({ length: series.voxels.length }, (_v, n) => modelLabels[toModel(n)] ?? 0);
  const modelVoxels = map.dims[0] * map.dims[1] * map.dims[2];
  const perMl = voxelVolumeMm3(series.patientFromVoxel) / 1000;
  return spec.labels.flatMap((label) => {
    const offset = label.channel * modelVoxels;
    const components = connectedComponents(seriesLabels, series.dims, label.channel + 1, spec.connectivity, { weight: (v) => map.values[offset + toModel(v)] ?? 0 })
      .filter((c) => c.voxels * perMl >= spec.minVolumeMl);
    if (components.length === 0) {
      return [{ type: label.type, presence: 'absent', ...(label.site ? { site: label.site } : {}), measurements: [], location: { images: imagesOf(context) }, source: context.source } satisfies Finding];
    }
    return components.map((c) => componentFinding(c, label, context));
  });
}
