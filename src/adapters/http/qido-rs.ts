import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RadbridgeError, asRadbridgeError } from '../../domain/errors.js';
import { acceptsDicomJson } from '../../dicomweb/accept.js';
import { DICOM_JSON, type JsonDataset } from '../../dicomweb/dicom-json.js';
import { parseQidoQuery, type QidoLevel, type QueryFilter, type QueryParameters } from '../../dicomweb/qido-params.js';
import { instanceDataset, seriesDataset, studyDataset, type ResponseShape } from '../../dicomweb/qido-response.js';
import type { Database } from '../../store/database.js';
import { searchInstances, searchSeries, searchStudies, type Page } from '../../store/study-queries.js';
import { dicomwebBase } from './base-url.js';
import { auditRead } from './dicomweb-audit.js';
import { sendError } from './send-error.js';

export interface QidoDeps {
  database: Database;
  now: () => number;
}

type SearchRequest = FastifyRequest<{ Params: { study?: string; series?: string }; Querystring: QueryParameters }>;

type Scope = SearchRequest['params'];

interface Found {
  datasets: JsonDataset[];
  more: boolean;
  /** The instances the matches stand for. */
  instances: number;
}

/**
 * QIDO-RS (PS3.18 10.6): searches for studies, series and instances, answering application/dicom+json.
 * No match is 200 with an empty array.
 */
export function registerQidoRs(app: FastifyInstance, deps: QidoDeps): void {
  const route = (level: QidoLevel) => (req: SearchRequest, reply: FastifyReply) => search(deps, level, req, reply);
  app.get('/dicomweb/studies', route('study'));
  app.get('/dicomweb/series', route('series'));
  app.get('/dicomweb/instances', route('instance'));
  app.get('/dicomweb/studies/:study/series', route('series'));
  app.get('/dicomweb/studies/:study/instances', route('instance'));
  app.get('/dicomweb/studies/:study/series/:series/instances', route('instance'));
}

async function search(deps: QidoDeps, level: QidoLevel, req: SearchRequest, reply: FastifyReply) {
  const { study, series } = req.params;
  try {
    if (!acceptsDicomJson(req.headers.accept)) throw new RadbridgeError('NOT_ACCEPTABLE', 'search results are only available as application/dicom+json');
    const query = parseQidoQuery(req.query, level);
    const filters = [...scopeFilters(study, series), ...query.filters];
    const found = await find(deps.database, level, filters, query, { include: query.include, base: dicomwebBase(req) }, req.params);
    const { datasets, instances } = found;
    await auditRead(deps.database, req, { type: 'instances.queried', studyUid: study, instances, detail: { level, matches: datasets.length } }, deps.now());
    if (found.more) reply.header('warning', '299 radbridge "There are additional results that can be requested"');
    return await reply.code(200).type(DICOM_JSON).send(datasets);
  } catch (err) {
    const error = asRadbridgeError(err);
    await auditRead(deps.database, req, { type: 'instances.queried', studyUid: study, instances: 0, error, detail: { level } }, deps.now());
    return sendError(reply, error);
  }
}

function scopeFilters(study: string | undefined, series: string | undefined): QueryFilter[] {
  const filters: QueryFilter[] = [];
  if (study !== undefined) filters.push({ key: 'StudyInstanceUID', caseInsensitive: false, matcher: { kind: 'single', value: study } });
  if (series !== undefined) filters.push({ key: 'SeriesInstanceUID', caseInsensitive: false, matcher: { kind: 'single', value: series } });
  return filters;
}

/** Fetches one row more than the limit, which tells whether more results exist. */
async function find(database: Database, level: QidoLevel, filters: QueryFilter[], query: Page, shape: ResponseShape, scope: Scope): Promise<Found> {
  const page = { limit: query.limit + 1, offset: query.offset };
  const trimmed = <T>(rows: T[]) => ({ rows: rows.slice(0, query.limit), more: rows.length > query.limit });
  if (level === 'study') {
    const { rows, more } = trimmed(await searchStudies(database.db, filters, page));
    return { more, datasets: rows.map((s) => studyDataset(s, shape)), instances: sum(rows.map((s) => s.numInstances)) };
  }
  if (level === 'series') {
    const { rows, more } = trimmed(await searchSeries(database.db, filters, page));
    return { more, datasets: rows.map((s) => seriesDataset(s, shape, scope.study === undefined)), instances: sum(rows.map((s) => s.numInstances)) };
  }
  const { rows, more } = trimmed(await searchInstances(database.db, filters, page));
  const within = { withStudy: scope.study === undefined, withSeries: scope.series === undefined };
  return { more, datasets: rows.map((i) => instanceDataset(i, shape, within)), instances: rows.length };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
