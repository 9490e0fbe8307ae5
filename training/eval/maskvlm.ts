/**
 * Held-out evaluation of a forge MaskVLM on one-shape held-out scenes drawn at the playground's
 * sample size; its one graph runs on onnxruntime-node.
 *
 * Every scene is described by its full caption ("a small red circle at the top left").
 *   maskedWords        one colour, shape or position word masked: top-1 accuracy of word_logits
 *                      with the image, and without it (every patch masked); the lift is the difference
 *   reconstruction     mean squared error of reconstructed_patches on the masked patches (normalised
 *                      pixels, as pixel_values) under the true caption and under the caption with its
 *                      colour changed to the next palette colour; for two masks: every patch the shape
 *                      touches, and a seeded random 75% of the patches
 *   colourFollowsText  every patch the shape touches masked; the caption's colour set to 'red' and to
 *                      'blue': the mean reconstructed colour of the shape's pixels, redness R − B (0–255);
 *                      how often it is redder under 'red', by how much on average; and, over all four
 *                      colours, how often the nearest palette colour is the one the caption names
 *   itm                itm_probability on the true caption and on another scene's caption (its label
 *                      judged by the grammar: a caption true of the scene counts as a match)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { captionText, colourRgb, fullCaption, holds, signedDistance, spec, SAMPLE_RENDER_SIZE, type SceneShape } from '../../src/lib/shapes/index.ts';
import { HELD_OUT_SEED, heldOutScenes, loadPreprocessing, onnxSession, percent, pixelValues, type Variant } from './harness.ts';
import type { EvalFamily } from './family.ts';

export const WORD_KINDS = {
  colour: spec.colours.map((c) => c.words[0]),
  shape: spec.shapes.map((s) => s.words[0]),
  position: ['top', 'bottom', 'left', 'right', 'centre'],
} as const;
export type WordKind = keyof typeof WORD_KINDS;

export interface MaskedWordScore { readonly queries: number; readonly withImage: number; readonly withoutImage: number; readonly lift: number }
export interface ReconstructionScore { readonly trueCaption: number; readonly wrongColourCaption: number }
export interface MaskVlmEvalReport {
  readonly count: number;
  readonly renderSize: number;
  readonly maskedWords: Record<WordKind, MaskedWordScore>;
  readonly reconstruction: { readonly shapeMask: ReconstructionScore; readonly random75: ReconstructionScore };
  readonly colourFollowsText: {
    readonly redderUnderRed: number; readonly meanRednessDifference: number;
    readonly namedColourNearest: number; readonly perColour: Record<string, number>;
  };
  readonly itm: { readonly accuracy: number; readonly trueMean: number; readonly shuffledMean: number; readonly trueAboveShuffled: number };
}

const GRID = spec.imageSize / 4;
const PATCHES = GRID * GRID;
const PATCH_VALUES = 48;
const BATCH = 64;
/** The playground's sample images: drawn at SAMPLE_RENDER_SIZE, anti-aliased, on their own background. */
const SAMPLE_VARIANT: Variant = { name: `${SAMPLE_RENDER_SIZE} px`, size: SAMPLE_RENDER_SIZE, antialias: true, plain: false };

/** One row of the graph's batch: an image (index into the scenes), a caption, and what is masked. */
interface Query { readonly scene: number; readonly caption: string; readonly patchMask: Float32Array; readonly maskedWord: number }
interface Row { readonly wordLogits: Float32Array; readonly length: number; readonly patches: Float32Array; readonly itm: number }

/** Patches the shape reaches (any 32-px pixel within 0.75 px of its outline), row-major [64]. */
export function shapePatchMask(shape: SceneShape): Float32Array {
  const mask = new Float32Array(PATCHES);
  const size = spec.imageSize;
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    if (signedDistance(shape, (x + 0.5) / size, (y + 0.5) / size) * size < 0.75) mask[Math.floor(y / 4) * GRID + Math.floor(x / 4)] = 1;
  }
  return mask;
}

