import { PermanentJobError } from '../jobs/job-engine.js';
import type { StoredAnalysisResult } from '../store/analysis-results.js';
import { findAnalyzerVersion } from '../store/analyzer-registry.js';
import type { Database } from '../store/database.js';
import type { ObjectStore } from '../store/object-store.js';
import type { ResultDocument } from './result-document.js';
import { sourceImagesOf } from './source-images.js';

/** The document a stored analysis result's objects are written from: its findings, the analyzer as registered, and the stored source images. */
export async function resultDocumentOf(database: Database, objects: ObjectStore, result: StoredAnalysisResult, revision: number): Promise<ResultDocument> {
  const version = await findAnalyzerVersion(database.db, result.analyzerId, result.analyzerVersion);
  if (!version) throw new PermanentJobError(`analyzer ${result.analyzerId}@${result.analyzerVersion} of result ${result.key} is not registered`);
  const { sources, patientStudy } = await sourceImagesOf(database.db, objects, result.seriesUids);
  return {
    resultKey: result.key,
    revision,
    analyzer: {
      id: version.analyzerId,
      version: version.version,
      name: version.description.name,
      manufacturer: version.description.manufacturer ?? 'unknown',
      ...(version.modelHash ? { modelHash: version.modelHash } : {}),
    },
    findings: result.findings,
    patientStudy,
    sources,
    createdAt: result.createdAt,
  };
}
