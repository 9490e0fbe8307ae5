/**
 * Asking a runtime for embeddings and splitting its answer per image and per caption. The
 * lab and the comparison both embed through these, each with its own runtime.
 */
import type { InferenceClient } from '../../lib/runtime/client';
import type { ImageInput, TextOutcome } from '../../lib/runtime/protocol';

export type ImageEmbedding =
  | { readonly ok: true; readonly embed: Float32Array; readonly modelInput: Uint8ClampedArray; readonly notes: readonly string[] }
  | { readonly ok: false; readonly message: string };

export interface TextEntry {
  readonly embed: Float32Array;
  readonly outcome: TextOutcome;
}

/** One outcome per input, in input order. */
export async function requestImageEmbeds(client: InferenceClient, inputs: readonly ImageInput[], channel?: string): Promise<{ outcomes: ImageEmbedding[]; modelMs: number }> {
  const { result, timing } = await client.run({ kind: 'image-embeds', images: inputs }, channel);
  const dim = result.embeds.dims[1];
  let row = 0;
  const outcomes = result.outcomes.map((outcome): ImageEmbedding => {
    if (!outcome.ok) return outcome;
    const embed = result.embeds.data.slice(row * dim, (row + 1) * dim);
    row++;
    return { ok: true, embed, modelInput: outcome.modelInput, notes: outcome.notes };
  });
  return { outcomes, modelMs: timing.modelMs };
}

/** One entry per text, in input order. */
export async function requestTextEmbeds(client: InferenceClient, texts: readonly string[], channel: string): Promise<{ entries: TextEntry[]; modelMs: number }> {
  const { result, timing } = await client.run({ kind: 'text-embeds', texts }, channel);
  const dim = result.embeds.dims[1];
  const entries = texts.map((_, k) => ({ embed: result.embeds.data.slice(k * dim, (k + 1) * dim), outcome: result.outcomes[k] }));
  return { entries, modelMs: timing.modelMs };
}