/** A seeded random mask hiding `share` of the patches. */
function randomPatchMask(seed: number, share: number): Float32Array {
  let state = seed >>> 0 || 1;
  const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const order = Array.from({ length: PATCHES }, (_, i) => ({ i, key: next() })).sort((a, b) => a.key - b.key);
  const mask = new Float32Array(PATCHES);
  order.slice(0, Math.round(share * PATCHES)).forEach(({ i }) => (mask[i] = 1));
  return mask;
}

function withColour(caption: string, from: string, to: string): string {
  return caption.split(' ').map((w) => (w === from ? to : w)).join(' ');
}

export async function evaluateMaskVlm(modelDir: string, count: number): Promise<MaskVlmEvalReport> {
  const { tokenizer, processor } = await loadPreprocessing(modelDir);
  const session = await onnxSession(modelDir, 'model', { intraOpNumThreads: 2 });
  const vocab = JSON.parse(readFileSync(join(modelDir, 'tokenizer.json'), 'utf8')).model.vocab as Record<string, number>;

  const scenes = heldOutScenes(count).oneShape;
  const plane = 3 * spec.imageSize * spec.imageSize;
  const pixels = await pixelValues(processor, scenes, SAMPLE_VARIANT);
  const captions = scenes.map((s) => captionText(fullCaption(s)));
  const none = new Float32Array(PATCHES);
  const all = new Float32Array(PATCHES).fill(1);

  async function run(queries: readonly Query[]): Promise<Row[]> {
    const rows: Row[] = [];
    for (let start = 0; start < queries.length; start += BATCH) {
      const chunk = queries.slice(start, start + BATCH);
      const text = tokenizer(chunk.map((q) => q.caption), { padding: true, truncation: true });
      const [n, length] = text.input_ids.dims;
      const tokenMask = new BigInt64Array(n * length);
      chunk.forEach((q, b) => { if (q.maskedWord >= 0) tokenMask[b * length + q.maskedWord] = 1n; });
      const pv = new Float32Array(n * plane);
      const pm = new Float32Array(n * PATCHES);
      chunk.forEach((q, b) => { pv.set(pixels.subarray(q.scene * plane, (q.scene + 1) * plane), b * plane); pm.set(q.patchMask, b * PATCHES); });
      const out = await session.run({
        pixel_values: new OrtTensor('float32', pv, [n, 3, spec.imageSize, spec.imageSize]),
        patch_mask: new OrtTensor('float32', pm, [n, PATCHES]),
        input_ids: new OrtTensor('int64', text.input_ids.data as BigInt64Array, [n, length]),
        attention_mask: new OrtTensor('int64', text.attention_mask.data as BigInt64Array, [n, length]),
        token_mask: new OrtTensor('int64', tokenMask, [n, length]),
      });
      const logits = out.word_logits.data as Float32Array;
      const patches = out.reconstructed_patches.data as Float32Array;
      const vocabSize = out.word_logits.dims[2];
      for (let b = 0; b < n; b++) {
        rows.push({
          wordLogits: logits.subarray(b * length * vocabSize, (b + 1) * length * vocabSize), length,
          patches: patches.subarray(b * PATCHES * PATCH_VALUES, (b + 1) * PATCHES * PATCH_VALUES),
          itm: Number(out.itm_probability.data[b]),
        });
      }
    }
    return rows;
  }

  // Masked words: token position = word position + 1 (after [BOS]).
  const wordQueries: { kind: WordKind; target: number; query: Query }[] = [];
  captions.forEach((caption, scene) => caption.split(' ').forEach((word, i) => {
    for (const kind of Object.keys(WORD_KINDS) as WordKind[]) {
      if ((WORD_KINDS[kind] as readonly string[]).includes(word)) wordQueries.push({ kind, target: vocab[word], query: { scene, caption, patchMask: none, maskedWord: i + 1 } });
    }
  }));
  const predicted = async (image: Float32Array) => (await run(wordQueries.map((w) => ({ ...w.query, patchMask: image })))).map((row, j) => {
    const vocabSize = row.wordLogits.length / row.length;
    const logits = row.wordLogits.subarray(wordQueries[j].query.maskedWord * vocabSize, (wordQueries[j].query.maskedWord + 1) * vocabSize);
    return logits.indexOf(Math.max(...logits)) === wordQueries[j].target;
  });
  const [seen, unseen] = [await predicted(none), await predicted(all)];
  const maskedWords = Object.fromEntries((Object.keys(WORD_KINDS) as WordKind[]).map((kind) => {
    const js = wordQueries.map((w, j) => (w.kind === kind ? j : -1)).filter((j) => j >= 0);
    const withImage = js.filter((j) => seen[j]).length / js.length;
    const withoutImage = js.filter((j) => unseen[j]).length / js.length;
    return [kind, { queries: js.length, withImage, withoutImage, lift: withImage - withoutImage }];
  })) as Record<WordKind, MaskedWordScore>;

  // Reconstruction error on masked patches, true caption vs the next palette colour.
  const colourWord = (id: string) => spec.colours.find((c) => c.id === id)!.words[0];
  const nextColour = (id: string) => spec.colours[(spec.colours.findIndex((c) => c.id === id) + 1) % spec.colours.length].words[0];
  const shapeMasks = scenes.map((s) => shapePatchMask(s.shapes[0]));
  async function maskedError(masks: Float32Array[], wrong: boolean): Promise<number> {
    const rows = await run(scenes.map((s, scene) => ({
      scene, patchMask: masks[scene], maskedWord: -1,
      caption: wrong ? withColour(captions[scene], colourWord(s.shapes[0].colour), nextColour(s.shapes[0].colour)) : captions[scene],
    })));
    let total = 0;
    rows.forEach((row, scene) => {
      let sum = 0;
      let n = 0;
      for (let p = 0; p < PATCHES; p++) {
        if (masks[scene][p] !== 1) continue;
        for (let v = 0; v < PATCH_VALUES; v++) {
          const [dy, dx, c] = [Math.floor(v / 12), Math.floor(v / 3) % 4, v % 3];
          const [y, x] = [Math.floor(p / GRID) * 4 + dy, (p % GRID) * 4 + dx];
          sum += (row.patches[p * PATCH_VALUES + v] - pixels[scene * plane + (c * spec.imageSize + y) * spec.imageSize + x]) ** 2;
          n++;
        }
      }
      total += sum / n;
    });
    return total / scenes.length;
  }
  const randomMasks = scenes.map((_, k) => randomPatchMask(HELD_OUT_SEED + k, 0.75));
  const reconstruction = {
    shapeMask: { trueCaption: await maskedError(shapeMasks, false), wrongColourCaption: await maskedError(shapeMasks, true) },
    random75: { trueCaption: await maskedError(randomMasks, false), wrongColourCaption: await maskedError(randomMasks, true) },
  };

  // The colour of a wholly masked shape, under captions naming each palette colour.
  const meanColour = (row: Row, shape: SceneShape): [number, number, number] => {
    const sum = [0, 0, 0];
    let n = 0;
    for (let y = 0; y < spec.imageSize; y++) for (let x = 0; x < spec.imageSize; x++) {
      if (signedDistance(shape, (x + 0.5) / spec.imageSize, (y + 0.5) / spec.imageSize) >= 0) continue;
      const p = Math.floor(y / 4) * GRID + Math.floor(x / 4);
      for (let c = 0; c < 3; c++) sum[c] += (row.patches[p * PATCH_VALUES + ((y % 4) * 4 + (x % 4)) * 3 + c] * 0.5 + 0.5) * 255;
      n++;
    }
    return [sum[0] / n, sum[1] / n, sum[2] / n];
  };
  const named: Record<string, [number, number, number][]> = {};
  for (const colour of spec.colours) {
    const rows = await run(scenes.map((s, scene) => ({
      scene, patchMask: shapeMasks[scene], maskedWord: -1, caption: withColour(captions[scene], colourWord(s.shapes[0].colour), colour.words[0]),
    })));
    named[colour.id] = rows.map((row, scene) => meanColour(row, scenes[scene].shapes[0]));
  }
  const redness = (rgb: [number, number, number]) => rgb[0] - rgb[2];
  const differences = scenes.map((_, k) => redness(named.red[k]) - redness(named.blue[k]));
  const nearest = (rgb: [number, number, number]) => spec.colours.reduce((best, c) => {
    const d = (x: typeof c) => colourRgb(x.id).reduce((s, v, i) => s + (v - rgb[i]) ** 2, 0);
    return d(c) < d(best) ? c : best;
  }).id;
  const perColour = Object.fromEntries(spec.colours.map((c) => [c.id, named[c.id].filter((rgb) => nearest(rgb) === c.id).length / count]));
  const colourFollowsText = {
    redderUnderRed: differences.filter((d) => d > 0).length / count,
    meanRednessDifference: differences.reduce((s, d) => s + d, 0) / count,
    namedColourNearest: Object.values(perColour).reduce((s, v) => s + v, 0) / spec.colours.length,
    perColour,
  };

  // ITM: the true caption, and the next scene's caption (a match only if the grammar says so).
  const trueRows = await run(scenes.map((_, scene) => ({ scene, caption: captions[scene], patchMask: none, maskedWord: -1 })));
  const shuffledRows = await run(scenes.map((_, scene) => ({ scene, caption: captions[(scene + 1) % count], patchMask: none, maskedWord: -1 })));
  const shuffledTrue = scenes.map((s, k) => holds(fullCaption(scenes[(k + 1) % count]), s));
  const correct = trueRows.filter((r) => r.itm > 0.5).length + shuffledRows.filter((r, k) => (r.itm > 0.5) === shuffledTrue[k]).length;
  const falsePairs = shuffledTrue.map((t, k) => (t ? -1 : k)).filter((k) => k >= 0);
  const itm = {
    accuracy: correct / (2 * count),
    trueMean: trueRows.reduce((s, r) => s + r.itm, 0) / count,
    shuffledMean: shuffledRows.reduce((s, r) => s + r.itm, 0) / count,
    trueAboveShuffled: falsePairs.filter((k) => trueRows[k].itm > shuffledRows[k].itm).length / falsePairs.length,
  };
  return { count, renderSize: SAMPLE_RENDER_SIZE, maskedWords, reconstruction, colourFollowsText, itm };
}

