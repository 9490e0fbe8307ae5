/**
 * Asking a runtime for embeddings and splitting its answer per image and per caption. The
 * lab and the comparison both embed through these, each with its own runtime.
 */
import type { InferenceClient } from '../../lib/runtime/client';
import type { ImageInput, TextOutcome } from '../../lib/runtime/protocol';
import { shrinkShortestEdge } from '../../lib/image/resample';
import type { RGBImage } from '../../lib/shapes';

/** One item's self-attention `[layers, heads, tokens, tokens]`, when the graph outputs it. */
export interface Attention {
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

export type ImageEmbedding =
  | { readonly ok: true; readonly embed: Float32Array; readonly modelInput: Uint8ClampedArray; readonly notes: readonly string[]; readonly attention: Attention | null }
  | { readonly ok: false; readonly message: string };

export interface TextEntry {
  readonly embed: Float32Array;
  readonly outcome: TextOutcome;
  readonly attention: Attention | null;
}

/** Item `k` of a batched attention tensor `[items, layers, heads, T, T]`. */
function slice(attentions: { dims: readonly number[]; data: Float32Array } | null | undefined, k: number): Attention | null {
  if (!attentions) return null;
  const dims = attentions.dims.slice(1);
  const size = dims.reduce((a, b) => a * b, 1);
  return { dims, data: attentions.data.slice(k * size, (k + 1) * size) };
}

/**
 * A drawn image as a request sends it, at the model's side: the worker shrinks every image
 * with this same `shrinkShortestEdge` before its image processor and leaves one already that
 * small as it is, so its pixel values are those of the full drawing, bit for bit
 * (tests/parity/model-size-input.parity.test.ts), and a 128-px drawing crosses to the worker
 * as 3 KB instead of 49 KB. A model wider than the drawing gets the drawing as it is.
 */
export function drawnInput(pixels: RGBImage, modelSize = Infinity): ImageInput {
  const image = shrinkShortestEdge({ width: pixels.width, height: pixels.height, channels: 3, data: pixels.data }, modelSize);
  return { kind: 'pixels', width: image.width, height: image.height, channels: 3, data: image.data };
}

/** One outcome per input, in input order. */
export async function requestImageEmbeds(client: InferenceClient, inputs: readonly ImageInput[], channel?: string, attentions = true): Promise<{ outcomes: ImageEmbedding[]; modelMs: number }> {
  const { result, timing } = await client.run({ kind: 'image-embeds', images: inputs, ...(attentions ? {} : { attentions: false }) }, channel);
  const dim = result.embeds.dims[1];
  let row = 0;
  const outcomes = result.outcomes.map((outcome): ImageEmbedding => {
    if (!outcome.ok) return outcome;
    const embed = result.embeds.data.slice(row * dim, (row + 1) * dim);
    const attention = slice(result.attentions, row);
    row++;
    return { ok: true, embed, modelInput: outcome.modelInput, notes: outcome.notes, attention };
  });
  return { outcomes, modelMs: timing.modelMs };
}

/** One entry per text, in input order. */
export async function requestTextEmbeds(client: InferenceClient, texts: readonly string[], channel: string): Promise<{ entries: TextEntry[]; modelMs: number }> {
  const { result, timing } = await client.run({ kind: 'text-embeds', texts }, channel);
  const dim = result.embeds.dims[1];
  const entries = texts.map((_, k) => ({ embed: result.embeds.data.slice(k * dim, (k + 1) * dim), outcome: result.outcomes[k], attention: slice(result.attentions, k) }));
  return { entries, modelMs: timing.modelMs };
}
