import { codeXml, concept, imageRef, srXml } from './dcmtk-sr.js';

/**
 * A TID 1500 Measurement Report as a fracture / haemorrhage product might send it: a planar group
 * (TID 1410, SCOORD on a CT image, long axis, certainty, presence) and a volumetric group
 * (TID 1411, SCOORD3D point, volume, its own algorithm version).
 */

export const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
export const ENHANCED_SR = '1.2.840.10008.5.1.4.1.1.88.22';
export const COMPREHENSIVE_3D_SR = '1.2.840.10008.5.1.4.1.1.88.34';

export interface ReportUids {
  studyUid: string;
  seriesUid: string;
  instanceUid: string;
  /** The CT series and image the findings are on. */
  imageSeriesUid: string;
  imageUid: string;
  frameOfReferenceUid: string;
}

export const DEVICE = { manufacturer: 'Acme Imaging AI', model: 'TraumaFinder', version: '2.1.0', uid: '1.2.826.0.1.3680043.10.999.1' };

const obsText = (value: string, scheme: string, meaning: string, text: string) => `<text><relationship>HAS OBS CONTEXT</relationship>${concept(value, scheme, meaning)}<value>${text}</value></text>`;

function deviceObserver(): string {
  return [
    `<code><relationship>HAS CONCEPT MOD</relationship>${concept('121049', 'DCM', 'Language of Content Item and Descendants')}${codeXml('en-US', 'RFC5646', 'English (United States)')}</code>`,
    `<code><relationship>HAS OBS CONTEXT</relationship>${concept('121005', 'DCM', 'Observer Type')}${codeXml('121007', 'DCM', 'Device')}</code>`,
    `<uidref><relationship>HAS OBS CONTEXT</relationship>${concept('121012', 'DCM', 'Device Observer UID')}<value>${DEVICE.uid}</value></uidref>`,
    obsText('121014', 'DCM', 'Device Observer Manufacturer', DEVICE.manufacturer),
    obsText('121015', 'DCM', 'Device Observer Model Name', DEVICE.model),
    `<code><relationship>HAS CONCEPT MOD</relationship>${concept('121058', 'DCM', 'Procedure reported')}${codeXml('77477000', 'SCT', 'CT')}</code>`,
  ].join('\n');
}

function planarGroup(u: ReportUids): string {
  return `<container flag="SEPARATE"><template><resource>DCMR</resource><id>1410</id></template><relationship>CONTAINS</relationship>${concept('125007', 'DCM', 'Measurement Group')}
${obsText('112039', 'DCM', 'Tracking Identifier', 'fracture 1')}
<code><relationship>CONTAINS</relationship>${concept('121071', 'DCM', 'Finding')}${codeXml('72704001', 'SRT', 'Fracture')}</code>
<code><relationship>HAS CONCEPT MOD</relationship>${concept('363698007', 'SCT', 'Finding Site')}${codeXml('71341001', 'SCT', 'Bone structure of femur')}
<code><relationship>HAS CONCEPT MOD</relationship>${concept('272741003', 'SCT', 'Laterality')}${codeXml('7771000', 'SCT', 'Left')}</code></code>
<scoord type="POLYLINE"><relationship>CONTAINS</relationship>${concept('111030', 'DCM', 'Image Region')}
${imageRef('SELECTED FROM', CT_IMAGE, u.imageUid)}
<data>10/20,30/20,30/40,10/40,10/20</data></scoord>
<num><relationship>CONTAINS</relationship>${concept('103339001', 'SCT', 'Long Axis')}<value>23.5</value><unit>${codeXml('mm', 'UCUM', 'millimeter')}</unit></num>
<num><relationship>CONTAINS</relationship>${concept('111012', 'DCM', 'Certainty of Finding')}<value>87</value><unit>${codeXml('%', 'UCUM', 'Percent')}</unit></num>
<code><relationship>CONTAINS</relationship>${concept('C0034375', 'UMLS', 'Qualitative Evaluations')}${codeXml('52101004', 'SCT', 'Present')}</code>
</container>`;
}

function volumetricGroup(u: ReportUids): string {
  return `<container flag="SEPARATE"><template><resource>DCMR</resource><id>1411</id></template><relationship>CONTAINS</relationship>${concept('125007', 'DCM', 'Measurement Group')}
${obsText('112039', 'DCM', 'Tracking Identifier', 'haemorrhage 1')}
<code><relationship>CONTAINS</relationship>${concept('121071', 'DCM', 'Finding')}${codeXml('50960005', 'SCT', 'Hemorrhage')}</code>
<code><relationship>HAS CONCEPT MOD</relationship>${concept('363698007', 'SCT', 'Finding Site')}${codeXml('12738006', 'SCT', 'Brain structure')}
<code><relationship>HAS CONCEPT MOD</relationship>${concept('272741003', 'SCT', 'Laterality')}${codeXml('24028007', 'SCT', 'Right')}</code></code>
<text><relationship>CONTAINS</relationship>${concept('111001', 'DCM', 'Algorithm Name')}<value>HaemoSeg</value></text>
<text><relationship>CONTAINS</relationship>${concept('111003', 'DCM', 'Algorithm Version')}<value>3.4</value></text>
<scoord3d type="POINT"><relationship>CONTAINS</relationship>${concept('111030', 'DCM', 'Image Region')}<data uid="${u.frameOfReferenceUid}">12.5/-40/65</data></scoord3d>
<num><relationship>CONTAINS</relationship>${concept('118565006', 'SCT', 'Volume')}<value>12.5</value><unit>${codeXml('mL', 'UCUM', 'milliliter')}</unit></num>
</container>`;
}

export function measurementReportXml(u: ReportUids): string {
  return srXml({
    type: 'Comprehensive 3D SR',
    sopClassUid: COMPREHENSIVE_3D_SR,
    studyUid: u.studyUid,
    seriesUid: u.seriesUid,
    instanceUid: u.instanceUid,
    device: DEVICE,
    evidence: [{ seriesUid: u.imageSeriesUid, sopClassUid: CT_IMAGE, instances: [u.imageUid] }],
    root: {
      template: '1500',
      concept: concept('126000', 'DCM', 'Imaging Measurement Report'),
      children: `${deviceObserver()}
<container flag="SEPARATE"><relationship>CONTAINS</relationship>${concept('111028', 'DCM', 'Image Library')}
<container flag="SEPARATE"><relationship>CONTAINS</relationship>${concept('126200', 'DCM', 'Image Library Group')}${imageRef('CONTAINS', CT_IMAGE, u.imageUid)}</container></container>
<container flag="SEPARATE"><relationship>CONTAINS</relationship>${concept('126010', 'DCM', 'Imaging Measurements')}
${planarGroup(u)}
${volumetricGroup(u)}
</container>`,
    },
  });
}
