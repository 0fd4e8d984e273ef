import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/load.js';
import { loadNotifySecrets } from '../src/notify/notify-secrets.js';
import { tempDir } from './support/test-hub.js';
import { makeWebhookSecret } from './support/webhook-receiver.js';

/** The configuration of FHIR servers, webhooks and alert escalation: every mistake named with its path, at start, all at once. */

const problemsOf = (run: () => unknown): string[] => {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  assert.fail('the configuration was accepted');
};

const endpoint = (overrides: Record<string, unknown> = {}) => ({ url: 'https://pager.example.org/hook', secretFile: '/run/secrets/pager', ...overrides });

describe('notification configuration', () => {
  it('takes FHIR servers, webhook endpoints and an escalation policy', () => {
    const c = loadConfig({
      env: {},
      overrides: {
        fhir: { servers: { ehr: { baseUrl: 'https://ehr.example.org/fhir' } }, resultServers: ['ehr'] },
        webhooks: { endpoints: { pager: endpoint({ template: { text: '{{level}} alert: {{reasons}} {{acknowledgeUrl}}' } }) } },
        alerts: { critical: { steps: [{ contacts: [{ webhook: 'pager' }, { fhir: 'ehr', recipient: 'PractitionerRole/trauma' }], escalateAfterMs: 300_000 }] } },
      },
    });
    assert.equal(c.webhooks.endpoints.pager?.phi, 'minimal', 'PHI-minimal unless a site says otherwise');
    assert.equal(c.alerts.critical.steps[0]?.contacts.length, 2);
    assert.deepEqual(c.alerts.urgent.steps, []);
  });

  it('names every server, template and contact problem with its path, all at once', () => {
    const text = problemsOf(() =>
      loadConfig({
        env: {},
        overrides: {
          fhir: { servers: { ehr: { baseUrl: 'ftp://ehr.example.org' } } },
          webhooks: { endpoints: { pager: endpoint({ template: { text: '{{patientName}} {{bogus}}' } }) } },
          alerts: { critical: { steps: [{ contacts: [{ fhir: 'ehr', recipient: 'not a reference' }, { email: 'x' }], escalateAfterMs: 0 }] } },
        },
      }),
    ).join('\n');
    assert.match(text, /fhir\.servers\.ehr\.baseUrl/);
    assert.match(text, /webhooks\.endpoints\.pager\.template: \$\.text: \{\{patientName\}\} is patient data, and this endpoint is PHI-minimal/);
    assert.match(text, /\{\{bogus\}\} is not a known placeholder/);
    assert.match(text, /alerts\.critical\.steps\.0\.contacts\.0\.recipient: a recipient is a FHIR reference/);
    assert.match(text, /alerts\.critical\.steps\.0\.contacts\.1: a contact is/);
    assert.match(text, /alerts\.critical\.steps\.0\.escalateAfterMs/);
  });

  it('names every contact and result server that is not configured', () => {
    const text = problemsOf(() =>
      loadConfig({
        env: {},
        overrides: {
          fhir: { resultServers: ['nowhere'] },
          alerts: { urgent: { steps: [{ contacts: [{ webhook: 'missing' }, { fhir: 'ehr', recipient: 'Practitioner/1' }], escalateAfterMs: 1000 }] } },
        },
      }),
    ).join('\n');
    assert.match(text, /fhir\.resultServers\.0: "nowhere" is not among fhir\.servers \(none configured\)/);
    assert.match(text, /alerts\.urgent\.steps\.0\.contacts\.0\.webhook: "missing" is not among webhooks\.endpoints/);
    assert.match(text, /alerts\.urgent\.steps\.0\.contacts\.1\.fhir: "ehr" is not among fhir\.servers/);
  });

  it('lets a PHI-full endpoint name the patient in its template', () => {
    const c = loadConfig({ env: {}, overrides: { webhooks: { endpoints: { pager: endpoint({ phi: 'full', template: { text: '{{patientName}} {{accessionNumber}}' } }) } } } });
    assert.equal(c.webhooks.endpoints.pager?.phi, 'full');
  });

  it('reads each secret at start and refuses missing, empty and unusable ones, all at once', async () => {
    const dir = tempDir();
    const good = path.join(dir, 'good');
    const empty = path.join(dir, 'empty');
    const weak = path.join(dir, 'weak');
    writeFileSync(good, `${makeWebhookSecret()}\n`);
    writeFileSync(empty, '\n');
    writeFileSync(weak, `whsec_${Buffer.from('short').toString('base64')}`);
    const config = loadConfig({
      env: {},
      overrides: {
        webhooks: { endpoints: { a: endpoint({ secretFile: good }), b: endpoint({ secretFile: empty }), c: endpoint({ secretFile: weak }), d: endpoint({ secretFile: path.join(dir, 'absent') }) } },
        fhir: { servers: { ehr: { baseUrl: 'https://ehr.example.org/fhir', bearerTokenFile: path.join(dir, 'no-token') } } },
      },
    });
    const err = await loadNotifySecrets(config).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ConfigError);
    const text = err.problems.join('\n');
    assert.equal(err.problems.length, 4, text);
    assert.match(text, /webhooks\.endpoints\.b\.secretFile .*: the file is empty/);
    assert.match(text, /webhooks\.endpoints\.c\.secretFile .*: the webhook secret holds 5 bytes, fewer than 24/);
    assert.match(text, /webhooks\.endpoints\.d\.secretFile .*: cannot be read/);
    assert.match(text, /fhir\.servers\.ehr\.bearerTokenFile .*: cannot be read/);
    const fine = await loadNotifySecrets(loadConfig({ env: {}, overrides: { webhooks: { endpoints: { a: endpoint({ secretFile: good }) } } } }));
    assert.ok(fine.webhooks.get('a')?.startsWith('whsec_'), 'the secret is read without its line end');
  });
});
