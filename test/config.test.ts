import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/load.js';
import { tempDir } from './support/test-hub.js';

describe('configuration', () => {
  it('has embedded defaults: ./data, SQLite, DICOM 11112 as RADBRIDGE, HTTP 8080, loopback only', () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.dataDir, './data');
    assert.deepEqual(c.database, { kind: 'sqlite' });
    assert.equal(c.dicom.port, 11112);
    assert.equal(c.dicom.aeTitle, 'RADBRIDGE');
    assert.equal(c.dicom.host, '127.0.0.1');
    assert.equal(c.http.port, 8080);
    assert.equal(c.http.host, '127.0.0.1');
    assert.equal(c.completion.quietPeriodMs, 10_000);
    assert.equal(c.limits.maxSequenceDepth, 128);
  });

  it('reads a YAML file and lets environment variables override it', () => {
    const file = path.join(tempDir(), 'radbridge.yaml');
    writeFileSync(file, 'dicom:\n  port: 104\n  aeTitle: HUB\ncompletion:\n  quietPeriodMsByCallingAe:\n    CT_SCANNER: 30000\n');
    const c = loadConfig({ file, env: { RADBRIDGE_DICOM__PORT: '4242', RADBRIDGE_DICOM__ALLOWED_CALLING_AE_TITLES: 'CT1,MR1' } });
    assert.equal(c.dicom.port, 4242);
    assert.equal(c.dicom.aeTitle, 'HUB');
    assert.deepEqual(c.dicom.allowedCallingAeTitles, ['CT1', 'MR1']);
    assert.equal(c.completion.quietPeriodMsByCallingAe.CT_SCANNER, 30_000);
  });

  it('reports every error at once', () => {
    const err = (() => {
      try {
        loadConfig({ env: { RADBRIDGE_DICOM__PORT: 'seventy', RADBRIDGE_DICOM__AE_TITLE: 'A_TITLE_FAR_TOO_LONG', RADBRIDGE_STORAGE__DUPLICATE_POLICY: 'overwrite' } });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(err instanceof ConfigError);
    assert.equal(err.problems.length, 3);
    assert.match(err.message, /dicom\.port/);
    assert.match(err.message, /dicom\.aeTitle/);
    assert.match(err.message, /storage\.duplicatePolicy/);
  });

  it('reports unknown keys instead of ignoring a typo', () => {
    assert.throws(() => loadConfig({ env: {}, overrides: { dicom: { prot: 104 } } }), /dicom.*prot/s);
  });

  it('refuses to listen beyond loopback without authentication', () => {
    assert.throws(() => loadConfig({ env: { RADBRIDGE_HTTP__HOST: '0.0.0.0' } }), /http\.host/);
    assert.throws(() => loadConfig({ env: { RADBRIDGE_DICOM__HOST: '0.0.0.0' } }), /allowedCallingAeTitles/);
    assert.equal(loadConfig({ env: { RADBRIDGE_DICOM__HOST: '0.0.0.0', RADBRIDGE_DICOM__ALLOWED_CALLING_AE_TITLES: 'CT1' } }).dicom.host, '0.0.0.0');
  });

  it('reads forward destinations from a file and names each bad one by its path', () => {
    const file = path.join(tempDir(), 'radbridge.yaml');
    writeFileSync(file, 'destinations:\n  pacs:\n    host: pacs.local\n    port: 104\n    aeTitle: SECTRA\n    callingAeTitle: RB_OUT\n');
    assert.deepEqual(loadConfig({ file, env: {} }).destinations, { pacs: { host: 'pacs.local', port: 104, aeTitle: 'SECTRA', callingAeTitle: 'RB_OUT' } });
    const bad = { 'bad name': { host: 'x', port: 104, aeTitle: 'X' }, pacs: { host: '', port: 70_000, aeTitle: 'A_TITLE_FAR_TOO_LONG', tls: true } };
    const err = (() => {
      try {
        loadConfig({ env: {}, overrides: { destinations: bad } });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(err instanceof ConfigError);
    for (const where of [/destinations\.bad name/, /destinations\.pacs\.host/, /destinations\.pacs\.port/, /destinations\.pacs\.aeTitle/, /destinations\.pacs.*tls/]) assert.match(err.message, where);
  });

  it('reads DICOMweb destinations and the result destinations, and names a result destination that is not configured', () => {
    const config = loadConfig({ env: {}, overrides: { destinations: { web: { stowUrl: 'https://pacs.local/dicom-web' } }, results: { destinations: ['web'] } } });
    assert.deepEqual(config.destinations.web, { stowUrl: 'https://pacs.local/dicom-web', timeoutMs: 60_000 });
    assert.deepEqual(config.results, { destinations: ['web'], objects: { sr: true, seg: true, kos: true, summaryImage: false }, maxAttempts: 300 });
    assert.throws(() => loadConfig({ env: {}, overrides: { destinations: { web: { stowUrl: 'ftp://pacs.local' } } } }), /destinations\.web\.stowUrl/);
    assert.throws(() => loadConfig({ env: {}, overrides: { results: { destinations: ['nowhere'] } } }), /results\.destinations\.0: "nowhere" is not among destinations \(none configured\)/);
  });

  it('names a file that cannot be read', () => {
    assert.throws(() => loadConfig({ file: '/nonexistent/radbridge.yaml', env: {} }), /nonexistent\/radbridge\.yaml/);
  });

  it('is frozen', () => {
    const c = loadConfig({ env: {} });
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.dicom));
    assert.throws(() => {
      (c.dicom as { port: number }).port = 1;
    }, TypeError);
  });
});
