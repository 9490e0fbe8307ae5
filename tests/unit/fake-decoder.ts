/** What the unit tests' stand-in decoders share: plain tensors and the inputs of a Llama-layout graph with one cached layer. */
import type { GraphTensor, InputMetadata } from '../../src/lib/generation/cached-decoder';

export const tensor = (type: string, data: Float32Array | BigInt64Array, dims: number[]): GraphTensor => ({ type, data, dims });

/** input_ids, attention_mask, position_ids and one layer's past keys and values (1 head of size 1). */
export const LLAMA_INPUTS: readonly InputMetadata[] = [
  { name: 'input_ids' },
  { name: 'attention_mask' },
  { name: 'position_ids' },
  { name: 'past_key_values.0.key', shape: ['batch_size', 1, 'past_sequence_length', 1] },
  { name: 'past_key_values.0.value', shape: ['batch_size', 1, 'past_sequence_length', 1] },
];
