import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { RadbridgeError, asRadbridgeError } from '../../domain/errors.js';
import { DEFAULT_ROLLOUT_MODE, rolloutModes } from '../../domain/rollout-mode.js';
import type { RouteDeps } from '../../route/route-deps.js';
import { EVERY_SITE, listAnalyzerModes, setRolloutMode } from '../../store/analyzer-modes.js';
import { auditRefusedChange, parseBody } from './change-request.js';
import { requiredReason } from './reason-body.js';
import { refuseUnparsableBody, sendError } from './send-error.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]*$/;
const modeBody = z.object({
  mode: z.enum(rolloutModes, { error: (issue) => `unknown rollout mode ${JSON.stringify(issue.input)}: use ${rolloutModes.join(', ')}` }),
  site: z.string().max(64).regex(NAME, 'a site is letters, digits, dot, dash, underscore or @').optional(),
  reason: z.string(),
});

/** PUT /api/analyzers/{id}/mode ({ mode, site?, reason }, audited with the old and new mode) and GET /api/analyzers/modes. */
export function registerAnalyzerModeRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.put<{ Params: { id: string } }>('/api/analyzers/:id/mode', { errorHandler: refuseUnparsableBody }, async (req, reply) => {
    try {
      const analyzerId = req.params.id;
      if (analyzerId.length > 128 || !NAME.test(analyzerId)) throw new RadbridgeError('BAD_REQUEST', `${JSON.stringify(analyzerId.slice(0, 80))} is not an analyzer id`);
      const reason = requiredReason(req.body);
      const { mode, site = EVERY_SITE } = parseBody(modeBody, req.body);
      const previous = await setRolloutMode(deps.database, { analyzerId, site, mode, reason, actor: req.ip, source: 'http' }, deps.now());
      return await reply.send({ analyzerId, site, mode, previous });
    } catch (err) {
      const error = asRadbridgeError(err);
      if (error.httpStatus < 500) await auditRefusedChange(deps.database, req, 'config.rollout-mode-changed', error, { analyzerId: req.params.id.slice(0, 128) }, deps.now());
      return sendError(reply, error);
    }
  });
  app.get('/api/analyzers/modes', async (_req, reply) => {
    try {
      return await reply.send({ default: DEFAULT_ROLLOUT_MODE, modes: await listAnalyzerModes(deps.database.db) });
    } catch (err) {
      return sendError(reply, asRadbridgeError(err));
    }
  });
}
