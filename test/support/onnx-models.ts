import { writeFileSync } from 'node:fs';
import onnxProto, { type onnx as Onnx } from 'onnx-proto';

/**
 * Tiny ONNX models built from the ONNX protobuf schema, whose outputs are known functions of their
 * input, so tests can say exactly what a model must find. Inputs are float32; a shape of `undefined`
 * accepts any rank.
 */

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const { INT, INTS, TENSOR } = onnx.AttributeProto.AttributeType;

type Dim = number | string;

function valueInfo(name: string, dims?: Dim[]): Onnx.IValueInfoProto {
  const shape = dims ? { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } : null;
  return { name, type: { tensorType: { elemType: FLOAT, ...(shape ? { shape } : {}) } } };
}

const ints = (name: string, values: number[]): Onnx.IAttributeProto => ({ name, type: INTS, ints: values });
const int = (name: string, value: number): Onnx.IAttributeProto => ({ name, type: INT, i: value });

function constant(output: string, dims: number[], values: number[]): Onnx.INodeProto {
  return { opType: 'Constant', output: [output], attribute: [{ name: 'value', type: TENSOR, t: { dims, dataType: FLOAT, floatData: values } }] };
}

function model(nodes: Onnx.INodeProto[], input: Onnx.IValueInfoProto, outputs: Onnx.IValueInfoProto[]): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    producerName: 'radbridge-tests',
    opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'test', input: [input], output: outputs, node: nodes },
  }).finish();
}

/** y = float(x > threshold), same shape as x (any rank): a mask of the voxels above a value. */
export function thresholdModel(threshold: number, names = { input: 'x', output: 'mask' }): Uint8Array {
  return model(
    [constant('t', [], [threshold]), { opType: 'Greater', input: [names.input, 't'], output: ['above'] }, { opType: 'Cast', input: ['above'], output: [names.output], attribute: [int('to', FLOAT)] }],
    valueInfo(names.input),
    [valueInfo(names.output)],
  );
}

/** Two channels [x <= t, x > t] along axis 1, for argmax decoding (any rank >= 2). */
export function twoClassModel(threshold: number): Uint8Array {
  return model(
    [
      constant('t', [], [threshold]),
      { opType: 'Greater', input: ['x', 't'], output: ['above'] },
      { opType: 'Cast', input: ['above'], output: ['fg'], attribute: [int('to', FLOAT)] },
      constant('one', [], [1]),
      { opType: 'Sub', input: ['one', 'fg'], output: ['bg'] },
      { opType: 'Concat', input: ['bg', 'fg'], output: ['probs'], attribute: [int('axis', 1)] },
    ],
    valueInfo('x'),
    [valueInfo('probs')],
  );
}

/** score[n, 0] = Sigmoid(mean of x[n, ...]) for x of [n, c, h, w]: a classifier with a known score. */
export function meanSigmoidClassifier(): Uint8Array {
  return model(
    [
      { opType: 'ReduceMean', input: ['x'], output: ['score_logit'], attribute: [ints('axes', [1, 2, 3]), int('keepdims', 1)] },
      { opType: 'Flatten', input: ['score_logit'], output: ['m2'], attribute: [int('axis', 1)] },
      { opType: 'Sigmoid', input: ['m2'], output: ['score'] },
    ],
    valueInfo('x', ['n', 'c', 'h', 'w']),
    [valueInfo('score', ['n', 1])],
  );
}

/** Raw logits [mean, -mean] per input of [n, c, h, w], for softmax decoding. */
export function meanLogitsClassifier(scale: number): Uint8Array {
  return model(
    [
      constant('s', [], [scale]),
      { opType: 'ReduceMean', input: ['x'], output: ['m'], attribute: [ints('axes', [2, 3]), int('keepdims', 0)] },
      { opType: 'Mul', input: ['m', 's'], output: ['a'] },
      { opType: 'Neg', input: ['a'], output: ['b'] },
      { opType: 'Concat', input: ['a', 'b'], output: ['logits'], attribute: [int('axis', 1)] },
    ],
    valueInfo('x', ['n', 1, 'h', 'w']),
    [valueInfo('logits', ['n', 2])],
  );
}

/** Heatmaps [x, -x] along axis 1: channel 0 peaks at the densest voxel, channel 1 at the least dense. */
export function extremaHeatmapModel(): Uint8Array {
  return model([{ opType: 'Neg', input: ['x'], output: ['nx'] }, { opType: 'Concat', input: ['x', 'nx'], output: ['heat'], attribute: [int('axis', 1)] }], valueInfo('x'), [valueInfo('heat')]);
}

/** One box row [x0, y0, x1, y1, Sigmoid(mean x * gain), 0] per slice of [1, 1, h, w]. */
export function fixedBoxModel(box: [number, number, number, number], gain: number): Uint8Array {
  return model(
    [
      constant('corners', [1, 4], box),
      constant('g', [], [gain]),
      constant('cls', [1, 1], [0]),
      { opType: 'ReduceMean', input: ['x'], output: ['m'], attribute: [ints('axes', [2, 3]), int('keepdims', 0)] },
      { opType: 'Mul', input: ['m', 'g'], output: ['mg'] },
      { opType: 'Sigmoid', input: ['mg'], output: ['score'] },
      { opType: 'Concat', input: ['corners', 'score', 'cls'], output: ['boxes'], attribute: [int('axis', 1)] },
    ],
    valueInfo('x', [1, 1, 'h', 'w']),
    [valueInfo('boxes', [1, 6])],
  );
}

/** y = x * 1 on a one-value tensor: the least a runtime can be asked to do, for measuring its overhead. */
export function trivialModel(): Uint8Array {
  return model([constant('one', [1], [1]), { opType: 'Mul', input: ['x', 'one'], output: ['y'] }], valueInfo('x', [1]), [valueInfo('y', [1])]);
}

export function writeModel(file: string, bytes: Uint8Array): string {
  writeFileSync(file, bytes);
  return file;
}
