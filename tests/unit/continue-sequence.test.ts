import { describe, expect, it } from 'vitest';
import { argmax, continueSequence, decodeStep, emptyCache, type CachedGraph, type GraphTensor } from '../../src/lib/generation/cached-decoder';
import { LLAMA_INPUTS, tensor } from './fake-decoder';

/**
 * A Llama-layout stand-in of vocabulary 5 that takes position_ids: it records what it was fed,
 * and its next token is (last position + 1) mod 5, so positions decide the sequence.
 */
function positionalGraph(fed: { ids: number[]; positions: number[] }[]): CachedGraph<GraphTensor> {
  return {
    inputs: LLAMA_INPUTS,
    tensor,
    async run(feeds) {
      const ids = Array.from(feeds.input_ids.data as BigInt64Array, Number);
      const positions = Array.from(feeds.position_ids.data as BigInt64Array, Number);
      fed.push({ ids, positions });
      const past = feeds['past_key_values.0.key'];
      const total = past.dims[2] + ids.length;
      const logits = new Float32Array(ids.length * 5);
      logits[(ids.length - 1) * 5 + ((positions.at(-1)! + 1) % 5)] = 1;
      const present = tensor('float32', new Float32Array(total), [1, 1, total, 1]);
      return { logits: tensor('float32', logits, [1, ids.length, 5]), 'present.0.key': present, 'present.0.value': present };
    },
  };
}

describe('continueSequence', () => {
  it('reads the prompt in one step, then one token a step at its own position', async () => {
    const fed: { ids: number[]; positions: number[] }[] = [];
    const out = await continueSequence(positionalGraph(fed), [4, 4, 4], { maxNew: 3, stop: [], choose: (row) => argmax(row) });
    expect(out).toEqual({ ids: [3, 4, 0], stopped: 'length' });
    expect(fed).toEqual([{ ids: [4, 4, 4], positions: [0, 1, 2] }, { ids: [3], positions: [3] }, { ids: [4], positions: [4] }]);
  });

  it('keeps the stop token, and stops when interrupted after a choice', async () => {
    const graph = positionalGraph([]);
    expect(await continueSequence(graph, [1], { maxNew: 10, stop: [3], choose: (row) => argmax(row) })).toEqual({ ids: [1, 2, 3], stopped: 'stop' });
    let asked = 0;
    const out = await continueSequence(graph, [1], { maxNew: 10, stop: [], choose: (row) => argmax(row), interrupted: () => ++asked === 2 });
    expect(out).toEqual({ ids: [1, 2], stopped: 'interrupted' });
  });

  it('passes each step\'s outputs and index to the chooser, whose choice is fed next', async () => {
    const fed: { ids: number[]; positions: number[] }[] = [];
    const seen: number[] = [];
    await continueSequence(positionalGraph(fed), [0], { maxNew: 2, stop: [], choose: (_row, outputs, index) => (seen.push(outputs.logits.dims[1], index), 4) });
    expect(seen).toEqual([1, 0, 1, 1]);
    expect(fed[1].ids).toEqual([4]);
  });

  it('leaves position_ids alone for graphs that do not take them, and keeps positions a caller gives', async () => {
    const fed: { ids: number[]; positions: number[] }[] = [];
    const graph = positionalGraph(fed);
    await decodeStep(graph, emptyCache(graph, 1), [[1, 2]], { position_ids: tensor('int64', BigInt64Array.from([7n, 8n]), [1, 2]) });
    expect(fed[0].positions).toEqual([7, 8]);
    const names: string[][] = [];
    const noPositions: CachedGraph<GraphTensor> = {
      ...graph,
      inputs: graph.inputs.filter((i) => i.name !== 'position_ids'),
      run: (feeds) => (names.push(Object.keys(feeds)), graph.run({ ...feeds, position_ids: tensor('int64', BigInt64Array.from([0n]), [1, 1]) })),
    };
    await decodeStep(noPositions, emptyCache(noPositions, 1), [[1]], {});
    expect(names[0]).not.toContain('position_ids');
  });
});
