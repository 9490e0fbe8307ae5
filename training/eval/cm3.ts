/**
 * Held-out evaluation of the CM3leon-style shapes-cm3, judged by the bundled shapes-clip:
 *   draw     every full caption (216) drawn greedily (prompt [BOS] words [EOS] <image>), its
 *            codes decoded by shapes-vq; the share of drawings whose shapes-clip top-1 among the
 *            216 full captions is the prompt, and whose top-1 names the prompt's colour and shape
 *   guided   the same drawings with classifier-free guidance (src/lib/tokens/guidance.ts: the
 *            unconditional prompt is <image> alone; kept to the image's grammar) at each scale of `--scales` and at the model's
 *            default (config.json `guidance_scale`, which the Token lab draws with)
 *   sample   the same judgement with seeded sampling (temperature 1 from the top 8, the Token
 *            lab's defaults) for seeds 1 … 4, each drawing with its own stream as the lab draws
 *            it, unguided and guided at the default scale; with how much the seeds' drawings of
 *            one caption differ (varied images)
 *   caption  `count` one-shape held-out scenes (seeds from HELD_OUT_SEED) tokenized by shapes-vq
 *            and captioned greedily (prompt <image> codes </image> [BOS]); the share exactly right
 * Decoding is the cached loop of src/lib/generation/cached-decoder.ts with the graph's
 * position_ids fed beside it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { captionText, fullCaption, spec } from '../../src/lib/shapes/index.ts';
import { wrongSlots, type WrongSlots } from './slots.ts';
import { argmaxRows, cosineMatrix } from '../../src/lib/contrastive/similarity.ts';
import { argmax, continueSequence, sessionGraph, type CachedGraph } from '../../src/lib/generation/cached-decoder.ts';
import { UNGUIDED, imageGrammar, unconditionalPrompt, withGuidance } from '../../src/lib/tokens/guidance.ts';
import { seededRandom } from '../../src/lib/shapes/random.ts';
import { drawFrom } from '../../workers/families/forge-tasks.ts';
import { HELD_OUT_SEED, VARIANTS, captionGroups, heldOutScenes, int64, loadPreprocessing, onnxSession, percent, pixelValues } from './harness.ts';
import type { EvalFamily } from './family.ts';

export interface Cm3Vocabulary { words: number; codes: number; cells: number; begin_image: number; end_image: number; first_code: number; size: number }

/**
 * Greedy continuation of one prompt through the cache: the prompt in one step, then one token a
 * step, each at its position; stops at `stop` (kept) or after `maxNew` tokens.
 */
export function greedyContinue(graph: CachedGraph<OrtTensor>, prompt: readonly number[], stop: number, maxNew: number): Promise<number[]> {
  return continueWith(graph, prompt, stop, maxNew, argmax);
}

/**
 * The same loop with the next token chosen by `choose` from the last position's logits, guided
 * by the `guidance` prompt at `scale` when one is given (classifier-free guidance), kept to the
 * image's grammar (a drawing's, as the worker draws).
 */
export async function continueWith(graph: CachedGraph<OrtTensor>, prompt: readonly number[], stop: number, maxNew: number,
  choose: (logits: Float32Array) => number, guidance?: { prompt: readonly number[]; scale: number; vocabulary: Cm3Vocabulary }): Promise<number[]> {
  const options = { maxNew, stop: [stop], choose: (logits: Float32Array) => choose(logits) };
  return (await continueSequence(graph, prompt, guidance ? withGuidance(graph, guidance.prompt, guidance.scale, options, imageGrammar(guidance.vocabulary)) : options)).ids;
}

/** shapes-clip's judgement of drawings of every full caption. */
export interface Cm3Judged {
  readonly wellFormed: number;
  readonly topOne: number;
  readonly colourShape: number;
}

/** The score of one seed's sampled drawings of every full caption. */
export interface Cm3SampledDrawings extends Cm3Judged {
  readonly seed: number;
}

