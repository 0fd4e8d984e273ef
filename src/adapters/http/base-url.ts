import type { FastifyRequest } from 'fastify';

/** The DICOMweb root as the caller reached it, for RetrieveURLs. */
export function dicomwebBase(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}/dicomweb`;
}
