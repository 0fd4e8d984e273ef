import onnxProto, { type onnx as Onnx } from 'onnx-proto';

/**
 * A tiny FAST free-fluid "model" with a known output: per frame of x [n, 1, h, w] (grey levels as
 * stored), the fraction of pixels that are anechoic but inside the image sector, 0 < x < `below`.
 * A free-fluid stripe is such a dark band, so the score rises on the frames that show one.
 */

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const { INT, INTS, TENSOR } = onnx.AttributeProto.AttributeType;

const scalar = (output: string, value: number): Onnx.INodeProto => ({ opType: 'Constant', output: [output], attribute: [{ name: 'value', type: TENSOR, t: { dims: [], dataType: FLOAT, floatData: [value] } }] });
const tensor = (name: string, dims: Array<number | string>): Onnx.IValueInfoProto => ({
  name,
  type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
});

export function anechoicFractionModel(below: number): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    producerName: 'radbridge-tests',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'anechoic-fraction',
      input: [tensor('x', ['n', 1, 'h', 'w'])],
      output: [tensor('fluid', ['n', 1])],
      node: [
        scalar('low', below),
        scalar('zero', 0),
        { opType: 'Less', input: ['x', 'low'], output: ['dark'] },
        { opType: 'Greater', input: ['x', 'zero'], output: ['inside'] },
        { opType: 'And', input: ['dark', 'inside'], output: ['anechoic'] },
        { opType: 'Cast', input: ['anechoic'], output: ['a'], attribute: [{ name: 'to', type: INT, i: FLOAT }] },
        { opType: 'ReduceMean', input: ['a'], output: ['m'], attribute: [{ name: 'axes', type: INTS, ints: [1, 2, 3] }, { name: 'keepdims', type: INT, i: 1 }] },
        { opType: 'Flatten', input: ['m'], output: ['fluid'], attribute: [{ name: 'axis', type: INT, i: 1 }] },
      ],
    },
  }).finish();
}

/** The same score computed in plain TypeScript over the stored frames, to check the model's findings against. */
export function anechoicFractions(pixels: Uint8Array, plane: number, frames: number, below: number): number[] {
  return Array.from({ length: frames }, (_v, f) => {
    let n = 0;
    for (let p = f * plane; p < (f + 1) * plane; p++) if ((pixels[p] ?? 0) > 0 && (pixels[p] ?? 0) < below) n++;
    return n / plane;
  });
}