export const SAMPLING = { temperature: 1, topK: 8, seeds: [1, 2, 3, 4] } as const;

/** Seeded drawings of every caption: each seed's judgement, and how much the seeds' drawings of one caption differ. */
export interface Cm3Sampled {
  readonly seeds: readonly Cm3SampledDrawings[];
  /** Over captions and pairs of seeds: the share of pairs whose drawings differ, and the mean share of cells that differ. */
  readonly pairsDiffering: number;
  readonly cellsDiffering: number;
}

export interface Cm3EvalReport {
  readonly captions: number;
  /** Greedy, unguided. */
  readonly drawnWellFormed: number;
  readonly drawTopOne: number;
  readonly drawColourShape: number;
  /** Greedy with classifier-free guidance: at the model's default scale, and at every scale measured. */
  readonly guidance: { readonly scale: number; readonly greedy: Cm3Judged; readonly sweep: readonly (Cm3Judged & { readonly scale: number })[] };
  readonly sampling: { readonly temperature: number; readonly topK: number };
  readonly sampled: readonly Cm3SampledDrawings[];
  readonly sampledPairsDiffering: number;
  readonly sampledCellsDiffering: number;
  /** Sampled with guidance at the default scale. */
  readonly guidedSampled: Cm3Sampled;
  readonly count: number;
  readonly captionExact: number;
  /**
   * The wrong captions by what is wrong: a full caption with this slot unlike the scene's (one
   * caption can count under several slots), or no full caption at all (`other`).
   */
  readonly captionWrong: WrongSlots;
  readonly examples: { truth: string; caption: string }[];
}

