import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAnalyzer } from '../src/analyze/import/third-party-results.js';
import { listAnalysisResults } from '../src/store/analysis-results.js';
import { listJobs, type JobPayloads } from '../src/store/job-queue.js';
import { findSeriesHeaders } from '../src/store/series-headers.js';
import { analysisInputOf } from './support/analysis-input.js';
import { writeWithXml2dsr } from './support/dcmtk-sr.js';
import { missingTools, run } from './support/interop.js';
import { DEVICE, measurementReportXml } from './support/measurement-report.js';
import { writeCtSeries } from './support/synthetic-ct.js';
import { startTestHub, tempDir, type TestHub } from './support/test-hub.js';

/**
 * A third-party SR sent to the hub by C-STORE is routed by the example rules to the third-party
 * reader, which the analysis stage runs like any analyzer and whose findings it stores.
 */

const skip = missingTools('xml2dsr', 'storescu');
const destinations = Object.fromEntries(['research-archive', 'teleradiology'].map((name) => [name, { host: '127.0.0.1', port: 9, aeTitle: 'NOBODY' }]));
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const version = createAnalyzer().description.version;

async function until<T>(probe: () => Promise<T[]>): Promise<T[]> {
  for (const end = Date.now() + 60_000; Date.now() < end; await wait(100)) {
    const found = await probe();
    if (found.length > 0) return found;
  }
  return probe();
}

describe('third-party results through ingest', { skip }, () => {
  let hub: TestHub;
  let dir: string;
  before(async () => {
    dir = tempDir('radbridge-import-');
    hub = await startTestHub({
      routing: { rulesFile: path.resolve('docs/rules-example.yaml') },
      destinations,
      completion: { quietPeriodMs: 200, sweepIntervalMs: 60_000 },
      analyzers: [{ url: new URL('../src/analyze/import/third-party-results.ts', import.meta.url).href }],
    });
    const approved = await fetch(`${hub.url}/api/analyzers/third-party-results/versions/${version}/approval`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ approval: 'approved', reason: 'the vendor results are validated' }),
    });
    assert.equal(approved.status, 200, await approved.text());
  });
  after(async () => {
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('routes an SR received by C-STORE to the third-party reader, whose findings from the stored SR the stage keeps', async () => {
    const ct = writeCtSeries({ dir: path.join(dir, 'ct'), count: 2, seed: 'import-roundtrip' });
    const sr = path.join(dir, 'result.dcm');
    const srSeriesUid = `${ct.studyUid}.77`;
    await writeWithXml2dsr(
      measurementReportXml({ studyUid: ct.studyUid, seriesUid: srSeriesUid, instanceUid: `${srSeriesUid}.1`, imageSeriesUid: ct.seriesUid, imageUid: ct.sopInstanceUids[0] ?? '', frameOfReferenceUid: `${ct.studyUid}.5` }),
      sr,
    );
    const sent = await run('storescu', ['-R', '-aet', 'AI_VENDOR', '-aec', 'RADBRIDGE', '127.0.0.1', String(hub.dicomPort), sr, ...ct.files]);
    assert.equal(sent.code, 0, sent.stderr);
    await wait(300);
    await hub.sweep();
    const results = await until(async () => (await listAnalysisResults(hub.app.database.db, ct.studyUid)).filter((r) => r.analyzerId === 'third-party-results'));
    assert.deepEqual(results.map((r) => [r.seriesUids, r.ruleId, r.mode]), [[[srSeriesUid], 'third-party-ai-results', 'silent']]);
    const runs = (await listJobs(hub.app.database.db, 'analysis.run')).map((j) => j.payload as JobPayloads['analysis.run']);
    assert.deepEqual(runs.filter((r) => r.analyzerId === 'third-party-results').map((r) => r.seriesUids), [[srSeriesUid]], 'an image series is not routed to the reader');
    const findings = results[0]?.findings ?? [];
    assert.deepEqual(findings.map((f) => [f.type.scheme, f.type.value, f.site?.value, f.laterality, f.measurements.map((m) => `${m.value} ${m.unit.value}`)]), [
      ['SCT', '72704001', '71341001', 'left', ['23.5 mm']],
      ['SCT', '50960005', '12738006', 'right', ['12.5 mL']],
    ]);
    assert.deepEqual(findings[0]?.source, { id: DEVICE.model, version: DEVICE.version, manufacturer: DEVICE.manufacturer, inputHash: results[0]?.inputHash });
    assert.deepEqual(findings[0]?.location?.images, [{ seriesUid: ct.seriesUid, sopInstanceUid: ct.sopInstanceUids[0] }]);

    const stored = async (seriesUid: string, modality: string) => {
      const headers = await findSeriesHeaders(hub.app.database.db, seriesUid);
      assert.ok(headers);
      return { seriesUid, modality, files: headers.files.map((f) => hub.app.objects.absolute(f.filePath)), sopInstanceUids: [] as string[] };
    };
    const analyzer = createAnalyzer();
    const withImages = analysisInputOf(ct.studyUid, [await stored(srSeriesUid, 'SR'), await stored(ct.seriesUid, 'CT')]);
    const placed = await analyzer.analyze(withImages, AbortSignal.timeout(30_000));
    assert.ok(placed.findings[0]?.location?.box, 'with the CT series given beside it, the image region is placed in patient space');
  });
});
