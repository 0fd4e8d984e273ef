import { classified, words, type Classified } from './classification.js';
import type { SeriesFacts } from './series-facts.js';

export type RadiographBodyPart = 'knee' | 'hip' | 'pelvis' | 'full-leg' | 'spine' | 'chest' | 'ankle' | 'foot' | 'hand' | 'wrist' | 'elbow' | 'shoulder' | 'unknown';
export type View = 'AP' | 'PA' | 'lateral' | 'oblique' | 'unknown';
export type Laterality = 'left' | 'right' | 'bilateral' | 'none';
export type UltrasoundKind = 'cine' | 'still';
export type FastWindow = 'right-upper-quadrant' | 'left-upper-quadrant' | 'pelvis' | 'pericardial' | 'lung' | 'unlabelled';

const partWords: Array<[RadiographBodyPart, string[]]> = [
  ['full-leg', ['FULLLEG', 'LONGLEG', 'LEGLENGTH', 'GANZBEIN', 'STANDING-LEG', 'LOWEREXTREMITY', 'LEG']],
  ['knee', ['KNEE', 'KNIE', 'PATELLA']],
  ['hip', ['HIP', 'HUEFTE', 'FEMUR']],
  ['pelvis', ['PELVIS', 'BECKEN', 'SACRUM']],
  ['spine', ['SPINE', 'CSPINE', 'TSPINE', 'LSPINE', 'WS', 'SCOLIOSIS', 'WIRBELSAEULE']],
  ['chest', ['CHEST', 'THORAX', 'LUNG', 'RIBS']],
  ['ankle', ['ANKLE', 'OSG']],
  ['foot', ['FOOT', 'FUSS']],
  ['hand', ['HAND', 'FINGER']],
  ['wrist', ['WRIST', 'HANDGELENK']],
  ['elbow', ['ELBOW', 'ELLENBOGEN']],
  ['shoulder', ['SHOULDER', 'SCHULTER', 'CLAVICLE']],
];

function firstMatch<T extends string>(table: Array<[T, string[]]>, facts: SeriesFacts): Classified<T> | undefined {
  const sources: Array<[string, string | undefined]> = [
    ['BodyPartExamined', facts.bodyPartExamined],
    ['SeriesDescription', facts.seriesDescription],
    ['ProtocolName', facts.protocolName],
    ['StudyDescription', facts.studyDescription],
    ['ImageComments', facts.imageComments],
  ];
  for (const [source, value] of sources) {
    const w = words(value);
    const found = table.find(([, list]) => w.some((x) => list.includes(x)))?.[0];
    if (found && value) return classified(found, 'attributes', [{ source, value }]);
  }
  return undefined;
}

export function classifyRadiographBodyPart(facts: SeriesFacts): Classified<RadiographBodyPart> {
  return firstMatch(partWords, facts) ?? classified('unknown', 'default', []);
}

/** View Position (AP, PA, LL, RL, LAT, obliques) first, then the descriptions. */
export function classifyView(facts: SeriesFacts): Classified<View> {
  const vp = (facts.viewPosition ?? '').toUpperCase();
  const fromVp: View | undefined = vp === 'AP' ? 'AP' : vp === 'PA' ? 'PA' : ['LL', 'RL', 'LAT', 'LATERAL'].includes(vp) ? 'lateral' : /OBL|LAO|RAO|LPO|RPO/.test(vp) ? 'oblique' : undefined;
  if (fromVp && facts.viewPosition) return classified(fromVp, 'attributes', [{ source: 'ViewPosition', value: facts.viewPosition }]);
  const table: Array<[View, string[]]> = [
    ['AP', ['AP', 'A-P', 'FRONTAL']],
    ['PA', ['PA', 'P-A']],
    ['lateral', ['LAT', 'LATERAL', 'SEITLICH', 'LL', 'RL']],
    ['oblique', ['OBL', 'OBLIQUE', 'SCHRAEG']],
  ];
  return firstMatch(table, facts) ?? classified('unknown', 'default', []);
}

/** Image or series Laterality first (R, L, B), then LEFT/RIGHT words in the descriptions. */
export function classifyLaterality(facts: SeriesFacts): Classified<Laterality> {
  const l = (facts.laterality ?? '').toUpperCase();
  const fromAttr: Laterality | undefined = l === 'R' ? 'right' : l === 'L' ? 'left' : l === 'B' ? 'bilateral' : undefined;
  if (fromAttr && facts.laterality) return classified(fromAttr, 'attributes', [{ source: 'Laterality', value: facts.laterality }]);
  const table: Array<[Laterality, string[]]> = [
    ['bilateral', ['BILATERAL', 'BOTH', 'BDS', 'BEIDSEITS']],
    ['right', ['RIGHT', 'RT', 'RECHTS', 'RE']],
    ['left', ['LEFT', 'LT', 'LINKS', 'LI']],
  ];
  return firstMatch(table, facts) ?? classified('none', 'default', []);
}

export function classifyUltrasoundKind(facts: SeriesFacts): Classified<UltrasoundKind> {
  return classified(facts.numberOfFrames > 1 ? 'cine' : 'still', 'attributes', [{ source: 'NumberOfFrames', value: String(facts.numberOfFrames) }]);
}

/** The FAST window where the image is labelled (descriptions, comments); unlabelled otherwise. */
export function classifyFastWindow(facts: SeriesFacts): Classified<FastWindow> {
  const table: Array<[FastWindow, string[]]> = [
    ['right-upper-quadrant', ['RUQ', 'MORISON', 'MORISONS', 'HEPATORENAL', 'PERIHEPATIC']],
    ['left-upper-quadrant', ['LUQ', 'SPLENORENAL', 'PERISPLENIC', 'KOLLER']],
    ['pelvis', ['PELVIS', 'PELVIC', 'SUPRAPUBIC', 'DOUGLAS', 'RETROVESICAL']],
    ['pericardial', ['PERICARDIAL', 'SUBXIPHOID', 'SUBCOSTAL', 'CARDIAC']],
    ['lung', ['LUNG', 'EFAST', 'PLEURA', 'PNEUMOTHORAX']],
  ];
  return firstMatch(table, facts) ?? classified('unlabelled', 'default', []);
}
