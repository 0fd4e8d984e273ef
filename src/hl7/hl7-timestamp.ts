/** An HL7 v2 DTM of a time (ms since the epoch), to the second, in UTC: YYYYMMDDHHMMSS+0000. Pure. */
export function hl7Timestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace(/[-:T]/g, '')}+0000`;
}
