import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config/schema.js';
import { RadbridgeError, asRadbridgeError } from '../../domain/errors.js';
import type { AlertMetrics } from '../../notify/alert-metrics.js';
import type { NotifySecrets } from '../../notify/notify-secrets.js';
import { isAcknowledgeToken } from '../../notify/webhook-signature.js';
import { acknowledgeAlert, findAlert, listAlerts } from '../../store/alerts.js';
import { recordAudit } from '../../store/audit-log.js';
import type { Database } from '../../store/database.js';
import { listMessages } from '../../store/message-outbox.js';
import { parseBody } from './change-request.js';
import { refuseUnparsableBody, sendError } from './send-error.js';

export interface AlertRoutesDeps {
  config: Pick<Config, 'webhooks'>;
  database: Database;
  now: () => number;
  secrets: NotifySecrets;
  metrics: AlertMetrics;
}

const ALERT_ID = /^al-[0-9a-f]{24}$/;
const MAX_LIMIT = 1000;

const listQuery = z.strictObject({
  state: z.enum(['created', 'delivered', 'acknowledged'], { error: 'state is created, delivered or acknowledged' }).optional(),
  study: z.string().regex(/^[0-9.]{1,64}$/, 'study is a Study Instance UID').optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
});

const acknowledgementBody = z.strictObject({
  by: z.string({ error: 'by names who acknowledges: a person, or the receiving system' }).trim().min(1, 'by names who acknowledges').max(128),
  /** The token a webhook carried: the receiving system acknowledges for its endpoint. */
  token: z.string().min(1).max(256).optional(),
});

function alertIdOf(raw: string): string {
  if (!ALERT_ID.test(raw)) throw new RadbridgeError('BAD_REQUEST', `${JSON.stringify(raw.slice(0, 80))} is not an alert id`);
  return raw;
}

/** The webhook endpoint whose secret made `token` for the alert, if any. */
function endpointOfToken(deps: AlertRoutesDeps, alertId: string, token: string): string | undefined {
  return [...deps.secrets.webhooks].find(([, secret]) => isAcknowledgeToken(secret, alertId, token))?.[0];
}

/**
 * Alerts (docs/adr/0023-alerts-fhir-webhooks.md): GET /api/alerts (newest first; ?state, ?study,
 * ?limit), GET /api/alerts/{id} with every message sent about it (status, never the text), and
 * POST /api/alerts/{id}/acknowledgement { by, token? }: a person acknowledges by name; a receiving
 * system by sending back the token its webhook carried, which names its endpoint. The first
 * acknowledgement stands and is audited; its time from the alert is measured.
 */
export function registerAlertRoutes(app: FastifyInstance, deps: AlertRoutesDeps): void {
  app.get<{ Querystring: Record<string, unknown> }>('/api/alerts', async (req, reply) => {
    try {
      const query = parseBody(listQuery, req.query);
      return await reply.send({ alerts: await listAlerts(deps.database.db, { limit: query.limit, ...(query.state ? { state: query.state } : {}), ...(query.study ? { studyUid: query.study } : {}) }) });
    } catch (err) {
      return sendError(reply, asRadbridgeError(err));
    }
  });
  app.get<{ Params: { alertId: string } }>('/api/alerts/:alertId', async (req, reply) => {
    try {
      const alertId = alertIdOf(req.params.alertId);
      const alert = await findAlert(deps.database.db, alertId);
      if (!alert) throw new RadbridgeError('NOT_FOUND', `no alert ${alertId}`);
      const messages = (await listMessages(deps.database.db, { alertId })).map(({ body: _body, reply: _reply, ...status }) => status);
      return await reply.send({ ...alert, messages });
    } catch (err) {
      return sendError(reply, asRadbridgeError(err));
    }
  });
  app.post<{ Params: { alertId: string } }>('/api/alerts/:alertId/acknowledgement', { errorHandler: refuseUnparsableBody }, async (req, reply) => {
    try {
      const alertId = alertIdOf(req.params.alertId);
      const body = parseBody(acknowledgementBody, req.body ?? {});
      if (!(await findAlert(deps.database.db, alertId))) throw new RadbridgeError('NOT_FOUND', `no alert ${alertId}`);
      let via: 'person' | 'system' = 'person';
      let source = req.ip;
      if (body.token !== undefined) {
        const endpoint = endpointOfToken(deps, alertId, body.token);
        if (!endpoint) {
          await recordAudit(deps.database, { type: 'alert.acknowledged', outcome: 'serious-failure', actor: body.by, source: req.ip, detail: { alertId, error: 'ALERT_TOKEN_INVALID' } }, deps.now());
          throw new RadbridgeError('ALERT_TOKEN_INVALID', `the token is not one the hub gave for alert ${alertId}`);
        }
        via = 'system';
        source = `webhook ${endpoint} (${req.ip})`;
      }
      const outcome = await acknowledgeAlert(deps.database, alertId, body.by, via, source, deps.now());
      if (!outcome) throw new RadbridgeError('NOT_FOUND', `no alert ${alertId}`);
      const { alert, first } = outcome;
      if (first && alert.timeToAcknowledgeMs !== null) deps.metrics.timeToAcknowledge.observe({ level: alert.level, via }, alert.timeToAcknowledgeMs / 1000);
      return await reply.send({ ...alert, firstAcknowledgement: first });
    } catch (err) {
      return sendError(reply, asRadbridgeError(err));
    }
  });
}
