import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { encapsulatedFrames, nativeFrameRange, type ByteRange, type NativePixelData } from '../../dicom/pixel-frames.js';
import { transferSyntax, type TransferSyntax } from '../../dicom/transfer-syntaxes.js';
import { RadbridgeError, asRadbridgeError } from '../../domain/errors.js';
import { acceptsDicomJson, negotiateFrames, negotiateStoredDicom } from '../../dicomweb/accept.js';
import { DICOM_JSON } from '../../dicomweb/dicom-json.js';
import { instanceMetadata } from '../../dicomweb/instance-metadata.js';
import { multipartContentType, multipartRelated, newBoundary, type OutgoingPart } from '../../dicomweb/multipart-writer.js';
import type { Database } from '../../store/database.js';
import { readEncapsulatedItems, readStoredBytes, streamStoredFile } from '../../store/instance-files.js';
import type { ObjectStore } from '../../store/object-store.js';
import { findStoredInstances, type StoredInstance } from '../../store/stored-instances.js';
import { auditRead } from './dicomweb-audit.js';
import { sendError } from './send-error.js';

export interface WadoDeps {
  database: Database;
  objects: ObjectStore;
  now: () => number;
}

type WadoRequest = FastifyRequest<{ Params: { study: string; series?: string; instance?: string; frames?: string } }>;

interface Answer {
  contentType: string;
  body: Readable;
}

/**
 * WADO-RS (PS3.18 10.4): studies, series and instances as multipart/related; type="application/dicom"
 * streamed from the stored files, their metadata as application/dicom+json, and frames. Objects
 * go in their stored transfer syntax: anything else is 406 until transcoding exists.
 */
export function registerWadoRs(app: FastifyInstance, deps: WadoDeps): void {
  const instancePath = '/dicomweb/studies/:study/series/:series/instances/:instance';
  for (const path of ['/dicomweb/studies/:study', '/dicomweb/studies/:study/series/:series', instancePath]) {
    app.get(path, (req: WadoRequest, reply) => serve(deps, req, reply, (found) => retrieve(deps, req, found)));
    app.get(`${path}/metadata`, (req: WadoRequest, reply) => serve(deps, req, reply, (found) => metadata(deps, req, found)));
  }
  app.get(`${instancePath}/frames/:frames`, (req: WadoRequest, reply) => serve(deps, req, reply, (found) => frames(deps, req, found)));
}

/** Looks the instances up, answers, and audits the request whatever its outcome. */
async function serve(deps: WadoDeps, req: WadoRequest, reply: FastifyReply, answer: (found: StoredInstance[]) => Answer | Promise<Answer>) {
  const { study, series, instance } = req.params;
  try {
    const found = await findStoredInstances(deps.database.db, { studyUid: study, seriesUid: series, sopInstanceUid: instance });
    if (found.length === 0) {
      const what = instance ? `instance ${instance} in series ${series} of study ${study}` : series ? `series ${series} in study ${study}` : `study ${study}`;
      throw new RadbridgeError('NOT_FOUND', `no stored ${what}`);
    }
    const { contentType, body } = await answer(found);
    await auditRead(deps.database, req, { type: 'instances.retrieved', studyUid: study, instances: found.length }, deps.now());
    return await reply.code(200).type(contentType).send(body);
  } catch (err) {
    const error = asRadbridgeError(err);
    await auditRead(deps.database, req, { type: 'instances.retrieved', studyUid: study, instances: 0, error }, deps.now());
    return sendError(reply, error);
  }
}

function retrieve(deps: WadoDeps, req: WadoRequest, found: StoredInstance[]): Answer {
  negotiateStoredDicom(req.headers.accept, new Set(found.map((i) => i.transferSyntaxUid)));
  const boundary = newBoundary();
  const parts: OutgoingPart[] = found.map((i) => ({
    contentType: `application/dicom; transfer-syntax=${i.transferSyntaxUid}`,
    body: () => streamStoredFile(deps.objects, i.filePath),
  }));
  return { contentType: multipartContentType('application/dicom', boundary), body: Readable.from(multipartRelated(boundary, parts)) };
}

/** A JSON array written instance by instance; each reads only the bytes before its pixel data. */
function metadata(deps: WadoDeps, req: WadoRequest, found: StoredInstance[]): Answer {
  if (!acceptsDicomJson(req.headers.accept)) throw new RadbridgeError('NOT_ACCEPTABLE', 'metadata is only available as application/dicom+json');
  async function* json(): AsyncGenerator<Buffer> {
    for (const [n, i] of found.entries()) {
      const header = await readStoredBytes(deps.objects, i.filePath, { start: 0, length: i.pixelDataTagOffset ?? i.fileSize });
      yield Buffer.from(`${n === 0 ? '[' : ','}${JSON.stringify(instanceMetadata(header))}`);
    }
    yield Buffer.from(']');
  }
  return { contentType: DICOM_JSON, body: Readable.from(json()) };
}