export const maskvlm: EvalFamily<MaskVlmEvalReport> = {
  evaluate: ({ modelDir, count }) => evaluateMaskVlm(modelDir, count),
  lines(report, { count }) {
    const r = report.reconstruction;
    const c = report.colourFollowsText;
    const i = report.itm;
    return [
      `held-out one-shape scenes: ${count} (seeds from ${HELD_OUT_SEED}), drawn at ${report.renderSize} px and shrunk`,
      'masked word | queries | with image | without image | lift',
      ...Object.entries(report.maskedWords).map(([kind, s]) => [kind, s.queries, percent(s.withImage), percent(s.withoutImage), `${(100 * s.lift).toFixed(1)} pts`].join(' | ')),
      `MSE on masked patches, shape mask: true caption ${r.shapeMask.trueCaption.toFixed(4)}, wrong colour ${r.shapeMask.wrongColourCaption.toFixed(4)}`,
      `MSE on masked patches, random 75%: true caption ${r.random75.trueCaption.toFixed(4)}, wrong colour ${r.random75.wrongColourCaption.toFixed(4)}`,
      `colour follows text: redder under 'red' in ${percent(c.redderUnderRed)}, mean (R−B) difference ${c.meanRednessDifference.toFixed(1)}; nearest palette colour = named colour ${percent(c.namedColourNearest)} ${JSON.stringify(c.perColour)}`,
      `ITM: accuracy ${percent(i.accuracy)}, mean p(true) ${i.trueMean.toFixed(3)}, mean p(shuffled) ${i.shuffledMean.toFixed(3)}, true above shuffled ${percent(i.trueAboveShuffled)}`,
    ];
  },
};