export async function evaluateCm3(modelDir: string, vqDir: string, clipDir: string, count: number, scales: readonly number[],
  sampleSeeds: readonly number[] = SAMPLING.seeds): Promise<Cm3EvalReport> {
  const config = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')) as { vocabulary: Cm3Vocabulary; guidance_scale?: number };
  const vocabulary = config.vocabulary;
  const defaultScale = config.guidance_scale ?? UNGUIDED;
  const unconditional = unconditionalPrompt(vocabulary);
  const graph = sessionGraph(await onnxSession(modelDir, 'decoder_model_merged'), OrtTensor);
  const { tokenizer } = await loadPreprocessing(clipDir);
  const [encoder, decoder, vision, text] = await Promise.all([
    onnxSession(vqDir, 'vq_encoder'), onnxSession(vqDir, 'vq_decoder'), onnxSession(clipDir, 'vision_model'), onnxSession(clipDir, 'text_model')]);
  const size = spec.imageSize;
  const grid = Math.sqrt(vocabulary.cells);

  // Draw every full caption, greedily and then sampled with each seed, and judge the drawings.
  const full = captionGroups.full;
  const encoded = tokenizer(full.map((m) => captionText(m)), { padding: true, truncation: true });
  const captionIds = Array.from({ length: full.length }, (_, i) =>
    Array.from((encoded.input_ids.data as BigInt64Array).subarray(i * encoded.input_ids.dims[1], (i + 1) * encoded.input_ids.dims[1]), Number).filter((v) => v !== 0));
  const { text_embeds } = await text.run({ input_ids: int64(encoded.input_ids), attention_mask: int64(encoded.attention_mask) }, ['text_embeds']);

  /**
   * Draws every full caption with a chooser per caption, guided at `scale` -> the code grids, the
   * well-formed share, shapes-clip's judgement.
   */
  async function drawAll(chooser: (caption: number) => (logits: Float32Array) => number, scale = UNGUIDED) {
    const codes = new BigInt64Array(full.length * vocabulary.cells);
    let wellFormed = 0;
    for (const [i, ids] of captionIds.entries()) {
      const drawn = await continueWith(graph, [...ids, vocabulary.begin_image], vocabulary.end_image, vocabulary.cells + 1, chooser(i),
        { prompt: unconditional, scale, vocabulary });
      const cells = drawn.slice(0, vocabulary.cells).map((t) => t - vocabulary.first_code);
      wellFormed += Number(drawn.length === vocabulary.cells + 1 && drawn.at(-1) === vocabulary.end_image && cells.every((c) => c >= 0 && c < vocabulary.codes));
      // A token outside the codes (a word, a marker) or a short drawing leaves code 0 in its cell.
      cells.forEach((c, k) => (codes[i * vocabulary.cells + k] = BigInt(c >= 0 && c < vocabulary.codes ? c : 0)));
    }
    const { pixel_values } = await decoder.run({ codes: new OrtTensor('int64', codes, [full.length, grid, grid]) });
    const pixels = (pixel_values.data as Float32Array).map((v) => Math.min(1, Math.max(-1, v)));
    const { image_embeds } = await vision.run({ pixel_values: new OrtTensor('float32', pixels, [full.length, 3, size, size]) }, ['image_embeds']);
    const picks = argmaxRows(cosineMatrix(image_embeds.data as Float32Array, full.length, text_embeds.data as Float32Array, full.length, text_embeds.dims[1]));
    return {
      codes, wellFormed: wellFormed / full.length, topOne: picks.filter((j, i) => j === i).length / full.length,
      colourShape: picks.filter((j, i) => full[j].slots.colour === full[i].slots.colour && full[j].slots.shape === full[i].slots.shape).length / full.length,
    };
  }
  const judged = ({ wellFormed, topOne, colourShape }: Cm3Judged): Cm3Judged => ({ wellFormed, topOne, colourShape });
  const greedy = await drawAll(() => argmax);
  const sweep = [];
  for (const scale of [...new Set([...scales, defaultScale])].sort((a, b) => a - b)) {
    sweep.push({ scale, ...judged(scale === UNGUIDED ? greedy : await drawAll(() => argmax, scale)) });
  }

  /** Every caption drawn with each seed (its own stream per drawing), guided at `scale`. */
  async function sampleAll(scale: number): Promise<Cm3Sampled> {
    const seeds = [];
    for (const seed of sampleSeeds) {
      seeds.push({ seed, ...(await drawAll(() => {
        const random = seededRandom(seed);
        return (logits) => drawFrom(logits, SAMPLING.temperature, SAMPLING.topK, random);
      }, scale)) });
    }
    let pairs = 0;
    let pairsDiffering = 0;
    let cellsDiffering = 0;
    for (let i = 0; i < full.length; i++) {
      for (let a = 0; a < seeds.length; a++) {
        for (let b = a + 1; b < seeds.length; b++) {
          let differ = 0;
          for (let k = i * vocabulary.cells; k < (i + 1) * vocabulary.cells; k++) differ += Number(seeds[a].codes[k] !== seeds[b].codes[k]);
          pairs++;
          pairsDiffering += Number(differ > 0);
          cellsDiffering += differ / vocabulary.cells;
        }
      }
    }
    return { seeds: seeds.map(({ seed, ...d }) => ({ seed, ...judged(d) })), pairsDiffering: pairs && pairsDiffering / pairs, cellsDiffering: pairs && cellsDiffering / pairs };
  }
  const sampled = await sampleAll(UNGUIDED);
  const guidedSampled = await sampleAll(defaultScale);

  // Caption held-out scenes.
  const { oneShape: scenes } = heldOutScenes(count);
  const { processor } = await loadPreprocessing(clipDir);
  const scenePixels = await pixelValues(processor, scenes, VARIANTS[0]);
  const sceneCodes = (await encoder.run({ pixel_values: new OrtTensor('float32', scenePixels, [count, 3, size, size]) }, ['codes'])).codes.data as BigInt64Array;
  const written: string[] = [];
  for (let i = 0; i < count; i++) {
    const image = Array.from(sceneCodes.subarray(i * vocabulary.cells, (i + 1) * vocabulary.cells), (c) => Number(c) + vocabulary.first_code);
    const ids = await greedyContinue(graph, [vocabulary.begin_image, ...image, vocabulary.end_image, 2], 3, 16);
    const words = ids.filter((t) => t < vocabulary.begin_image);
    written.push(words.length ? tokenizer.decode(words, { skip_special_tokens: true }) : '');
  }
  const meanings = scenes.map((s) => fullCaption(s));
  const truths = meanings.map((m) => captionText(m));
  return {
    captions: full.length, drawnWellFormed: greedy.wellFormed, drawTopOne: greedy.topOne, drawColourShape: greedy.colourShape,
    guidance: { scale: defaultScale, greedy: sweep.find((s) => s.scale === defaultScale)!, sweep },
    sampling: { temperature: SAMPLING.temperature, topK: SAMPLING.topK },
    sampled: sampled.seeds, sampledPairsDiffering: sampled.pairsDiffering, sampledCellsDiffering: sampled.cellsDiffering,
    guidedSampled,
    count, captionExact: written.filter((c, i) => c === truths[i]).length / count, captionWrong: wrongSlots(written, meanings, full),
    examples: truths.slice(0, 6).map((truth, i) => ({ truth, caption: written[i] })),
  };
}

