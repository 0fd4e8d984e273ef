import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, write, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { Writable } from 'node:stream';
import { createInflateRaw, type InflateRaw } from 'node:zlib';
import type { Config } from '../config/schema.js';
import { asRadbridgeError, RadbridgeError } from '../domain/errors.js';
import { DatasetScanner, type ScanResult } from '../dicom/dataset-scanner.js';
import { encodeFilePrefix, parseFilePrefix, type FileMeta } from '../dicom/part10.js';
import { transferSyntax } from '../dicom/transfer-syntaxes.js';
import type { ObjectStore } from '../store/object-store.js';

const WRITE_RUN_BYTES = 1024 * 1024;
const writeAsync = promisify(write);

export interface IntakeResult {
  tempPath: string;
  /** SHA-256 of the data set bytes as received (after the meta header). */
  hash: string;
  fileSize: number;
  datasetOffset: number;
  meta: FileMeta;
  scan: ScanResult;
  deflated: boolean;
}

export type IntakeSource =
  | { kind: 'dataset'; meta: FileMeta }
  | { kind: 'part10'; sourceAeTitle?: string };

/**
 * A writable that takes one DICOM object as it arrives and writes it to a temp file with a zeroed
 * preamble and a fresh meta header, hashing and checking its structure on the way. It never
 * fails the stream for bad content: the sender is allowed to finish, and the problem is reported
 * by result(), so that a DIMSE or HTTP peer gets a clear status instead of a broken connection.
 */
