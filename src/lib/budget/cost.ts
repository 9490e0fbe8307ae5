/**
 * A prefill cost estimate for the visual tokens, so rows can be compared in compute as well as
 * in count. Per decoder layer and token: 2 · 4d² for the attention projections and 2 · 3 · d · f
 * for a gated MLP of inner width f, plus 2 · 2 · n · d for the attention scores and their use over
 * n tokens. Embeddings and the LM head are left out (they do not grow with the image).
 */

export interface LanguageModelShape {
  /** Hidden width d. */
  readonly width: number;
  readonly layers: number;
  /** MLP inner width. */
  readonly mlpWidth: number;
}

/** A Llama-2-7B-shaped decoder (d = 4096, 32 layers, MLP 11008): the width the chart states. */
export const LLAMA_7B_SHAPE: LanguageModelShape = { width: 4096, layers: 32, mlpWidth: 11008 };

/**
 * FLOPs to prefill `tokens` tokens (multiply-adds counted as 2).
 * @example prefillFlops(576) // ≈ 7.6e12 for a 7B-shaped decoder
 */
export function prefillFlops(tokens: number, shape: LanguageModelShape = LLAMA_7B_SHAPE): number {
  const d = shape.width;
  const perTokenPerLayer = 2 * 4 * d * d + 2 * 3 * d * shape.mlpWidth;
  const attention = 2 * 2 * tokens * tokens * d;
  return shape.layers * (tokens * perTokenPerLayer + attention);
}
