import type { FastifyInstance } from 'fastify';
import { readDicomObject } from '../../analyze/import/dicom-object.js';
import { srDisplay } from '../../analyze/import/sr-display.js';
import { RadbridgeError, asRadbridgeError } from '../../domain/errors.js';
import { readStoredBytes } from '../../store/instance-files.js';
import { findStoredInstances } from '../../store/stored-instances.js';
import { auditRead } from './dicomweb-audit.js';
import { studyUidOf, uidOf } from './results-routes.js';
import { sendError } from './send-error.js';
import type { WadoDeps } from './wado-rs.js';

type SrRequestParams = { Params: { study: string; series: string; instance: string } };

/**
 * GET /api/studies/{study}/series/{series}/instances/{instance}/sr: a stored SR document as
 * display-ready JSON (src/analyze/import/sr-display.ts); 404 for an unknown instance, 422
 * NOT_A_STRUCTURED_REPORT for one that is no SR. Every read is audited, as the DICOMweb reads are.
 */
export function registerSrDisplayRoutes(app: FastifyInstance, deps: WadoDeps): void {
  app.get<SrRequestParams>('/api/studies/:study/series/:series/instances/:instance/sr', async (req, reply) => {
    const { study, series, instance } = req.params;
    try {
      const [found] = await findStoredInstances(deps.database.db, { studyUid: studyUidOf(study), seriesUid: uidOf(series, 'Series Instance UID'), sopInstanceUid: uidOf(instance, 'SOP Instance UID') });
      if (!found) throw new RadbridgeError('NOT_FOUND', `no stored instance ${instance} in series ${series} of study ${study}`);
      const display = srDisplay(readDicomObject(await readStoredBytes(deps.objects, found.filePath, { start: 0, length: found.fileSize })));
      await auditRead(deps.database, req, { type: 'instances.retrieved', studyUid: study, instances: 1, detail: { view: 'sr-display' } }, deps.now());
      return await reply.send(display);
    } catch (err) {
      const error = asRadbridgeError(err);
      await auditRead(deps.database, req, { type: 'instances.retrieved', studyUid: study, instances: 0, error, detail: { view: 'sr-display' } }, deps.now());
      return sendError(reply, error);
    }
  });
}