export class ObjectIntake extends Writable {
  private fd: number | undefined;
  private tempPath = '';
  private problem: RadbridgeError | undefined;
  private prefixBuffer: Buffer | undefined;
  private meta: FileMeta | undefined;
  private scanner: DatasetScanner | undefined;
  private inflater: InflateRaw | undefined;
  private inflated = 0;
  private readonly hash = createHash('sha256');
  private fileSize = 0;
  private datasetOffset = 0;
  private datasetBytes = 0;
  private scan: ScanResult | undefined;
  /** Set once the temp file is complete and fsync'ed: from then on it is the caller's to place or discard. */
  private complete = false;
  private pendingPrefix: Buffer | undefined;
  /** Chunks not yet written: received data is written in runs of about WRITE_RUN_BYTES. */
  private unwritten: Buffer[] = [];
  private unwrittenBytes = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly limits: Config['limits'],
    private readonly source: IntakeSource,
  ) {
    super({ highWaterMark: 1024 * 1024 });
    this.on('error', (err) => this.fail(err));
  }

  override _construct(callback: (error?: Error | null) => void): void {
    this.store.createTemp().then(
      ({ path, fd }) => {
        this.tempPath = path;
        this.fd = fd;
        if (this.source.kind === 'part10') this.prefixBuffer = Buffer.alloc(0);
        else {
          try {
            this.startDataset(this.source.meta);
          } catch (err) {
            this.fail(err);
          }
        }
        callback();
      },
      (err: Error) => callback(err),
    );
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.accept(chunk).then(
      () => callback(),
      (err: Error) => callback(err),
    );
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.finish().then(
      () => callback(),
      (err: Error) => callback(err),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.closeFile();
    const cleanup = async () => {
      if (!this.complete && this.tempPath) await this.store.discard(this.tempPath);
    };
    cleanup().then(
      () => callback(error),
      () => callback(error),
    );
  }

  /** Resolves once the stream has ended: the temp file is complete and fsync'ed, or the reason it is not. */
  async result(): Promise<IntakeResult> {
    if (!this.writableFinished) {
      await new Promise<void>((resolve) => {
        this.once('finish', resolve);
        this.once('close', () => {
          if (!this.writableFinished) this.fail(new RadbridgeError('DICOM_TRUNCATED', 'the connection closed before the object ended'));
          resolve();
        });
      });
    }
    if (this.problem) {
      await this.store.discard(this.tempPath);
      throw this.problem;
    }
    if (!this.meta || !this.scan) throw new RadbridgeError('DICOM_TRUNCATED', 'the object ended before its data set began');
    return {
      tempPath: this.tempPath,
      hash: this.hash.digest('hex'),
      fileSize: this.fileSize,
      datasetOffset: this.datasetOffset,
      meta: this.meta,
      scan: this.scan,
      deflated: this.inflater !== undefined,
    };
  }

  /** The SOP Class and Instance UIDs the command or meta header announced, once known. */
  announcedIds(): { sopClassUid?: string; sopInstanceUid?: string } {
    return this.meta ? { sopClassUid: this.meta.mediaStorageSopClassUid, sopInstanceUid: this.meta.mediaStorageSopInstanceUid } : {};
  }

  /** Marks the object as refused: its remaining bytes are read and dropped. */
  refuse(err: unknown): void {
    this.fail(err);
  }

  private fail(err: unknown): void {
    this.problem ??= asRadbridgeError(err);
    this.inflater?.destroy();
  }

  private startDataset(meta: FileMeta): void {
    const ts = transferSyntax(meta.transferSyntaxUid);
    if (!ts) throw new RadbridgeError('TRANSFER_SYNTAX_NOT_SUPPORTED', `transfer syntax ${meta.transferSyntaxUid} is not supported`);
    this.meta = meta;
    this.scanner = new DatasetScanner(ts.explicitVr, ts.littleEndian, this.limits);
    if (ts.deflated) {
      const inflater = createInflateRaw();
      inflater.on('data', (data: Buffer) => this.scanInflated(data));
      inflater.on('error', (err) => this.fail(new RadbridgeError('DICOM_MALFORMED', `deflated data set cannot be inflated: ${err.message}`)));
      this.inflater = inflater;
    }
    const prefix = encodeFilePrefix(meta);
    this.datasetOffset = prefix.length;
    this.pendingPrefix = prefix;
  }

  private beginFromPrefix(received: FileMeta): void {
    this.prefixBuffer = undefined;
    const sourceAeTitle = this.source.kind === 'part10' ? this.source.sourceAeTitle : undefined;
    this.startDataset({ ...received, ...(sourceAeTitle ? { sourceAeTitle } : {}) });
  }

  private scanInflated(data: Buffer): void {
    if (this.problem) return;
    this.inflated += data.length;
    if (this.inflated > this.limits.maxObjectBytes) {
      this.fail(new RadbridgeError('OBJECT_TOO_LARGE', `inflated data set exceeds ${this.limits.maxObjectBytes} bytes`));
      return;
    }
    try {
      this.scanner?.push(data);
    } catch (err) {
      this.fail(err);
    }
  }

  private async accept(chunk: Buffer): Promise<void> {
    if (this.problem) return;
    try {
      let data = chunk;
      if (this.prefixBuffer) {
        const buffered = Buffer.concat([this.prefixBuffer, chunk]);
        const parsed = parseFilePrefix(buffered, false);
        if (!parsed) {
          this.prefixBuffer = buffered;
          return;
        }
        this.beginFromPrefix(parsed.meta);
        data = buffered.subarray(parsed.length);
      }
      this.datasetBytes += data.length;
      if (this.datasetBytes > this.limits.maxObjectBytes) {
        throw new RadbridgeError('OBJECT_TOO_LARGE', `object exceeds the maximum of ${this.limits.maxObjectBytes} bytes`);
      }
      this.hash.update(data);
      if (this.inflater) this.inflater.write(data);
      else this.scanner?.push(data);
      if (this.pendingPrefix) {
        this.queueWrite(this.pendingPrefix);
        this.pendingPrefix = undefined;
      }
      this.queueWrite(data);
      if (this.unwrittenBytes >= WRITE_RUN_BYTES) await this.flushWrites();
    } catch (err) {
      this.fail(err);
    }
  }

  private queueWrite(data: Buffer): void {
    this.unwritten.push(data);
    this.unwrittenBytes += data.length;
  }

  private takeUnwritten(): Buffer {
    const data = Buffer.concat(this.unwritten, this.unwrittenBytes);
    this.unwritten = [];
    this.unwrittenBytes = 0;
    this.fileSize += data.length;
    return data;
  }

  /** While the object streams in, writes go through the thread pool and overlap with receiving. */
  private async flushWrites(): Promise<void> {
    if (this.fd === undefined || this.unwrittenBytes === 0) return;
    const fd = this.fd;
    const data = this.takeUnwritten();
    for (let offset = 0; offset < data.length; ) offset += (await writeAsync(fd, data, offset, data.length - offset)).bytesWritten;
  }

  /**
   * At the end of the object, the last write and the fsync are synchronous: the sender waits for
   * them anyway, and a thread-pool round trip per call cost more than the call (docs/adr/0004).
   */
  private flushAndSync(): void {
    if (this.fd === undefined) return;
    const data = this.takeUnwritten();
    for (let offset = 0; offset < data.length; ) offset += writeSync(this.fd, data, offset, data.length - offset);
    fsyncSync(this.fd);
  }

  private closeFile(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private async finish(): Promise<void> {
    try {
      if (this.prefixBuffer) {
        const parsed = parseFilePrefix(this.prefixBuffer, true);
        if (!parsed || parsed.length >= this.prefixBuffer.length) {
          throw new RadbridgeError('DICOM_TRUNCATED', 'the object has a meta header but no data set');
        }
        const rest = this.prefixBuffer.subarray(parsed.length);
        this.beginFromPrefix(parsed.meta);
        await this.accept(rest);
      }
      if (!this.problem && this.inflater) {
        const inflater = this.inflater;
        await new Promise<void>((resolve) => {
          inflater.once('end', resolve);
          inflater.once('error', () => resolve());
          inflater.once('close', resolve);
          inflater.end();
        });
      }
      if (!this.problem) {
        if (this.datasetBytes === 0) throw new RadbridgeError('DICOM_TRUNCATED', 'the object has no data set');
        this.scan = this.scanner?.end();
        this.flushAndSync();
        this.complete = true;
      }
    } catch (err) {
      this.fail(err);
    } finally {
      this.closeFile();
    }
  }
}
