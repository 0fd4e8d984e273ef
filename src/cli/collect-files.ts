import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Expands folders (recursively) into the files they hold, in a stable order. */
export async function collectDicomFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    const s = await stat(p);
    if (s.isDirectory()) {
      const entries = await readdir(p, { withFileTypes: true });
      const children = entries.filter((e) => !e.name.startsWith('.')).map((e) => path.join(p, e.name)).sort();
      files.push(...(await collectDicomFiles(children)));
    } else if (s.isFile()) {
      files.push(p);
    }
  }
  return files;
}
