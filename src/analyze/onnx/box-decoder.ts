import type { Finding } from '../../domain/finding.js';
import { lateralityOfExtent } from '../../domain/laterality.js';
import { patientBoxOf, patientPoint } from '../../imaging/voxel-affine.js';
import { imagesOf, seriesSliceOf, thresholdFor, type DecodeContext } from './decode-context.js';
import type { ModelBox } from './inference-pipeline.js';
import type { BoxesOutput } from './model-manifest.js';

/**
 * Detected boxes to localized findings: each box of a named class whose score reaches the class's
 * threshold for the rollout mode becomes a present finding with the box and its centre in patient
 * coordinates, its side and its score as confidence. Boxes of classes the manifest does not name are dropped.
 */
export function decodeBoxes(spec: BoxesOutput, boxes: readonly ModelBox[], context: DecodeContext): Finding[] {
  const affine = context.modelVolume.patientFromVoxel;
  return boxes.flatMap((box) => {
    const label = spec.labels.find((l) => l.class === box.label);
    if (!label || box.score < thresholdFor(label.threshold, context.mode)) return [];
    const low = box.from.map((v, a) => Math.min(v, box.to[a] ?? v)) as [number, number, number];
    const high = box.from.map((v, a) => Math.max(v, box.to[a] ?? v)) as [number, number, number];
    const patientBox = patientBoxOf(affine, low, high);
    const centre = patientPoint(affine, [(low[0] + high[0]) / 2, (low[1] + high[1]) / 2, (low[2] + high[2]) / 2]);
    const finding: Finding = {
      type: label.type,
      presence: 'present',
      ...(label.site ? { site: label.site } : {}),
      laterality: lateralityOfExtent(patientBox[0][0], patientBox[1][0], context.midlineX),
      measurements: [],
      confidence: box.score,
      location: { images: imagesOf(context, seriesSliceOf(context, low[2]), seriesSliceOf(context, high[2])), point: centre, box: patientBox },
      source: context.source,
    };
    return [finding];
  });
}
