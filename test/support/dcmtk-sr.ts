import { writeFileSync } from 'node:fs';
import { run } from './interop.js';

/** Third-party SR documents as DCMTK builds them: XML in dsr2xml's format, converted with xml2dsr. */

export const codeXml = (value: string, scheme: string, meaning: string) => `<value>${value}</value><scheme><designator>${scheme}</designator></scheme><meaning>${meaning}</meaning>`;
export const concept = (value: string, scheme: string, meaning: string) => `<concept>${codeXml(value, scheme, meaning)}</concept>`;
export const imageRef = (relationship: string, sopClassUid: string, sopInstanceUid: string, frames?: string) =>
  `<image><relationship>${relationship}</relationship><value><sopclass uid="${sopClassUid}"/><instance uid="${sopInstanceUid}"/>${frames ? `<frames>${frames}</frames>` : ''}</value></image>`;

export interface SrDocument {
  type: 'Enhanced SR' | 'Comprehensive SR' | 'Comprehensive 3D SR';
  sopClassUid: string;
  studyUid: string;
  seriesUid: string;
  instanceUid: string;
  device: { manufacturer: string; model: string; version: string };
  /** Evidence: the images the content refers to, by series. */
  evidence: Array<{ seriesUid: string; sopClassUid: string; instances: string[] }>;
  /** The root container's concept and children, as XML. */
  root: { concept: string; template?: string; children: string };
}

export function srXml(d: SrDocument): string {
  const evidence = d.evidence
    .map((s) => `<series uid="${s.seriesUid}">${s.instances.map((i) => `<value><sopclass uid="${s.sopClassUid}"/><instance uid="${i}"/></value>`).join('')}</series>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<report type="${d.type}">
<sopclass uid="${d.sopClassUid}"/>
<modality>SR</modality>
<device><manufacturer>${d.device.manufacturer}</manufacturer><model>${d.device.model}</model><version>${d.device.version}</version></device>
<patient><id>P-IMPORT</id><name><last>Test</last><first>Import</first></name><sex>O</sex></patient>
<study uid="${d.studyUid}"><id>1</id><date>20240301</date><time>101500</time><accession><number>ACC1</number></accession></study>
<series uid="${d.seriesUid}"><number>901</number></series>
<instance uid="${d.instanceUid}"><number>1</number></instance>
${d.evidence.length > 0 ? `<evidence type="Current Requested Procedure"><study uid="${d.studyUid}">${evidence}</study></evidence>` : ''}
<document><completion flag="COMPLETE"/><verification flag="UNVERIFIED"/>
<content><date>20240301</date><time>102000</time>
<container flag="SEPARATE">${d.root.template ? `<template><resource>DCMR</resource><id>${d.root.template}</id></template>` : ''}${d.root.concept}
${d.root.children}
</container></content></document></report>`;
}

/** Converts the XML with xml2dsr into a Part 10 file. */
export async function writeWithXml2dsr(xml: string, file: string): Promise<void> {
  writeFileSync(`${file}.xml`, xml);
  const r = await run('xml2dsr', [`${file}.xml`, file]);
  if (r.code !== 0) throw new Error(`xml2dsr failed: ${r.stderr}${r.stdout}`);
}

export async function dsrdump(file: string): Promise<string> {
  const r = await run('dsrdump', [file]);
  if (r.code !== 0) throw new Error(`dsrdump failed: ${r.stderr}`);
  return r.stdout;
}
