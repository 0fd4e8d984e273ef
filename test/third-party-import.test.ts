import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAnalyzer } from '../src/analyze/import/third-party-results.js';
import { routeCompletedSeries } from '../src/route/route-series.js';
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
 * reader like any analyzer. The analysis stage does not run contract analyzers yet, so the test
 * reads the stored files with the analyzer directly, as that stage will.
 */

const skip = missingTools('xml2dsr', 'storescu');
const destinations = Object.fromEntries(['research-archive', 'teleradiology'].map((name) => [name, { host: '127.0.0.1', port: 9, aeTitle: 'NOBODY' }]));
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('third-party results through ingest', { skip }, () => {
  let hub: TestHub;
  let dir: string;
  before(async () => {
    dir = tempDir('radbridge-import-');
    hub = await startTestHub({
      routing: { rulesFile: path.resolve('docs/rules-example.yaml') },
      destinations,
      jobs: { concurrency: 0 },
      completion: { quietPeriodMs: 200, sweepIntervalMs: 60_000 },
    });
  });
  after(async () => {
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('routes an SR received by C-STORE to the third-party reader, which reads the stored SR into findings', async () => {
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
    const completions = (await listJobs(hub.app.database.db, 'series.complete')).map((j) => j.payload as JobPayloads['series.complete']);
    const srCompletion = completions.find((c) => c.seriesUid === srSeriesUid);
    assert.ok(srCompletion, 'the SR series completed');
    const routed = await routeCompletedSeries(hub.app.route, srCompletion);
    assert.ok(routed.routed);
    assert.deepEqual(routed.jobs.map((j) => [j.kind, (j.payload as JobPayloads['analysis.run']).analyzerId, (j.payload as JobPayloads['analysis.run']).ruleId]), [['analysis.run', 'third-party-results', 'third-party-ai-results']]);
    const ctCompletion = completions.find((c) => c.seriesUid === ct.seriesUid);
    assert.ok(ctCompletion);
    const ctRouted = await routeCompletedSeries(hub.app.route, ctCompletion);
    assert.ok(ctRouted.routed);
    assert.deepEqual(ctRouted.jobs.filter((j) => (j.payload as JobPayloads['analysis.run']).analyzerId === 'third-party-results'), [], 'an image series is not routed to the reader');

    const stored = async (seriesUid: string, modality: string) => {
      const headers = await findSeriesHeaders(hub.app.database.db, seriesUid);
      assert.ok(headers);
      return { seriesUid, modality, files: headers.files.map((f) => hub.app.objects.absolute(f.filePath)), sopInstanceUids: [] as string[] };
    };
    const analyzer = createAnalyzer();
    const srInput = analysisInputOf(ct.studyUid, [await stored(srSeriesUid, 'SR')]);
    assert.deepEqual(analyzer.applicability?.(srInput), { applicable: true, reasons: [`series ${srSeriesUid} is SR, a result another product sent`] });
    const ctOnly = analysisInputOf(ct.studyUid, [await stored(ct.seriesUid, 'CT')]);
    assert.equal(analyzer.applicability?.(ctOnly).applicable, false);
    assert.match(analyzer.applicability?.(ctOnly).reasons[0] ?? '', /is CT: it holds images, not results/);

    const { findings } = await analyzer.analyze(srInput, AbortSignal.timeout(30_000));
    assert.deepEqual(findings.map((f) => [f.type.scheme, f.type.value, f.site?.value, f.laterality, f.measurements.map((m) => `${m.value} ${m.unit.value}`)]), [
      ['SCT', '72704001', '71341001', 'left', ['23.5 mm']],
      ['SCT', '50960005', '12738006', 'right', ['12.5 mL']],
    ]);
    assert.deepEqual(findings[0]?.source, { id: DEVICE.model, version: DEVICE.version, manufacturer: DEVICE.manufacturer, inputHash: srInput.inputHash });
    assert.deepEqual(findings[0]?.location?.images, [{ seriesUid: ct.seriesUid, sopInstanceUid: ct.sopInstanceUids[0] }]);

    const withImages = analysisInputOf(ct.studyUid, [await stored(srSeriesUid, 'SR'), await stored(ct.seriesUid, 'CT')]);
    const placed = await analyzer.analyze(withImages, AbortSignal.timeout(30_000));
    assert.ok(placed.findings[0]?.location?.box, 'with the CT series given beside it, the image region is placed in patient space');
  });
});
