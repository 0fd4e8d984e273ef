import { z } from 'zod';
import { templateProblems } from '../notify/webhook-payload.js';

/**
 * The configuration of what the hub tells people and systems beyond HL7 v2: FHIR servers, signed
 * webhooks, and the escalation policy of alerts (docs/adr/0023-alerts-fhir-webhooks.md).
 */

const ms = z.coerce.number().int().min(1);
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'a name is letters, digits, dot, dash, underscore or @');

/** A FHIR R4 server the hub posts transaction bundles to (its base URL), with a bearer token read from a file when it asks for one. */
const fhirServer = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/ }),
  bearerTokenFile: z.string().min(1).optional(),
  timeoutMs: ms.default(30_000),
});

/** A webhook receiver (a secure messaging platform): signed per Standard Webhooks with the secret in `secretFile`, PHI-minimal unless `phi: full`. */
const webhookEndpoint = z
  .strictObject({
    url: z.url({ protocol: /^https?$/ }),
    /** A file holding the shared secret, `whsec_` + base64 of 24 to 64 random bytes. */
    secretFile: z.string().min(1),
    phi: z.enum(['minimal', 'full']).default('minimal'),
    /** The body as JSON with {{placeholders}} in its strings (src/notify/webhook-payload.ts); default: the hub's alert document. */
    template: z.unknown().optional(),
    timeoutMs: ms.default(10_000),
  })
  .superRefine((endpoint, ctx) => {
    if (endpoint.template === undefined) return;
    for (const message of templateProblems(endpoint.template, endpoint.phi)) ctx.addIssue({ code: 'custom', path: ['template'], message });
  });

const contact = z.union([z.strictObject({ webhook: name }), z.strictObject({ fhir: name, recipient: z.string().regex(/^[A-Z][A-Za-z]+\/[A-Za-z0-9.-]{1,64}$/, 'a recipient is a FHIR reference such as Practitioner/123') })], {
  error: 'a contact is { webhook: endpoint } or { fhir: server, recipient: "Practitioner/123" }',
});

/** Who is told of an alert, step by step: each step's contacts, then the next step's when nobody acknowledged within `escalateAfterMs`; the last step is told again each time it passes. */
const alertPolicy = z.strictObject({
  steps: z.array(z.strictObject({ contacts: z.array(contact).min(1), escalateAfterMs: ms })).default([]),
});

export const fhirSchema = z
  .strictObject({
    servers: z.record(name, fhirServer).prefault({}),
    /** Servers (names in `servers`) sent each shown result as a preliminary DiagnosticReport with its Observations. */
    resultServers: z.array(z.string().min(1)).default([]),
    /** Tries per result bundle and server before it is dead-lettered; with the job backoff, about a day by default. */
    maxAttempts: z.coerce.number().int().min(1).max(10_000).default(300),
  })
  .prefault({});

export const webhooksSchema = z.strictObject({ endpoints: z.record(name, webhookEndpoint).prefault({}) }).prefault({});

export const alertsSchema = z
  .strictObject({
    critical: alertPolicy.prefault({}),
    urgent: alertPolicy.prefault({}),
  })
  .prefault({});

export type FhirServerConfig = z.infer<typeof fhirServer>;
export type WebhookEndpointConfig = z.infer<typeof webhookEndpoint>;
export type AlertContact = z.infer<typeof contact>;
export type AlertPolicy = z.infer<typeof alertPolicy>;

type NotifyConfig = { fhir: z.infer<typeof fhirSchema>; webhooks: z.infer<typeof webhooksSchema>; alerts: z.infer<typeof alertsSchema> };

/** Every name that must be configured elsewhere and is not, with its path. */
export function notifyReferenceProblems(config: NotifyConfig): Array<{ path: Array<string | number>; message: string }> {
  const problems: Array<{ path: Array<string | number>; message: string }> = [];
  const known = (kind: string, names: Record<string, unknown>, value: string, path: Array<string | number>) => {
    if (!(value in names)) problems.push({ path, message: `"${value}" is not among ${kind} (${Object.keys(names).join(', ') || 'none configured'})` });
  };
  config.fhir.resultServers.forEach((server, n) => known('fhir.servers', config.fhir.servers, server, ['fhir', 'resultServers', n]));
  for (const level of ['critical', 'urgent'] as const) {
    config.alerts[level].steps.forEach((step, s) =>
      step.contacts.forEach((c, n) => {
        const path = ['alerts', level, 'steps', s, 'contacts', n];
        if ('webhook' in c) known('webhooks.endpoints', config.webhooks.endpoints, c.webhook, [...path, 'webhook']);
        else known('fhir.servers', config.fhir.servers, c.fhir, [...path, 'fhir']);
      }),
    );
  }
  return problems;
}
