/**
 * Reading Llip's outputs for the views: the caption-conditioned weights over the K mixture
 * tokens (the head's `mixture_weights`), and where each mixture token looks in the image
 * (the vision encoder's own attention, from the mixture-token rows to the patch columns).
 */

/** `[N, T, H, K]` mixture weights, row-major, as the head outputs them. */
export interface MixtureWeights {
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/**
 * One image's weights: `perHead[t][h]` is caption t's softmax over the K tokens in head h,
 * `mean[t]` their average over heads (still summing to 1).
 */
export function weightsForImage(weights: MixtureWeights, image: number): { perHead: Float32Array[][]; mean: Float32Array[] } {
  const [n, t, h, k] = weights.dims;
  if (image < 0 || image >= n) throw new RangeError(`image ${image} is not in 0..${n - 1}`);
  const perHead: Float32Array[][] = [];
  const mean: Float32Array[] = [];
  for (let c = 0; c < t; c++) {
    const heads: Float32Array[] = [];
    const average = new Float32Array(k);
    for (let head = 0; head < h; head++) {
      const at = ((image * t + c) * h + head) * k;
      const row = weights.data.slice(at, at + k);
      heads.push(row);
      for (let j = 0; j < k; j++) average[j] += row[j] / h;
    }
    perHead.push(heads);
    mean.push(average);
  }
  return { perHead, mean };
}

/**
 * Where each mixture token looks: one image's self-attention `[layers, heads, K+P, K+P]`
 * (mixture tokens first, then the P patches row-major), the rows of the K mixture tokens
 * restricted to the patch columns, averaged over heads (and over layers for `'mean'`), and
 * renormalised to sum to 1 over the patches (the rest of a row went to other mixture tokens).
 * Returns `[K, P]` and, per token, the share of its attention that went to patches.
 */
export function mixtureMaps(
  attentions: Float32Array,
  shape: { readonly layers: number; readonly heads: number; readonly tokens: number; readonly mixture: number },
  layer: number | 'mean',
): { maps: Float32Array; patchShare: Float32Array } {
  const { layers, heads, tokens, mixture } = shape;
  const patches = tokens - mixture;
  if (attentions.length !== layers * heads * tokens * tokens) throw new RangeError(`expected ${layers}×${heads}×${tokens}×${tokens} attention values, got ${attentions.length}`);
  if (layer !== 'mean' && (layer < 0 || layer >= layers)) throw new RangeError(`layer ${layer} is not in 0..${layers - 1}`);
  const chosen = layer === 'mean' ? Array.from({ length: layers }, (_, l) => l) : [layer];
  const maps = new Float32Array(mixture * patches);
  const patchShare = new Float32Array(mixture);
  const weight = 1 / (chosen.length * heads);
  for (const l of chosen) {
    for (let h = 0; h < heads; h++) {
      for (let m = 0; m < mixture; m++) {
        const row = ((l * heads + h) * tokens + m) * tokens;
        for (let p = 0; p < patches; p++) maps[m * patches + p] += attentions[row + mixture + p] * weight;
      }
    }
  }
  for (let m = 0; m < mixture; m++) {
    const row = maps.subarray(m * patches, (m + 1) * patches);
    const sum = row.reduce((s, v) => s + v, 0);
    patchShare[m] = sum;
    if (sum > 0) for (let p = 0; p < patches; p++) row[p] /= sum;
  }
  return { maps, patchShare };
}
