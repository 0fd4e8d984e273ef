import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import codecs from 'dcmjs-codecs';
import { encodeFilePrefix, parseFilePrefix } from '../src/dicom/part10.js';
import { decodeInstance } from '../src/imaging/decode-instance.js';
import { loadCodecs } from '../src/imaging/compressed-frame.js';
import { missingTools, run } from './support/interop.js';
import { writeCtSeries } from './support/synthetic-ct.js';
import { tempDir } from './support/test-hub.js';

const { Context, NativeCodecs } = codecs;
const dir = tempDir();
const size = 48;

/** Writes one synthetic image with the given pixel module and returns its path. */
function image(name: string, pixelModule: Record<string, unknown>): string {
  const [file] = writeCtSeries({ dir: path.join(dir, name), count: 1, seed: name, rows: size, columns: size, extra: pixelModule }).files;
  return file as string;
}

const ramp16 = (signed: boolean, frames = 1) =>
  Array.from({ length: size * size * frames }, (_v, i) => (signed ? ((i * 37) % 4096) - 2048 : (i * 37) % 4096));
const ct16 = (signed: boolean, frames = 1) => ({
  PixelRepresentation: signed ? 1 : 0,
  NumberOfFrames: String(frames),
  PixelData: [(signed ? Int16Array : Uint16Array).from(ramp16(signed, frames)).buffer],
});
const rgbValues = Array.from({ length: size * size * 3 }, (_v, i) => (i % 3 === 0 ? (i / 3) % 256 : i % 3 === 1 ? 255 - ((i * 7) % 256) : (i * 13) % 256));
const rgb = (planar: 0 | 1) => ({
  SamplesPerPixel: 3,
  PhotometricInterpretation: 'RGB',
  PlanarConfiguration: planar,
  BitsAllocated: 8,
  BitsStored: 8,
  HighBit: 7,
  PixelData: [
    Uint8Array.from(planar === 0 ? rgbValues : [0, 1, 2].flatMap((s) => rgbValues.filter((_v, i) => i % 3 === s))).buffer,
  ],
});

async function dcmtk(tool: string, args: string[], input: string, name: string): Promise<string> {
  const out = path.join(path.dirname(input), `${name}.dcm`);
  const r = await run(tool, [...args, input, out]);
  assert.equal(r.code, 0, `${tool} ${args.join(' ')}: ${r.stderr}`);
  return out;
}

async function samplesOf(file: string): Promise<number[][]> {
  const decoded = await decodeInstance(readFileSync(file));
  return decoded.frames.map((f) => Array.from(f.samples));
}