/** `--scales 1.5,2,3` (the guidance scales to measure greedy drawings at) or `--seeds 1,2` (the sampling seeds; none: no sampling). */
function numbersOf(flag: string, name: string): number[] {
  const values = flag.split(',').filter(Boolean).map(Number);
  if (values.some((s) => !Number.isFinite(s) || s < 0)) throw new Error(`--${name} takes numbers like 1,2,3, not ${flag}`);
  return values;
}

export const cm3: EvalFamily<Cm3EvalReport> = {
  flags: { vq: 'static/models/shapes-vq', clip: 'static/models/shapes-clip', scales: '1.5,2,3,4,6', seeds: SAMPLING.seeds.join(',') },
  check: ({ flags }) => void [numbersOf(flags.scales, 'scales'), numbersOf(flags.seeds, 'seeds')],
  evaluate: ({ modelDir, count, flags }) => evaluateCm3(modelDir, flags.vq, flags.clip, count, numbersOf(flags.scales, 'scales'), numbersOf(flags.seeds, 'seeds')),
  lines: (r) => [
    `drawn from the ${r.captions} full captions (greedy): well formed ${percent(r.drawnWellFormed)} | shapes-clip top-1 is the caption ${percent(r.drawTopOne)} | colour and shape ${percent(r.drawColourShape)}`,
    ...r.guidance.sweep.map((d) => `greedy, guided at scale ${d.scale}${d.scale === r.guidance.scale ? ' (the default)' : ''}: well formed ${percent(d.wellFormed)} | top-1 ${percent(d.topOne)} | colour and shape ${percent(d.colourShape)}`),
    ...r.sampled.map((d) => `sampled (temperature ${r.sampling.temperature}, top ${r.sampling.topK}, seed ${d.seed}): well formed ${percent(d.wellFormed)} | top-1 ${percent(d.topOne)} | colour and shape ${percent(d.colourShape)}`),
    `the seeds' drawings of one caption: ${percent(r.sampledPairsDiffering)} of pairs differ, in ${percent(r.sampledCellsDiffering)} of cells on average`,
    ...r.guidedSampled.seeds.map((d) => `sampled, guided at scale ${r.guidance.scale} (seed ${d.seed}): well formed ${percent(d.wellFormed)} | top-1 ${percent(d.topOne)} | colour and shape ${percent(d.colourShape)}`),
    `the guided seeds' drawings of one caption: ${percent(r.guidedSampled.pairsDiffering)} of pairs differ, in ${percent(r.guidedSampled.cellsDiffering)} of cells on average`,
    `captions of ${r.count} held-out scenes (seeds from ${HELD_OUT_SEED}, greedy): exactly right ${percent(r.captionExact)}`,
    `  wrong captions by slot: ${Object.entries(r.captionWrong).map(([slot, n]) => `${slot} ${n}`).join(', ')}`,
    ...r.examples.map((e) => `  ${e.truth} -> ${e.caption}`),
  ],
};
