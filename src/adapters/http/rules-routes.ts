import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { RadbridgeError, asRadbridgeError } from '../../domain/errors.js';
import { changeRules, currentRules } from '../../route/current-rules.js';
import type { RouteDeps } from '../../route/route-deps.js';
import { attributesTestSchema, studyTestSchema, testRules, type TestRequest } from '../../route/rule-tester.js';
import { listRoutingDecisions } from '../../store/routing-decisions.js';
import { auditRefusedChange, parseBody } from './change-request.js';
import { requiredReason } from './reason-body.js';
import { refuseUnparsableBody, sendError } from './send-error.js';

const UID = /^\d+(\.\d+)*$/;
const putBody = z.object({ document: z.unknown().refine((d) => d !== undefined, 'the rules document is required'), reason: z.string() });

/**
 * GET /api/rules (the version in force), PUT /api/rules ({ document, reason }: validated, stored as
 * the next version, audited), POST /api/rules/test (the rule tester) and
 * GET /api/studies/{uid}/routing (what routing decided for each series of a study).
 */
export function registerRulesRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get('/api/rules', async (_req, reply) => {
    try {
      return await reply.send(await currentRules(deps.database.db));
    } catch (err) {
      return sendError(reply, asRadbridgeError(err));
    }
  });
  app.put('/api/rules', { errorHandler: refuseUnparsableBody }, async (req, reply) => {
    try {
      const reason = requiredReason(req.body);
      const { document } = parseBody(putBody, req.body);
      const result = await changeRules(deps.database, { document, reason, actor: req.ip, source: 'http', destinations: deps.destinations }, deps.now());
      return await reply.code(result.changed ? 201 : 200).send(result);
    } catch (err) {
      const error = asRadbridgeError(err);
      if (error.httpStatus < 500) await auditRefusedChange(deps.database, req, 'config.rules-changed', error, {}, deps.now());
      return sendError(reply, error);
    }
  });
  app.post('/api/rules/test', { errorHandler: refuseUnparsableBody }, async (req, reply) => {
    try {
      const byStudy = typeof req.body === 'object' && req.body !== null && 'studyUid' in req.body;
      const request: TestRequest = byStudy ? parseBody(studyTestSchema, req.body) : parseBody(attributesTestSchema, req.body);
      return await reply.send(await testRules(deps, request));
    } catch (err) {
      return sendError(reply, asRadbridgeError(err));
    }
  });
  app.get<{ Params: { studyUid: string } }>('/api/studies/:studyUid/routing', async (req, reply) => {
    try {
      const { studyUid } = req.params;
      if (studyUid.length > 64 || !UID.test(studyUid)) throw new RadbridgeError('BAD_REQUEST', `${JSON.stringify(studyUid.slice(0, 80))} is not a Study Instance UID`);
      return await reply.send({ studyUid, decisions: await listRoutingDecisions(deps.database.db, studyUid) });
    } catch (err) {
      return sendError(reply, asRadbridgeError(err));
    }
  });
}
