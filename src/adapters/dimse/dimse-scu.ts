import { open } from 'node:fs/promises';
import dimse from 'dcmjs-dimse';
import { parseFilePrefix } from '../../dicom/part10.js';

const { Client } = dimse;
const { CStoreRequest } = dimse.requests;
const { Status } = dimse.constants;

export interface ScuTarget {
  host: string;
  port: number;
  callingAeTitle: string;
  calledAeTitle: string;
}

export interface SendResult {
  /** Files the peer stored, with or without a warning. */
  sent: number;
  /** `status`: the peer's C-STORE failure status; absent when the file was not sent or not answered. */
  failures: Array<{ file: string; reason: string; status?: number }>;
}

/** The reason of a file the association ended without answering. */
export const UNANSWERED = 'not sent: no accepted presentation context or the association closed early';

/** PS3.4 B.2.3: 0x0001 and 0xBxxx are warnings (coercion, elements discarded); the instance is stored. */
function isStored(status: number): boolean {
  return status === Status.Success || status === 0x0001 || (status & 0xf000) === 0xb000;
}

/** Why a file cannot be sent, or undefined when it starts like a DICOM Part 10 file. */
async function notPart10(file: string): Promise<string | undefined> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    parseFilePrefix(head.subarray(0, bytesRead), bytesRead < head.length);
    return undefined;
  } catch (err) {
    return `not sent: ${(err as Error).message}`;
  } finally {
    await handle.close();
  }
}

/** C-STORE SCU: sends files over one association, each in the transfer syntax it is stored in. */
export async function sendFiles(target: ScuTarget, paths: string[]): Promise<SendResult> {
  const result: SendResult = { sent: 0, failures: [] };
  const files: string[] = [];
  for (const file of paths) {
    const problem = await notPart10(file);
    if (problem) result.failures.push({ file, reason: problem });
    else files.push(file);
  }
  if (files.length === 0) return result;
  return new Promise((resolve, reject) => {
    const client = new Client();
    let answered = 0;
    for (const file of files) {
      const request = new CStoreRequest(file);
      request.on('response', (response: InstanceType<typeof dimse.responses.CStoreResponse>) => {
        answered++;
        const status = response.getStatus();
        if (isStored(status)) result.sent++;
        else result.failures.push({ file, status, reason: `status 0x${status.toString(16).padStart(4, '0')} ${response.getErrorComment() ?? ''}`.trim() });
      });
      client.addRequest(request);
    }
    client.on('associationRejected', (r: { result: number; source: number; reason: number }) =>
      reject(new Error(`association rejected by ${target.calledAeTitle} (result ${r.result}, source ${r.source}, reason ${r.reason})`)),
    );
    client.on('networkError', (err: Error) => reject(new Error(`network error talking to ${target.host}:${target.port}: ${err.message}`)));
    client.on('closed', () => {
      for (const file of files.slice(answered)) {
        result.failures.push({ file, reason: UNANSWERED });
      }
      resolve(result);
    });
    client.send(target.host, target.port, target.callingAeTitle, target.calledAeTitle);
  });
}
