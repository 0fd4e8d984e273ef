import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAnalyzer } from '../src/analyze/import/dicomweb-ai-node.js';
import { PermanentJobError } from '../src/jobs/job-engine.js';
import { analysisInputOf } from './support/analysis-input.js';
import { freePort, missingTools } from './support/interop.js';
import { DEVICE } from './support/measurement-report.js';
import { startOrthanc, type RunningOrthanc } from './support/orthanc.js';
import { writeCtSeries, type WrittenSeries } from './support/synthetic-ct.js';
import { startTestAiApp, type TestAiApp } from './support/test-ai-app.js';
import { tempDir } from './support/test-hub.js';

const skip = missingTools('Orthanc', 'xml2dsr');

describe('DICOMweb AI node', { skip }, () => {
  let dir: string;
  let orthanc: RunningOrthanc;
  let app: TestAiApp;
  let ct: WrittenSeries;
  before(async () => {
    dir = tempDir('radbridge-ai-node-');
    orthanc = await startOrthanc();
    app = startTestAiApp(orthanc, dir);
    ct = writeCtSeries({ dir: path.join(dir, 'ct'), count: 3, seed: 'ai-node' });
  });
  after(async () => {
    await app.stop();
    await orthanc.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const input = () => analysisInputOf(ct.studyUid, [{ seriesUid: ct.seriesUid, modality: 'CT', files: ct.files, sopInstanceUids: ct.sopInstanceUids }]);

  it('sends the series by STOW-RS, polls for the SR the node stores and maps it to findings', async () => {
    const node = createAnalyzer({ id: 'orthanc-ai', baseUrl: orthanc.dicomwebUrl, pollIntervalMs: 200, resultTimeoutMs: 30_000 });
    const given = input();
    const { findings } = await node.analyze(given, AbortSignal.timeout(60_000));
    assert.deepEqual(app.answered, [ct.studyUid], 'the node saw the study arrive');
    assert.deepEqual(findings.map((f) => [f.type.value, f.laterality, f.presence]), [['72704001', 'left', 'present'], ['50960005', 'right', 'present']]);
    const [fracture] = findings;
    assert.deepEqual(fracture?.source, { id: DEVICE.model, version: DEVICE.version, manufacturer: DEVICE.manufacturer, inputHash: given.inputHash });
    assert.deepEqual(fracture?.location?.images, [{ seriesUid: ct.seriesUid, sopInstanceUid: ct.sopInstanceUids[0] }]);
    const box = fracture?.location?.box;
    assert.ok(box, 'the SCOORD on the sent CT image is placed in patient space from that image');
    // First CT slice: origin 0,0,0, 0.7 mm pixels; the region runs from column 10 / row 20 to column 30 / row 40.
    assert.deepEqual(box.map((p) => p.map((v) => Math.round(v * 1000) / 1000)), [[6.65, 13.65, 0], [20.65, 27.65, 0]]);
  });

  it('gives up on a node that is down with a transient error naming the node', async () => {
    const port = await freePort();
    const node = createAnalyzer({ id: 'down-ai', name: 'Down AI', baseUrl: `http://127.0.0.1:${port}/dicom-web`, requestTimeoutMs: 5_000 });
    await assert.rejects(node.analyze(input(), AbortSignal.timeout(10_000)), (err: Error) => {
      assert.ok(!(err instanceof PermanentJobError), 'a node that is down may be up on the next attempt');
      assert.match(err.message, new RegExp(`DICOMweb AI node Down AI at http://127.0.0.1:${port}: sending 3 instance\\(s\\) \\(STOW-RS\\) failed: .*connection refused`));
      return true;
    });
  });

  it('fails permanently when the node answers 400', async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(400, 'Bad Request').end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const node = createAnalyzer({ id: 'picky-ai', baseUrl: `http://127.0.0.1:${port}/dicom-web` });
      await assert.rejects(node.analyze(input(), AbortSignal.timeout(10_000)), (err: Error) => {
        assert.ok(err instanceof PermanentJobError, 'a refusal will be refused again');
        assert.match(err.message, new RegExp(`DICOMweb AI node picky-ai at http://127.0.0.1:${port}: sending 3 instance\\(s\\) \\(STOW-RS\\) failed: .*HTTP 400`));
        return true;
      });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
