import { createHash, randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, open as openCallback, openSync, renameSync, writeSync } from 'node:fs';
import { mkdir, open, rm, statfs } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';

/**
 * DICOM files on a local folder, named by the SHA-256 of their content: objects/ab/<hash>.dcm.
 * No path ever comes from a UID or any received text. A file is written to tmp/, fsync'ed,
 * renamed into place and its folder fsync'ed before anyone is told it is stored.
 */
export class ObjectStore {
  private readonly objectsDir: string;
  private readonly tmpDir: string;
  private freeCache: { at: number; bytes: number } | undefined;

  constructor(readonly root: string) {
    this.objectsDir = path.join(root, 'objects');
    this.tmpDir = path.join(root, 'tmp');
  }

  async init(): Promise<void> {
    await rm(this.tmpDir, { recursive: true, force: true });
    await mkdir(this.tmpDir, { recursive: true });
    for (let i = 0; i < 256; i++) await mkdir(path.join(this.objectsDir, i.toString(16).padStart(2, '0')), { recursive: true });
    await fsyncDir(this.objectsDir);
    await fsyncDir(this.root);
  }

  /** A new temp file, open for writing; the caller owns the descriptor. */
  async createTemp(): Promise<{ path: string; fd: number }> {
    const p = path.join(this.tmpDir, `${randomUUID()}.part`);
    return { path: p, fd: await openFd(p, 'wx') };
  }

  relativePathFor(hash: string): string {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`not a SHA-256 hex digest: ${hash}`);
    return path.join('objects', hash.slice(0, 2), `${hash}.dcm`);
  }

  absolute(relativePath: string): string {
    return path.join(this.root, relativePath);
  }

  /**
   * Moves a fully written and fsync'ed temp file to its content address, durably. A file already
   * there has the same content (same hash), so replacing it atomically changes nothing.
   * Synchronous on purpose: see docs/adr/0004-durable-store.md.
   */
  place(tempPath: string, hash: string): string {
    const rel = this.relativePathFor(hash);
    const target = this.absolute(rel);
    renameSync(tempPath, target);
    const dir = openSync(path.dirname(target), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    return rel;
  }

  /** Stores bytes the hub made itself (a result object) durably at their content address, and returns that path. */
  async putBytes(bytes: Uint8Array): Promise<string> {
    const temp = await this.createTemp();
    try {
      writeSync(temp.fd, bytes);
      fsyncSync(temp.fd);
    } finally {
      closeSync(temp.fd);
    }
    return this.place(temp.path, createHash('sha256').update(bytes).digest('hex'));
  }

  async discard(tempPath: string): Promise<void> {
    await rm(tempPath, { force: true });
  }

  /** Free bytes on the store's file system, read at most once a second. */
  async freeBytes(now: number): Promise<number> {
    if (this.freeCache && now - this.freeCache.at < 1000) return this.freeCache.bytes;
    const s = await statfs(this.root);
    const bytes = s.bavail * s.bsize;
    this.freeCache = { at: now, bytes };
    return bytes;
  }
}

const openFd = promisify(openCallback);

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
