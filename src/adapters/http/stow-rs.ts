import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RadbridgeError, asRadbridgeError } from '../../domain/errors.js';
import { attr, DICOM_JSON, sequence, type JsonDataset } from '../../dicomweb/dicom-json.js';
import { multipartParameters, readMultipartRelated } from '../../dicomweb/multipart-related.js';
import type { IngestDeps, Sender } from '../../ingest/ingest-deps.js';
import { receivePart, type PartOutcome } from '../../ingest/receive-part.js';
import { ensureStorageSpace } from '../../ingest/receive-object.js';
import { dicomwebBase } from './base-url.js';
import { sendError } from './send-error.js';

/** STOW-RS (PS3.18 10.5): POST /studies and /studies/{study}, multipart/related; type="application/dicom". */
export function registerStowRs(app: FastifyInstance, deps: IngestDeps): void {
  app.addContentTypeParser('multipart/related', (_req, _payload, done) => done(null));
  const handler = async (req: FastifyRequest<{ Params: { study?: string } }>, reply: FastifyReply) => {
    const studyUid = req.params.study;
    try {
      const { boundary, type } = multipartParameters(req.headers['content-type']);
      if (type !== undefined && type !== 'application/dicom') {
        throw new RadbridgeError('UNSUPPORTED_MEDIA_TYPE', `only type="application/dicom" parts are accepted, not ${type}`);
      }
      await ensureStorageSpace(deps);
      const sender: Sender = { via: 'stow', address: req.ip };
      const parts: Array<Promise<PartOutcome>> = [];
      await readMultipartRelated(req.raw, boundary, (headers) => {
        const part = receivePart(deps, sender, headers, { studyUid });
        parts.push(part.settled);
        return part.sink;
      });
      return await sendStowResponse(req, reply, await Promise.all(parts));
    } catch (err) {
      return sendError(reply, asRadbridgeError(err));
    }
  };
  app.post('/dicomweb/studies', handler);
  app.post('/dicomweb/studies/:study', handler);
}

async function sendStowResponse(req: FastifyRequest, reply: FastifyReply, results: PartOutcome[]) {
  const base = dicomwebBase(req);
  const referenced: JsonDataset[] = [];
  const failed: JsonDataset[] = [];
  for (const r of results) {
    if (r.stored) {
      referenced.push({
        '00081150': attr('UI', r.stored.sopClassUid),
        '00081155': attr('UI', r.stored.sopInstanceUid),
        '00081190': attr('UR', `${base}/studies/${r.stored.studyUid}/series/${r.stored.seriesUid}/instances/${r.stored.sopInstanceUid}`),
      });
    } else if (r.error) {
      failed.push({
        '00081150': attr('UI', r.sopClassUid),
        '00081155': attr('UI', r.sopInstanceUid),
        '00081197': attr('US', r.error.dimseStatus),
        '00000902': attr('LO', r.error.message),
      });
    }
  }
  const studies = new Set(results.flatMap((r) => (r.stored ? [r.stored.studyUid] : [])));
  const body: JsonDataset = {
    ...(studies.size === 1 ? { '00081190': attr('UR', `${base}/studies/${[...studies][0]}`) } : {}),
    ...(failed.length > 0 ? { '00081198': sequence(failed) } : {}),
    ...(referenced.length > 0 ? { '00081199': sequence(referenced) } : {}),
  };
  const allNotDicom = results.length > 0 && results.every((r) => r.error?.code === 'DICOM_NOT_PART10');
  const status = failed.length === 0 ? 200 : referenced.length > 0 ? 202 : allNotDicom ? 400 : 409;
  return reply.code(status).type(DICOM_JSON).send(body);
}