describe('pixel decoding', { skip: missingTools('dcmconv', 'dcmcjpeg', 'dcmdjpeg', 'dcmcjpls', 'dcmdjpls', 'dcmcrle', 'dcmdrle') }, () => {
  before(async () => {
    await loadCodecs();
  });

  for (const signed of [false, true]) {
    const kind = signed ? 'signed' : 'unsigned';
    it(`16-bit ${kind} CT (12 bits stored) in every uncompressed byte order and in deflate`, async () => {
      const source = image(`ct-${kind}`, ct16(signed));
      const expected = ramp16(signed);
      assert.deepEqual((await samplesOf(source))[0], expected);
      for (const [option, name] of [['+ti', 'implicit'], ['+tb', 'big'], ['+td', 'deflated']] as const) {
        assert.deepEqual((await samplesOf(await dcmtk('dcmconv', [option], source, name)))[0], expected, name);
      }
    });

    for (const [name, tool, args, back] of [
      ['JPEG Lossless process 14', 'dcmcjpeg', ['+el'], 'dcmdjpeg'],
      ['JPEG Lossless SV1', 'dcmcjpeg', ['+e1'], 'dcmdjpeg'],
      ['JPEG-LS lossless', 'dcmcjpls', ['+el'], 'dcmdjpls'],
      ['RLE', 'dcmcrle', [], 'dcmdrle'],
    ] as const) {
      it(`${name}, 16-bit ${kind}: identical to the original and to DCMTK's decode`, async () => {
        const source = image(`lossless-${kind}-${tool}-${args.join('')}`, ct16(signed));
        const compressed = await dcmtk(tool, [...args], source, 'compressed');
        const ours = await samplesOf(compressed);
        assert.deepEqual(ours[0], ramp16(signed));
        assert.deepEqual(ours, await samplesOf(await dcmtk(back, [], compressed, 'dcmtk-decoded')));
      });
    }
  }

  for (const planar of [0, 1] as const) {
    it(`RGB with planar configuration ${planar}: native, RLE and JPEG-LS give the same interleaved samples`, async () => {
      const source = image(`rgb-${planar}`, rgb(planar));
      assert.deepEqual((await samplesOf(source))[0], rgbValues);
      assert.deepEqual((await samplesOf(await dcmtk('dcmcrle', [], source, 'rle')))[0], rgbValues);
      assert.deepEqual((await samplesOf(await dcmtk('dcmcjpls', ['+el'], source, 'jls')))[0], rgbValues);
    });
  }

  it('lossy JPEG baseline and JPEG-LS near-lossless stay within their tolerance of DCMTK', async () => {
    const source = image('rgb-lossy', rgb(0));
    for (const [tool, args, back] of [['dcmcjpeg', ['+eb'], 'dcmdjpeg'], ['dcmcjpls', ['+en'], 'dcmdjpls']] as const) {
      const compressed = await dcmtk(tool, [...args], source, `lossy-${tool}`);
      const [ours] = await samplesOf(compressed);
      const [theirs] = await samplesOf(await dcmtk(back, [], compressed, `lossy-${tool}-decoded`));
      assert.ok(ours && theirs);
      const worst = Math.max(...ours.map((v, i) => Math.abs(v - (theirs[i] ?? 0))));
      assert.ok(worst <= 2, `${tool}: largest difference from DCMTK ${worst}`);
    }
  });

  for (const photometric of ['YBR_FULL', 'YBR_FULL_422'] as const) {
    it(`native ${photometric} is turned into the same RGB as DCMTK's dcm2pnm`, async () => {
      // The RGB ramp's bytes read as Y Cb Cr; for 4:2:2 each pixel pair keeps both Y and the first pixel's Cb Cr.
      const pairs = Array.from({ length: (size * size) / 2 }, (_v, k) => [0, 3, 1, 2].map((o) => rgbValues[k * 6 + o] ?? 0));
      const stored = photometric === 'YBR_FULL' ? rgbValues : pairs.flat();
      const source = image(`ybr-${photometric}`, { ...rgb(0), PhotometricInterpretation: photometric, PixelData: [Uint8Array.from(stored).buffer] });
      const [ours] = await samplesOf(source);
      const ppm = path.join(dir, `${photometric}.ppm`);
      const r = await run('dcm2pnm', ['--write-raw-pnm', source, ppm]);
      assert.equal(r.code, 0, r.stderr);
      const raw = readFileSync(ppm);
      const theirs = raw.subarray(raw.length - size * size * 3);
      assert.ok(ours);
      assert.equal(ours.length, theirs.length);
      const worst = Math.max(...ours.map((v, i) => Math.abs(v - (theirs[i] ?? 0))));
      // DCMTK converts with fixed-point arithmetic: rounding differs by a level or two.
      assert.ok(worst <= 2, `largest difference from DCMTK ${worst}`);
    });
  }

  it('MONOCHROME1 keeps its values and says so', async () => {
    const values = Array.from({ length: size * size }, (_v, i) => i % 256);
    const source = image('mono1', { PhotometricInterpretation: 'MONOCHROME1', BitsAllocated: 8, BitsStored: 8, HighBit: 7, PixelData: [Uint8Array.from(values).buffer] });
    const decoded = await decodeInstance(readFileSync(source));
    assert.equal(decoded.frames[0]?.photometricInterpretation, 'MONOCHROME1');
    assert.deepEqual(Array.from(decoded.frames[0]?.samples ?? []), values);
  });

  it('multi-frame native and JPEG Lossless with several fragments per frame and no offset table', async () => {
    const source = image('multiframe', ct16(false, 3));
    const expected = ramp16(false, 3);
    const frames = [0, 1, 2].map((f) => expected.slice(f * size * size, (f + 1) * size * size));
    assert.deepEqual(await samplesOf(source), frames);
    const compressed = await dcmtk('dcmcjpeg', ['+e1', '+fs', '1', '-ot'], source, 'fragments');
    assert.deepEqual(await samplesOf(compressed), frames);
  });

  it('JPEG 2000 lossless round trip (DCMTK here has no JPEG 2000 encoder)', async () => {
    const source = image('j2k', ct16(true));
    const bytes = readFileSync(source);
    const prefix = parseFilePrefix(bytes, true);
    assert.ok(prefix);
    const context = NativeCodecs.encodeJpeg2000(
      new Context({ width: size, height: size, bitsAllocated: 16, bitsStored: 12, samplesPerPixel: 1, pixelRepresentation: 1, planarConfiguration: 0, photometricInterpretation: 'MONOCHROME2', decodedBuffer: new Uint8Array(Int16Array.from(ramp16(true)).buffer) }),
    );
    const encoded = Buffer.from(context.getEncodedBuffer() ?? []);
    const item = (value: Buffer) => Buffer.concat([Buffer.from([0xfe, 0xff, 0x00, 0xe0]), Buffer.from(Uint32Array.of(value.length).buffer), value]);
    const dataset = bytes.subarray(prefix.length);
    const pixelTag = dataset.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
    const padded = encoded.length % 2 ? Buffer.concat([encoded, Buffer.alloc(1)]) : encoded;
    const encapsulated = Buffer.concat([
      encodeFilePrefix({ ...prefix.meta, transferSyntaxUid: '1.2.840.10008.1.2.4.90' }),
      dataset.subarray(0, pixelTag),
      Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]),
      item(Buffer.alloc(0)),
      item(padded),
      Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]),
    ]);
    const file = path.join(dir, 'j2k.dcm');
    writeFileSync(file, encapsulated);
    assert.deepEqual((await samplesOf(file))[0], ramp16(true));
  });

  it('refuses native pixel data shorter than its description', async () => {
    const source = image('short', { PixelData: [new Uint16Array(size * size - 10).buffer] });
    await assert.rejects(decodeInstance(readFileSync(source)), /pixel data holds 4588 bytes; 1 frame\(s\) of 48x48x1 at 16 bits need 4608/);
  });

  it('refuses a compressed frame that decodes to the wrong size', async () => {
    const source = image('lying', ct16(false));
    const compressed = await dcmtk('dcmcjpls', ['+el'], source, 'jls');
    const bytes = readFileSync(compressed);
    const rowsTag = bytes.indexOf(Buffer.from([0x28, 0x00, 0x10, 0x00, 0x55, 0x53, 0x02, 0x00]));
    bytes.writeUInt16LE(40, rowsTag + 8);
    await assert.rejects(decodeInstance(bytes), /decompressed frame holds|cannot be decompressed/);
  });
});
