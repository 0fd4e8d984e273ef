export interface TransferSyntax {
  uid: string;
  name: string;
  explicitVr: boolean;
  littleEndian: boolean;
  deflated: boolean;
  encapsulated: boolean;
  /** Media type of a frame in this syntax for WADO-RS, when it is encapsulated. */
  frameMediaType?: string;
}

const list: TransferSyntax[] = [
  { uid: '1.2.840.10008.1.2', name: 'Implicit VR Little Endian', explicitVr: false, littleEndian: true, deflated: false, encapsulated: false },
  { uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian', explicitVr: true, littleEndian: true, deflated: false, encapsulated: false },
  { uid: '1.2.840.10008.1.2.1.99', name: 'Deflated Explicit VR Little Endian', explicitVr: true, littleEndian: true, deflated: true, encapsulated: false },
  { uid: '1.2.840.10008.1.2.2', name: 'Explicit VR Big Endian', explicitVr: true, littleEndian: false, deflated: false, encapsulated: false },
  { uid: '1.2.840.10008.1.2.4.50', name: 'JPEG Baseline (Process 1)', explicitVr: true, littleEndian: true, deflated: false, encapsulated: true, frameMediaType: 'image/jpeg' },
  { uid: '1.2.840.10008.1.2.4.51', name: 'JPEG Extended (Process 2 & 4)', explicitVr: true, littleEndian: true, deflated: false, encapsulated: true, frameMediaType: 'image/jpeg' },
  { uid: '1.2.840.10008.1.2.4.57', name: 'JPEG Lossless (Process 14)', explicitVr: true, littleEndian: true, deflated: false, encapsulated: true, frameMediaType: 'image/jpeg' },
  { uid: '1.2.840.10008.1.2.4.70', name: 'JPEG Lossless SV1', explicitVr: true, littleEndian: true, deflated: false, encapsulated: true, frameMediaType: 'image/jpeg' },
  { uid: '1.2.840.10008.1.2.4.80', name: 'JPEG-LS Lossless', explicitVr: true, littleEndian: true, deflated: false, encapsulated: true, frameMediaType: 'image/jls' },
  { uid: '1.2.840.10008.1.2.4.81', name: 'JPEG-LS Near-Lossless', explicitVr: true, littleEndian: true, deflated: false, encapsulated: true, frameMediaType: 'image/jls' },
  { uid: '1.2.840.10008.1.2.4.90', name: 'JPEG 2000 Lossless', explicitVr: true, littleEndian: true, deflated: false, encapsulated: true, frameMediaType: 'image/jp2' },
  { uid: '1.2.840.10008.1.2.4.91', name: 'JPEG 2000', explicitVr: true, littleEndian: true, deflated: false, encapsulated: true, frameMediaType: 'image/jp2' },
  { uid: '1.2.840.10008.1.2.5', name: 'RLE Lossless', explicitVr: true, littleEndian: true, deflated: false, encapsulated: true, frameMediaType: 'image/dicom-rle' },
];

const byUid = new Map(list.map((ts) => [ts.uid, ts]));

export const supportedTransferSyntaxUids: readonly string[] = list.map((ts) => ts.uid);

export function transferSyntax(uid: string): TransferSyntax | undefined {
  return byUid.get(uid);
}

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
