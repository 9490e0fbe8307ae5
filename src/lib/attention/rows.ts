/**
 * One query's attention row out of a `[layers, heads, queries, keys]` tensor: one layer and
 * head, or the mean over heads and/or layers (a mean of distributions is still one).
 */
export type Pick = number | 'mean';

export function attentionRow(
  data: ArrayLike<number>,
  dims: readonly number[],
  query: number,
  layer: Pick,
  head: Pick,
): Float32Array {
  const [layers, heads, queries, keys] = dims;
  if (dims.length !== 4 || data.length !== layers * heads * queries * keys) throw new RangeError(`attention of dims [${dims.join(', ')}] cannot hold ${data.length} values`);
  if (query < 0 || query >= queries) throw new RangeError(`query ${query} is not in 0..${queries - 1}`);
  const pick = (which: Pick, count: number, name: string) => {
    if (which === 'mean') return Array.from({ length: count }, (_, i) => i);
    if (which < 0 || which >= count) throw new RangeError(`${name} ${which} is not in 0..${count - 1}`);
    return [which];
  };
  const ls = pick(layer, layers, 'layer');
  const hs = pick(head, heads, 'head');
  const out = new Float32Array(keys);
  const weight = 1 / (ls.length * hs.length);
  for (const l of ls) {
    for (const h of hs) {
      const at = ((l * heads + h) * queries + query) * keys;
      for (let k = 0; k < keys; k++) out[k] += data[at + k] * weight;
    }
  }
  return out;
}

/**
 * A pick that fits a tensor of `count` layers or heads: a number out of range (a link made for
 * another model) becomes the mean, so a view never asks `attentionRow` for what is not there.
 * @example fitPick(7, 4) // 'mean'
 */
export function fitPick(which: Pick, count: number): Pick {
  return which === 'mean' || (which >= 0 && which < count) ? which : 'mean';
}
