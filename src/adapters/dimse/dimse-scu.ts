import dimse from 'dcmjs-dimse';

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
  sent: number;
  failures: Array<{ file: string; reason: string }>;
}

/** C-STORE SCU: sends files over one association, each in the transfer syntax it is stored in. */
export function sendFiles(target: ScuTarget, files: string[]): Promise<SendResult> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    const result: SendResult = { sent: 0, failures: [] };
    let answered = 0;
    for (const file of files) {
      const request = new CStoreRequest(file);
      request.on('response', (response: InstanceType<typeof dimse.responses.CStoreResponse>) => {
        answered++;
        const status = response.getStatus();
        if (status === Status.Success) result.sent++;
        else result.failures.push({ file, reason: `status 0x${status.toString(16).padStart(4, '0')} ${response.getErrorComment() ?? ''}`.trim() });
      });
      client.addRequest(request);
    }
    client.on('associationRejected', (r: { result: number; source: number; reason: number }) =>
      reject(new Error(`association rejected by ${target.calledAeTitle} (result ${r.result}, source ${r.source}, reason ${r.reason})`)),
    );
    client.on('networkError', (err: Error) => reject(new Error(`network error talking to ${target.host}:${target.port}: ${err.message}`)));
    client.on('closed', () => {
      for (const file of files.slice(answered)) {
        result.failures.push({ file, reason: 'not sent: no accepted presentation context or the association closed early' });
      }
      resolve(result);
    });
    client.send(target.host, target.port, target.callingAeTitle, target.calledAeTitle);
  });
}