async function frames(deps: WadoDeps, req: WadoRequest, found: StoredInstance[]): Promise<Answer> {
  const [instance] = found;
  const ts = instance && transferSyntax(instance.transferSyntaxUid);
  if (!instance || !ts) throw new RadbridgeError('PROCESSING_FAILURE', 'the stored instance has an unknown transfer syntax');
  const numbers = frameNumbers(req.params.frames ?? '', instance.numberOfFrames ?? 1);
  if (ts.deflated) throw new RadbridgeError('NOT_ACCEPTABLE', 'frames of a deflated object cannot be returned until transcoding exists');
  if (instance.pixelDataOffset === null) throw new RadbridgeError('NOT_FOUND', `instance ${instance.sopInstanceUid} has no pixel data`);
  const representation = negotiateFrames(req.headers.accept, ts);
  const ranges = await frameRanges(deps, instance, ts, numbers);
  const contentType = `${representation.mediaType}; transfer-syntax=${representation.transferSyntaxUid}`;
  const swapBytes = !ts.littleEndian && (instance.bitsAllocated === 16 || instance.bitsAllocated === 32) ? instance.bitsAllocated : undefined;
  const parts: OutgoingPart[] = ranges.map((frame) => ({
    contentType,
    body: swapBytes ? () => littleEndianFrame(deps, instance.filePath, frame, swapBytes) : () => concatenated(deps, instance.filePath, frame),
  }));
  const boundary = newBoundary();
  return { contentType: multipartContentType(representation.mediaType, boundary), body: Readable.from(multipartRelated(boundary, parts)) };
}

/** Frame numbers of a request such as 1,3,5: 400 when malformed, 404 when past the last frame. */
function frameNumbers(text: string, count: number): number[] {
  if (!/^\d{1,9}(,\d{1,9})*$/.test(text)) throw new RadbridgeError('BAD_REQUEST', `frame list "${text}" is not comma-separated frame numbers`);
  const numbers = text.split(',').map(Number);
  const bad = numbers.find((n) => n < 1 || n > count);
  if (bad === 0) throw new RadbridgeError('BAD_REQUEST', 'frame numbers start at 1');
  if (bad !== undefined) throw new RadbridgeError('NOT_FOUND', `frame ${bad} does not exist: the instance has ${count} frame${count === 1 ? '' : 's'}`);
  return numbers;
}

async function frameRanges(deps: WadoDeps, instance: StoredInstance, ts: TransferSyntax, numbers: number[]): Promise<ByteRange[][]> {
  const offset = instance.pixelDataOffset ?? 0;
  if (!ts.encapsulated) {
    const { rows, columns, bitsAllocated, pixelDataLength } = instance;
    if (rows === null || columns === null || bitsAllocated === null || pixelDataLength === null) {
      throw new RadbridgeError('PROCESSING_FAILURE', `instance ${instance.sopInstanceUid} lacks Rows, Columns or Bits Allocated`);
    }
    const pixels: NativePixelData = { offset, length: pixelDataLength, rows, columns, bitsAllocated, samplesPerPixel: instance.samplesPerPixel ?? 1 };
    return numbers.map((n) => [nativeFrameRange(pixels, n)]);
  }
  const items = await readEncapsulatedItems(deps.objects, instance.filePath, offset, instance.fileSize);
  const all = encapsulatedFrames(items, instance.numberOfFrames ?? 1);
  return numbers.map((n) => all[n - 1] ?? []);
}

async function* concatenated(deps: WadoDeps, filePath: string, ranges: ByteRange[]): AsyncGenerator<Uint8Array> {
  for (const range of ranges) {
    for await (const chunk of streamStoredFile(deps.objects, filePath, range)) yield chunk as Buffer;
  }
}

/** Native big-endian frames are turned little endian; a frame is small enough to hold. */
async function* littleEndianFrame(deps: WadoDeps, filePath: string, ranges: ByteRange[], bits: 16 | 32): AsyncGenerator<Uint8Array> {
  for (const range of ranges) {
    const bytes = await readStoredBytes(deps.objects, filePath, range);
    yield bits === 16 ? bytes.swap16() : bytes.swap32();
  }
}
