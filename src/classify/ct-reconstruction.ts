import { classified, words, type Classified } from './classification.js';
import type { SeriesFacts } from './series-facts.js';

export type Kernel = 'soft-tissue' | 'bone' | 'lung' | 'unknown';
export type ContrastPhase = 'non-contrast' | 'arterial' | 'portal-venous' | 'delayed' | 'contrast-unspecified';
export type Reconstruction = 'primary-axial' | 'reformat';

const kernelWords: Array<[Kernel, string[]]> = [
  ['lung', ['LUNG', 'LUNGE', 'PULMO', 'PARENCHYMA']],
  ['bone', ['BONE', 'BONEPLUS', 'KNOCHEN', 'OSTEO', 'SKELETON', 'EDGE']],
  ['soft-tissue', ['SOFT', 'STANDARD', 'STD', 'WEICHTEIL', 'MEDIASTINUM', 'BRAIN', 'DETAIL']],
];

/** Vendor kernel names: Siemens B/Br/I/Hr + sharpness, Canon FC + number, GE names, Philips letters. */
function kernelFromName(name: string): Kernel | undefined {
  const k = name.toUpperCase().replace(/\\.*$/, '').trim();
  const byWord = kernelWords.find(([, list]) => list.some((w) => k.includes(w)))?.[0];
  if (byWord) return byWord;
  const siemens = /^(?:BR|HR|QR|B|I|H|J)(\d{2})/.exec(k);
  if (siemens) {
    const n = Number(siemens[1]);
    return n >= 60 ? 'bone' : n >= 50 ? 'lung' : 'soft-tissue';
  }
  const canon = /^FC(\d{2})/.exec(k);
  if (canon) {
    const n = Number(canon[1]);
    return n >= 50 && n < 60 ? 'lung' : n >= 30 && n < 40 ? 'bone' : 'soft-tissue';
  }
  if (/^[ABC]$/.test(k)) return 'soft-tissue';
  if (/^[DEY][A-Z]?$/.test(k)) return 'bone';
  if (/^L$/.test(k)) return 'lung';
  return undefined;
}

/** Soft tissue, bone or lung reconstruction: the description says it outright, else the kernel name. */
export function classifyKernel(facts: SeriesFacts): Classified<Kernel> {
  for (const [source, value] of [['SeriesDescription', facts.seriesDescription], ['ProtocolName', facts.protocolName]] as const) {
    const found = kernelWords.find(([, list]) => words(value).some((w) => list.includes(w)))?.[0];
    if (found && value) return classified(found, 'attributes', [{ source, value }]);
  }
  const fromKernel = facts.convolutionKernel ? kernelFromName(facts.convolutionKernel) : undefined;
  if (fromKernel && facts.convolutionKernel) return classified(fromKernel, 'attributes', [{ source: 'ConvolutionKernel', value: facts.convolutionKernel }]);
  return classified('unknown', 'default', []);
}

const phaseWords: Array<[ContrastPhase, string[]]> = [
  ['arterial', ['ARTERIAL', 'ART', 'ANGIO', 'CTA', 'ARTERIELL', 'AORTA']],
  ['portal-venous', ['PORTAL', 'PV', 'VENOUS', 'VEN', 'PORTALVENOES', 'VENOES']],
  ['delayed', ['DELAYED', 'LATE', 'SPAET', 'EXCRETORY', 'URO']],
  ['non-contrast', ['NATIVE', 'NATIV', 'NONCON', 'NON-CON', 'UNENHANCED', 'PLAIN', 'NC', 'C-']],
];

/** Contrast phase from the descriptions, else from whether a contrast agent is recorded. */
export function classifyContrastPhase(facts: SeriesFacts): Classified<ContrastPhase> {
  for (const [source, value] of [['SeriesDescription', facts.seriesDescription], ['ProtocolName', facts.protocolName]] as const) {
    const found = phaseWords.find(([, list]) => words(value).some((w) => list.includes(w)))?.[0];
    if (found && value) return classified(found, 'attributes', [{ source, value }]);
  }
  if (facts.contrastBolusAgent) return classified('contrast-unspecified', 'attributes', [{ source: 'ContrastBolusAgent', value: facts.contrastBolusAgent }]);
  return classified('non-contrast', 'default', [{ source: 'ContrastBolusAgent', value: '(absent)' }]);
}

/** Primary axial acquisition or a reformat (derived or secondary image type, or a non-axial plane). */
export function classifyReconstruction(facts: SeriesFacts): Classified<Reconstruction> {
  const derived = facts.imageType.filter((t) => ['DERIVED', 'SECONDARY', 'REFORMATTED', 'MPR', 'MIP', 'VOLREN', 'PROJECTION'].includes(t));
  if (derived.length > 0) return classified('reformat', 'attributes', [{ source: 'ImageType', value: facts.imageType.join('\\') }]);
  const o = facts.imageOrientation;
  if (o && o.length === 6) {
    const [rx = 0, ry = 0, , cx = 0, cy = 0] = o;
    const normalZ = Math.abs(rx * cy - ry * cx);
    const plane = normalZ > 0.9 ? 'primary-axial' : 'reformat';
    return classified(plane, 'attributes', [{ source: 'ImageOrientationPatient', value: `${o.join('\\')} (slice normal z component ${normalZ.toFixed(2)})` }]);
  }
  return classified('primary-axial', 'default', []);
}
