/**
 * Classifier-free guidance for CM3's drawings, as CM3leon samples its images. The model was
 * trained on both orders, so the image-first rows (`<image> c1 … c64 </image> …`) taught it to
 * draw with no caption at all: `<image>` alone is the unconditional prompt. A drawing then reads
 * two sequences, each with its own cache — the caption's prompt and `<image>` alone — both fed
 * the same chosen codes, and each code is chosen from
 *
 *   logits = uncond + scale · (cond − uncond)
 *
 * so what the caption adds to the unconditional guess is pushed further (scale 1 is plain
 * decoding). A guided drawing keeps to the image's grammar (a code at each cell, then
 * `</image>`): pushing cond away from uncond can lift a token both find unlikely (a word, a
 * marker) above every code. Pure: the worker, the evaluation and the parity tests share it.
 */
import { decodeStep, emptyCache, lastLogits, type CachedGraph, type ContinueOptions, type GraphTensor, type KeyValueCache } from '../generation/cached-decoder';
import type { TokenVocabulary } from '../runtime/protocol';

/** The guidance scale that leaves decoding as it is. */
export const UNGUIDED = 1;

/**
 * Guided logits of one position: `uncond + scale · (cond − uncond)`.
 * @example guide([2, 0], [1, 1], 3)  // Float32Array [4, -2]
 */
export function guide(conditional: ArrayLike<number>, unconditional: ArrayLike<number>, scale: number): Float32Array {
  if (conditional.length !== unconditional.length) throw new RangeError(`${conditional.length} conditional logits against ${unconditional.length} unconditional ones`);
  const out = new Float32Array(conditional.length);
  for (let i = 0; i < out.length; i++) out[i] = unconditional[i] + scale * (conditional[i] - unconditional[i]);
  return out;
}

/** The unconditional prompt of a drawing: `<image>` alone, as the image-first rows begin. */
export function unconditionalPrompt(v: TokenVocabulary): number[] {
  return [v.begin_image];
}

/** Logits of one step, narrowed to what may come at that step (`index` counts the tokens chosen before). */
export type Narrowing = (logits: Float32Array, index: number) => Float32Array;

/**
 * The image's grammar after `<image>`: a code at each of the first `cells` steps, then
 * `</image>`; every other token gets -Infinity (the logits are changed in place).
 * @example imageGrammar(v)(logits, 64)  // -Infinity everywhere but at </image>
 */
export function imageGrammar(v: TokenVocabulary): Narrowing {
  return (logits, index) => {
    const [from, to] = index < v.cells ? [v.first_code, v.first_code + v.codes] : [v.end_image, v.end_image + 1];
    logits.fill(-Infinity, 0, from);
    logits.fill(-Infinity, to);
    return logits;
  };
}

/**
 * `o` with every choice made from guided logits (continueSequence's options): a second sequence
 * reads `unconditional` in its own cache, then each token chosen, one a step, so at every step
 * both sequences have read the same tokens after their prompts, and `narrow` (a drawing:
 * `imageGrammar`) keeps the guided logits to what may come. `choose` still gets the conditional
 * step's outputs (its attention over the caption). Scale 1 returns `o` as it is.
 * @example await continueSequence(graph, drawPrompt(v, ids), withGuidance(graph, unconditionalPrompt(v), 3, { maxNew: 65, stop: [37], choose: argmax }, imageGrammar(v)))
 */
export function withGuidance<T extends GraphTensor>(graph: CachedGraph<T>, unconditional: readonly number[], scale: number, o: ContinueOptions<T>,
  narrow: Narrowing = (logits) => logits): ContinueOptions<T> {
  if (scale === UNGUIDED) return o;
  if (!Number.isFinite(scale)) throw new RangeError(`the guidance scale must be a number, not ${scale}`);
  const inputs = o.inputs ?? {};
  let cache: KeyValueCache<T> | null = null;
  let last = -1;
  return {
    ...o,
    async choose(logits, outputs, index) {
      const step = index === 0 || !cache
        ? await decodeStep(graph, emptyCache(graph, 1), [unconditional], inputs)
        : await decodeStep(graph, cache, [[last]], inputs);
      cache = step.cache;
      last = await o.choose(narrow(guide(logits, lastLogits(step.outputs.logits, 0), scale), index), outputs, index);
      return last;
    },
  };
}
