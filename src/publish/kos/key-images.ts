import { RadbridgeError } from '../../domain/errors.js';
import type { Finding } from '../../domain/finding.js';
import { setVoxelsPerSlice } from '../../imaging/mask-slices.js';
import type { ResultDocument, SourceImage } from '../result-document.js';
import { maskSources } from '../seg/mask-sources.js';

/**
 * The key images of a result: for each present finding with a mask, the source slice holding most
 * of its set voxels (the lowest such slice on a tie); for one without, the images its location
 * names. Each image once, in the order the findings first name them. Pure.
 */

export interface KeyImage {
  image: SourceImage;
  frame?: number;
  /** The findings shown on it. */
  findings: Finding[];
}

type ImageAndFrame = { image: SourceImage; frame?: number };

function keySlice(finding: Finding, sources: readonly SourceImage[]): ImageAndFrame[] {
  const { mask } = finding;
  if (!mask) return [];
  let best: [number, number] | undefined;
  for (const [k, count] of setVoxelsPerSlice(mask)) if (!best || count > best[1]) best = [k, count];
  if (!best) return [];
  return [{ image: maskSources(mask, sources, finding.type.meaning).slices[best[0]] as SourceImage }];
}

function namedImages(finding: Finding, sources: readonly SourceImage[]): ImageAndFrame[] {
  return (finding.location?.images ?? []).flatMap((ref) => {
    if (!ref.sopInstanceUid) return [];
    const image = sources.find((s) => s.sopInstanceUid === ref.sopInstanceUid);
    if (!image) throw new RadbridgeError('RESULT_DOCUMENT_INVALID', `${finding.type.meaning} is seen on image ${ref.sopInstanceUid}, which is not among the result's source images`);
    return [{ image, ...(ref.frame ? { frame: ref.frame } : {}) }];
  });
}

export function keyImagesOf(doc: ResultDocument): KeyImage[] {
  const keyed = new Map<string, KeyImage>();
  for (const finding of doc.findings) {
    if (finding.presence !== 'present') continue;
    const images = finding.mask ? keySlice(finding, doc.sources) : namedImages(finding, doc.sources);
    for (const { image, frame } of images) {
      const key = `${image.sopInstanceUid}/${frame ?? ''}`;
      const entry: KeyImage = keyed.get(key) ?? { image, ...(frame ? { frame } : {}), findings: [] };
      if (!entry.findings.includes(finding)) entry.findings.push(finding);
      keyed.set(key, entry);
    }
  }
  return [...keyed.values()];
}
