import type { AnalyzerIdentity, Finding } from '../../domain/finding.js';
import type { ImagePlanes } from './image-planes.js';

/** What a reader of third-party results is given besides the object. */
export interface ReadContext {
  /** The analysis input's hash, carried into every finding's source. */
  inputHash: string;
  /** The importing analyzer: the source of findings whose object names no device. */
  importer: { id: string; version: string } & Partial<AnalyzerIdentity>;
  /** Planes of the images the results may point at, for image coordinates in patient space. */
  planes: ImagePlanes;
}

export interface ReadResult {
  findings: Finding[];
  /** What was left unread and why; for an object that yields no finding, the reason. */
  notes: string[];
}
