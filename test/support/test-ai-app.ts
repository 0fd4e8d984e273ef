import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { multipartContentType, multipartRelated, newBoundary } from '../../src/dicomweb/multipart-writer.js';
import { writeWithXml2dsr } from './dcmtk-sr.js';
import { measurementReportXml } from './measurement-report.js';
import { uidFrom } from './synthetic-ct.js';

/**
 * A tiny AI application beside a real Orthanc: it watches Orthanc's change log, and for each study
 * whose first image arrives it builds a TID 1500 report on that image with DCMTK (xml2dsr) and
 * stores it into Orthanc by STOW-RS, as a DICOMweb AI node does.
 */

export interface TestAiApp {
  /** Studies answered so far. */
  answered: string[];
  stop(): Promise<void>;
}

interface Change {
  ChangeType: string;
  ID: string;
}

async function json<T>(url: string): Promise<T> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return (await r.json()) as T;
}

async function stowInto(dicomwebUrl: string, file: string): Promise<void> {
  const boundary = newBoundary();
  const chunks: Uint8Array[] = [];
  for await (const c of multipartRelated(boundary, [{ contentType: 'application/dicom', body: async function* () { yield await readFile(file); } }])) chunks.push(c);
  const r = await fetch(`${dicomwebUrl}/studies`, { method: 'POST', headers: { 'content-type': multipartContentType('application/dicom', boundary) }, body: Buffer.concat(chunks) });
  await r.arrayBuffer();
  if (!r.ok) throw new Error(`STOW-RS into Orthanc: HTTP ${r.status}`);
}

export function startTestAiApp(orthanc: { restUrl: string; dicomwebUrl: string }, workDir: string, pollMs = 200): TestAiApp {
  const answered: string[] = [];
  let since = 0;
  let stopped = false;
  const answer = async (instanceId: string): Promise<void> => {
    const tags = await json<Record<string, string>>(`${orthanc.restUrl}/instances/${instanceId}/simplified-tags`);
    const studyUid = tags.StudyInstanceUID ?? '';
    if (tags.Modality === 'SR' || answered.includes(studyUid)) return;
    answered.push(studyUid);
    const file = path.join(workDir, `ai-result-${answered.length}.dcm`);
    const uids = {
      studyUid,
      seriesUid: uidFrom(`${studyUid}/ai-series`),
      instanceUid: uidFrom(`${studyUid}/ai-instance`),
      imageSeriesUid: tags.SeriesInstanceUID ?? '',
      imageUid: tags.SOPInstanceUID ?? '',
      frameOfReferenceUid: tags.FrameOfReferenceUID ?? uidFrom(`${studyUid}/frame-of-reference`),
    };
    await writeWithXml2dsr(measurementReportXml(uids), file);
    await stowInto(orthanc.dicomwebUrl, file);
  };
  const loop = (async () => {
    while (!stopped) {
      const page = await json<{ Changes: Change[]; Last: number }>(`${orthanc.restUrl}/changes?since=${since}&limit=100`);
      since = page.Last;
      for (const change of page.Changes.filter((c) => c.ChangeType === 'NewInstance')) await answer(change.ID);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  })();
  return {
    answered,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
