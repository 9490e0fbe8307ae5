import { describe, expect, it } from 'vitest';
import { cacheEntries, decodeStep, emptyCache, greedyCaptions, stackSteps, type CachedGraph, type GraphTensor, type InputMetadata } from '../../src/lib/generation/cached-decoder';

const tensor = (type: string, data: Float32Array | BigInt64Array, dims: number[]): GraphTensor => ({ type, data, dims });

const INPUTS: InputMetadata[] = [
  { name: 'input_ids', shape: ['batch_size', 'sequence_length'] },
  { name: 'attention_mask', shape: ['batch_size', 'total_sequence_length'] },
  { name: 'past_key_values.0.key', shape: ['batch_size', 2, 'past_sequence_length', 3] },
  { name: 'past_key_values.0.value', shape: ['batch_size', 2, 'past_sequence_length', 3] },
];

/**
 * A stand-in decoder of vocabulary 6 whose cache holds one number per token (the token id), so
 * the test sees what was fed: sequence b's next token is (sum of its ids read so far + 1 + b) mod 6.
 */
function fakeGraph(calls: { ids: number[][]; maskWidth: number; past: number }[]): CachedGraph<GraphTensor> {
  return {
    inputs: INPUTS,
    tensor,
    async run(feeds) {
      const [batch, fresh] = feeds.input_ids.dims;
      const ids = Array.from({ length: batch }, (_, b) => Array.from((feeds.input_ids.data as BigInt64Array).subarray(b * fresh, (b + 1) * fresh), Number));
      const past = feeds['past_key_values.0.key'];
      const pastLength = past.dims[2];
      calls.push({ ids, maskWidth: feeds.attention_mask.dims[1], past: pastLength });
      const pastIds = Array.from({ length: batch }, (_, b) => Array.from((past.data as Float32Array).subarray(b * pastLength, (b + 1) * pastLength)));
      const all = pastIds.map((p, b) => [...p, ...ids[b]]);
      const logits = new Float32Array(batch * fresh * 6);
      all.forEach((row, b) => logits.set([0, 0, 0, 0, 0, 0].map((_, v) => Number(v === (row.reduce((s, x) => s + x, 0) + 1 + b) % 6)), (b * fresh + fresh - 1) * 6));
      const present = tensor('float32', Float32Array.from(all.flat()), [batch, 1, pastLength + fresh, 1]);
      return { logits: tensor('float32', logits, [batch, fresh, 6]), 'present.0.key': present, 'present.0.value': present };
    },
  };
}

describe('cached decoder loop', () => {
  it('finds the cache entries, their outputs and fixed dims in the input metadata', () => {
    expect(cacheEntries(INPUTS)).toEqual([
      { past: 'past_key_values.0.key', present: 'present.0.key', heads: 2, headDim: 3 },
      { past: 'past_key_values.0.value', present: 'present.0.value', heads: 2, headDim: 3 },
    ]);
    expect(() => cacheEntries(INPUTS.slice(0, 2))).toThrow(/no past_key_values/);
    expect(() => cacheEntries([{ name: 'past_key_values.0.key', shape: ['batch_size', 'heads', 'past_sequence_length', 3] }])).toThrow(/fixed number of heads/);
  });

  it('starts from an empty cache of [batch, heads, 0, head_dim]', () => {
    const cache = emptyCache(fakeGraph([]), 3);
    expect(cache.length).toBe(0);
    expect(cache.tensors['past_key_values.0.value'].dims).toEqual([3, 2, 0, 3]);
  });

  it('feeds only the new tokens, a mask over past and new, and grows the cache', async () => {
    const calls: { ids: number[][]; maskWidth: number; past: number }[] = [];
    const graph = fakeGraph(calls);
    const first = await decodeStep(graph, emptyCache(graph, 1), [[2, 1]], {});
    const second = await decodeStep(graph, first.cache, [[4]], {});
    expect(calls).toEqual([{ ids: [[2, 1]], maskWidth: 2, past: 0 }, { ids: [[4]], maskWidth: 3, past: 2 }]);
    expect(second.cache.length).toBe(3);
    expect(Array.from(second.cache.tensors['past_key_values.0.key'].data as Float32Array)).toEqual([2, 1, 4]);
    await expect(decodeStep(graph, first.cache, [[1], [2, 3]], {})).rejects.toThrow(/same number/);
  });

  it('decodes greedily, one token per step, and pads sequences that ended', async () => {
    const calls: { ids: number[][]; maskWidth: number; past: number }[] = [];
    const graph = fakeGraph(calls);
    const captions = await greedyCaptions(graph, {}, 2, { bos: 2, eos: 3, pad: 0, maxLength: 4 });
    // Sequence 0: 2 → 3 (EOS), then fed pads. Sequence 1: sums 2 → 4, 6 → 2, 8 → 4, up to 4 tokens.
    expect(captions).toEqual([[2, 3], [2, 4, 2, 4]]);
    expect(calls.map((c) => [c.ids, c.past])).toEqual([[[[2], [2]], 0], [[[3], [4]], 1], [[[0], [2]], 2]]);
    const longer = await greedyCaptions(graph, {}, 1, { bos: 1, eos: 9, pad: 0, maxLength: 5 });
    // Sums 1 → 2, 1+2 → 4, 1+2+4 → 2, 1+2+4+2 → 4.
    expect(longer).toEqual([[1, 2, 4, 2, 4]]);
    expect(calls.slice(3).map((c) => [c.ids[0].length, c.past])).toEqual([[1, 0], [1, 1], [1, 2], [1, 3]]);
  });

  it('puts per-step attention rows together as one causal pass gives them', () => {
    // Two steps of one layer and two heads: step 0 sees 1 key, step 1 sees 2.
    const step0 = tensor('float32', Float32Array.from([1, 1]), [1, 1, 2, 1, 1]);
    const step1 = tensor('float32', Float32Array.from([0.25, 0.75, 0.5, 0.5]), [1, 1, 2, 1, 2]);
    const stacked = stackSteps([step0, step1], 2);
    expect(stacked.dims).toEqual([1, 2, 2, 2]);
    expect(Array.from(stacked.data)).toEqual([1, 0, 0.25, 0.75, 1, 0, 0.5, 0.5]);
    expect(() => stackSteps([step1], 1)).toThrow(/at most 1 keys/);
  });
});
