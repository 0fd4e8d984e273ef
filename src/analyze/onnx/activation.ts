/**
 * Output activations, pure, in place. A tensor [n, channels, spatial...] is `groups` blocks of
 * `channels` x `stride` values: softmax runs across the channels at each of the `stride` positions.
 */

export type Activation = 'none' | 'sigmoid' | 'softmax';

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export function activate(data: Float32Array, channels: number, stride: number, activation: Activation): void {
  if (activation === 'none') return;
  if (activation === 'sigmoid') {
    for (let p = 0; p < data.length; p++) data[p] = sigmoid(data[p] ?? 0);
    return;
  }
  const block = channels * stride;
  for (let base = 0; base < data.length; base += block) {
    for (let s = 0; s < stride; s++) {
      let max = -Infinity;
      for (let c = 0; c < channels; c++) max = Math.max(max, data[base + c * stride + s] ?? -Infinity);
      let total = 0;
      for (let c = 0; c < channels; c++) {
        const e = Math.exp((data[base + c * stride + s] ?? 0) - max);
        data[base + c * stride + s] = e;
        total += e;
      }
      for (let c = 0; c < channels; c++) data[base + c * stride + s] = (data[base + c * stride + s] ?? 0) / total;
    }
  }
}
