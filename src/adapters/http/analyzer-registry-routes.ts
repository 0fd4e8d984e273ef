import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AnalysisDeps } from '../../analyze/analysis-run.js';
import { registerAnalyzerModule } from '../../analyze/analyzer-registration.js';
import { analyzerModuleSchema } from '../../config/schema.js';
import { asRadbridgeError } from '../../domain/errors.js';
import { approvals, changeApproval, listAnalyzerVersions } from '../../store/analyzer-registry.js';
import { auditRefusedChange, parseBody } from './change-request.js';
import { requiredReason } from './reason-body.js';
import { refuseUnparsableBody, sendError } from './send-error.js';

const SITE = z.string().max(64).regex(/^[A-Za-z0-9._-]+$|^\*$/, 'a site is letters, digits, dot, dash or underscore, or * for every site');
const registerBody = z.object({ module: analyzerModuleSchema, reason: z.string() });
const approvalBody = z.object({
  approval: z.enum(approvals, { error: (issue) => `unknown approval ${JSON.stringify(issue.input)}: use ${approvals.join(', ')}` }),
  sites: z.array(SITE).min(1).optional(),
  reason: z.string(),
});

/**
 * The analyzer registry over HTTP: GET /api/analyzers (every version with its intended use, model
 * hash, approval and sites), POST /api/analyzers (register a module's version, pending approval),
 * PUT /api/analyzers/{id}/versions/{version}/approval. Changes need a reason; each is audited, and
 * so is each refusal. A change holds from the next analysis on, without a restart.
 */
export function registerAnalyzerRegistryRoutes(app: FastifyInstance, deps: AnalysisDeps): void {
  app.get('/api/analyzers', async (_req, reply) => {
    try {
      return await reply.send({ site: deps.site, analyzers: await listAnalyzerVersions(deps.database.db) });
    } catch (err) {
      return sendError(reply, asRadbridgeError(err));
    }
  });
  app.post('/api/analyzers', { errorHandler: refuseUnparsableBody }, async (req, reply) => {
    try {
      const reason = requiredReason(req.body);
      const { module } = parseBody(registerBody, req.body);
      const result = await registerAnalyzerModule(deps.database, module, { actor: req.ip, source: 'http', reason }, deps.now());
      return await reply.code(result.registered ? 201 : 200).send(result);
    } catch (err) {
      const error = asRadbridgeError(err);
      if (error.httpStatus < 500) await auditRefusedChange(deps.database, req, 'config.analyzer-registered', error, {}, deps.now());
      return sendError(reply, error);
    }
  });
  app.put<{ Params: { id: string; version: string } }>('/api/analyzers/:id/versions/:version/approval', { errorHandler: refuseUnparsableBody }, async (req, reply) => {
    const { id, version } = req.params;
    try {
      const reason = requiredReason(req.body);
      const { approval, sites } = parseBody(approvalBody, req.body);
      const change = await changeApproval(deps.database, { analyzerId: id, version, approval, ...(sites ? { sites } : {}), actor: req.ip, source: 'http', reason }, deps.now());
      return await reply.send(change);
    } catch (err) {
      const error = asRadbridgeError(err);
      if (error.httpStatus < 500) await auditRefusedChange(deps.database, req, 'config.analyzer-approval-changed', error, { analyzerId: id.slice(0, 128), version: version.slice(0, 128) }, deps.now());
      return sendError(reply, error);
    }
  });
}
