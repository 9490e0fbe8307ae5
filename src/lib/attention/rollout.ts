/**
 * Attention rollout (Abnar & Zuidema, 2020): how much each input token reaches each output
 * position through all the layers, counting the residual path. Per layer, the heads' mean
 * attention A becomes 0.5·A + 0.5·I with rows renormalised; the rollout is the product of
 * those matrices from the first layer to the last.
 */
export function attentionRollout(data: ArrayLike<number>, dims: readonly number[]): Float64Array {
  const [layers, heads, tokens, keys] = dims;
  if (dims.length !== 4 || tokens !== keys || data.length !== layers * heads * tokens * tokens) {
    throw new RangeError(`rollout needs square attention [layers, heads, T, T], got [${dims.join(', ')}] with ${data.length} values`);
  }
  let rollout = identity(tokens);
  for (let l = 0; l < layers; l++) {
    const step = new Float64Array(tokens * tokens);
    for (let h = 0; h < heads; h++) {
      const at = (l * heads + h) * tokens * tokens;
      for (let i = 0; i < tokens * tokens; i++) step[i] += data[at + i] / heads;
    }
    for (let r = 0; r < tokens; r++) {
      let sum = 0;
      for (let c = 0; c < tokens; c++) {
        const v = 0.5 * step[r * tokens + c] + (r === c ? 0.5 : 0);
        step[r * tokens + c] = v;
        sum += v;
      }
      for (let c = 0; c < tokens; c++) step[r * tokens + c] /= sum;
    }
    rollout = multiply(step, rollout, tokens);
  }
  return rollout;
}

function identity(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

/** a · b for n × n row-major matrices. */
function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const v = a[i * n + k];
      if (v === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += v * b[k * n + j];
    }
  }
  return out;
}
