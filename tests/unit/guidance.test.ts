import { describe, expect, it } from 'vitest';
import { argmax, continueSequence, type CachedGraph, type ContinueOptions, type GraphTensor } from '../../src/lib/generation/cached-decoder';
import { guide, imageGrammar, unconditionalPrompt, withGuidance } from '../../src/lib/tokens/guidance';

import { LLAMA_INPUTS, tensor } from './fake-decoder';

/**
 * A stand-in decoder of vocabulary 3 whose cache remembers the sequence's first token: after a
 * prompt starting with 0 (the "unconditional" one) every step scores [0, 1, 0], after any other
 * [0, 1.5, 1]. It records what each step was fed.
 */
function twoPromptGraph(fed: { ids: number[]; positions: number[] }[]): CachedGraph<GraphTensor> {
  return {
    inputs: LLAMA_INPUTS,
    tensor,
    async run(feeds) {
      const ids = Array.from(feeds.input_ids.data as BigInt64Array, Number);
      fed.push({ ids, positions: Array.from(feeds.position_ids.data as BigInt64Array, Number) });
      const past = feeds['past_key_values.0.key'];
      const first = past.dims[2] ? (past.data as Float32Array)[0] : ids[0];
      const total = past.dims[2] + ids.length;
      const present = tensor('float32', new Float32Array(total).fill(first), [1, 1, total, 1]);
      const logits = new Float32Array(ids.length * 3);
      logits.set(first === 0 ? [0, 1, 0] : [0, 1.5, 1], (ids.length - 1) * 3);
      return { logits: tensor('float32', logits, [1, ids.length, 3]), 'present.0.key': present, 'present.0.value': present };
    },
  };
}

describe('classifier-free guidance', () => {
  it('moves each logit from the unconditional one by scale times the difference', () => {
    expect(Array.from(guide([2, 0, 1], [1, 1, 1], 3))).toEqual([4, -2, 1]);
    expect(Array.from(guide([2, 0], [1, 1], 1))).toEqual([2, 0]);
    expect(Array.from(guide([2, 0], [1, 1], 0))).toEqual([1, 1]);
    expect(() => guide([1, 2], [1], 2)).toThrow(RangeError);
  });

  it('takes <image> alone as the unconditional prompt', () => {
    expect(unconditionalPrompt({ words: 36, codes: 128, cells: 64, begin_image: 36, end_image: 37, first_code: 38, size: 166 })).toEqual([36]);
  });

  it('keeps a drawing to codes at its cells, then </image>', () => {
    // 2 words, <image> 2, </image> 3, codes 4 and 5, over 2 cells.
    const grammar = imageGrammar({ words: 2, codes: 2, cells: 2, begin_image: 2, end_image: 3, first_code: 4, size: 6 });
    for (const index of [0, 1]) expect(Array.from(grammar(Float32Array.from([9, 8, 7, 6, 1, 2]), index))).toEqual([-Infinity, -Infinity, -Infinity, -Infinity, 1, 2]);
    expect(Array.from(grammar(Float32Array.from([9, 8, 7, 6, 1, 2]), 2))).toEqual([-Infinity, -Infinity, -Infinity, 6, -Infinity, -Infinity]);
  });

  it('leaves decoding as it is at scale 1', () => {
    const options: ContinueOptions<GraphTensor> = { maxNew: 2, stop: [], choose: (row) => argmax(row) };
    expect(withGuidance(twoPromptGraph([]), [0], 1, options)).toBe(options);
  });

  it('reads the unconditional prompt in its own cache, then every chosen token, and chooses from the guided logits', async () => {
    const fed: { ids: number[]; positions: number[] }[] = [];
    const graph = twoPromptGraph(fed);
    const seen: number[][] = [];
    const options: ContinueOptions<GraphTensor> = { maxNew: 3, stop: [], choose: (row) => (seen.push(Array.from(row)), argmax(row)) };
    // Plain: the conditional scores alone pick token 1 …
    expect((await continueSequence(graph, [1, 1], options)).ids).toEqual([1, 1, 1]);
    fed.length = 0;
    seen.length = 0;
    // … guided at 3: 1 + 3 · (1.5 − 1) = 2.5 against 0 + 3 · (1 − 0) = 3 picks token 2.
    expect((await continueSequence(graph, [1, 1], withGuidance(graph, [0], 3, options))).ids).toEqual([2, 2, 2]);
    expect(seen).toEqual([[0, 2.5, 3], [0, 2.5, 3], [0, 2.5, 3]]);
    expect(fed).toEqual([
      { ids: [1, 1], positions: [0, 1] }, { ids: [0], positions: [0] },
      { ids: [2], positions: [2] }, { ids: [2], positions: [1] },
      { ids: [2], positions: [3] }, { ids: [2], positions: [2] },
    ]);
    // Narrowed to the tokens below 2, the guided choice is token 1.
    seen.length = 0;
    const narrow = (logits: Float32Array) => logits.fill(-Infinity, 2);
    expect((await continueSequence(graph, [1, 1], withGuidance(graph, [0], 3, options, narrow))).ids).toEqual([1, 1, 1]);
    expect(seen[0]).toEqual([0, 2.5, -Infinity]);
  });
});
