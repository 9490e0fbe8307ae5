/**
 * Held-out evaluation of a forge Llip against the CLIP named by `--clip`, on the same scenes and
 * drawn variants. Llip's three graphs run on onnxruntime-node, CLIP runs through transformers.js.
 *
 * Measures, per drawn variant:
 *   full, short, relation   image→text top-1, defined as in the CLIP evaluation (CLIP's come from evaluateClip)
 *   relationShapes          the top relation caption names the scene's two shapes, whatever the relation
 *   partialRetrieval        text→image: on the two-shape scenes, each shape's own full caption
 *                           ("a small red circle at the top left", true of one shape only) retrieves
 *                           from all two-shape scenes; right when the top scene makes it true
 *   bothShapes              image→text: a two-shape scene's two best full captions are its two shapes'
 *   contextCosine (Llip)    cosine between a scene's embeddings given each of its two shapes' captions
 *   weightShift (Llip)      total variation between the mixture weights those two captions give, mean over heads
 */
import { Tensor as OrtTensor } from 'onnxruntime-node';
import type { Tensor } from '@huggingface/transformers';
import { captionText, fullCaption, holds, meanings, spec, type Meaning, type Scene } from '../../src/lib/shapes/index.ts';
import { argmaxRows, cosineMatrix, type Matrix } from '../../src/lib/contrastive/similarity.ts';
import {
  HELD_OUT_SEED, VARIANTS, captionGroups, heldOutScenes, int64, loadPreprocessing, onnxSession, percent, pixelValues, topOneShare,
  type CaptionGroup, type Processor, type Variant,
} from './harness.ts';
import { clipTowers, evaluateClip } from './clip.ts';
import type { EvalFamily } from './family.ts';

export const MEASURES = ['full', 'short', 'relation', 'relationShapes', 'partialRetrieval', 'bothShapes'] as const;
export type Measure = (typeof MEASURES)[number];
export type Measures = Record<Measure, Record<string, number>>;

/** A one-shape scene's full caption and the full caption a model ranked first instead. */
export interface Miss { readonly truth: string; readonly picked: string }

export interface LlipEvalReport {
  readonly count: number;
  /** Two-shape scenes whose shapes have different full captions (the diversity measures use these). */
  readonly twoShapeScenes: number;
  readonly llip: Measures & { contextCosine: Record<string, number>; weightShift: Record<string, number> };
  readonly clip: Measures;
  /** Full-caption misses on one-shape scenes drawn at the first variant (32 px). */
  readonly misses: { readonly llip: Miss[]; readonly clip: Miss[] };
}

/** What the measures need from a model: features for images and captions, and their logits. */
interface Scorer<I, T> {
  texts(list: readonly Meaning[]): Promise<T>;
  images(pixelValues: Float32Array, count: number): Promise<I>;
  /** Logits (or any score monotone in them) [images, captions]. */
  logits(images: I, texts: T): Promise<Matrix>;
}

interface LlipImages { readonly mixture: Float32Array; readonly count: number }
interface LlipTexts { readonly embeds: Float32Array; readonly count: number }

/** The Llip graphs on onnxruntime-node. `dims` are [K, D] of the mixture tokens. */
export async function llipScorer(modelDir: string) {
  const { tokenizer, processor } = await loadPreprocessing(modelDir);
  const [vision, text, head] = await Promise.all(['vision_model', 'text_model', 'head_model'].map((name) => onnxSession(modelDir, name)));
  let dims = [0, 0];

  async function runHead(images: LlipImages, texts: LlipTexts, from: number, to: number) {
    const [k, d] = dims;
    return head.run({
      mixture_tokens: new OrtTensor('float32', images.mixture.subarray(from * k * d, to * k * d), [to - from, k, d]),
      text_embeds: new OrtTensor('float32', texts.embeds, [texts.count, d]),
    });
  }

  const scorer: Scorer<LlipImages, LlipTexts> & { runHead: typeof runHead } = {
    async texts(list) {
      const encoded = tokenizer(list.map((m) => captionText(m)), { padding: true, truncation: true });
      const out = await text.run({ input_ids: int64(encoded.input_ids), attention_mask: int64(encoded.attention_mask) });
      return { embeds: out.text_embeds.data as Float32Array, count: list.length };
    },
    async images(pixels, count) {
      const out = await vision.run({ pixel_values: new OrtTensor('float32', pixels, [count, 3, spec.imageSize, spec.imageSize]) });
      dims = out.mixture_tokens.dims.slice(1) as number[];
      return { mixture: out.mixture_tokens.data as Float32Array, count };
    },
    async logits(images, texts) {
      // One contextual embedding per pair: chunks of images keep the head's outputs small.
      const values = new Float64Array(images.count * texts.count);
      const chunk = 64;
      for (let from = 0; from < images.count; from += chunk) {
        const to = Math.min(images.count, from + chunk);
        const out = await runHead(images, texts, from, to);
        values.set(out.logits_per_image.data as Float32Array, from * texts.count);
      }
      return { rows: images.count, columns: texts.count, values };
    },
    runHead,
  };
  return { scorer, processor };
}

/** The CLIP towers as a scorer; cosine is monotone in CLIP's logits. */
async function clipScorer(modelDir: string) {
  const towers = await clipTowers(modelDir);
  const scorer: Scorer<Tensor, Tensor> = {
    texts: (list) => towers.texts(list),
    images: (pixels, count) => towers.images(pixels, count),
    async logits(images, texts) {
      return cosineMatrix(images.data as Float32Array, images.dims[0], texts.data as Float32Array, texts.dims[0], images.dims[1]);
    },
  };
  return { scorer, processor: towers.processor };
}

/** The full caption of one shape of a scene: a caption about that shape only. */
function shapeCaption(scene: Scene, shape: number): Meaning {
  return fullCaption({ ...scene, shapes: [scene.shapes[shape]] });
}

function llipScenes(count: number) {
  const { oneShape, twoShape } = heldOutScenes(count);
  // The diversity measures need two shapes that two different full captions tell apart.
  const distinct = twoShape.filter((s) => shapeCaption(s, 0).id !== shapeCaption(s, 1).id);
  return { oneShape, twoShape, distinct };
}

/** Every measure but the Llip-only ones, for one model on one drawn variant. */
async function measure<I, T>(
  scorer: Scorer<I, T>, processor: Processor, v: Variant, scenes: ReturnType<typeof llipScenes>, texts: Record<CaptionGroup, T>,
): Promise<{ scores: Record<Measure, number>; misses: Miss[] }> {
  const groups = captionGroups;
  const embed = async (list: readonly Scene[]) => scorer.images(await pixelValues(processor, list, v), list.length);
  const picks = async (name: CaptionGroup, images: I) => argmaxRows(await scorer.logits(images, texts[name]));
  const share = (list: readonly Scene[], picked: readonly Meaning[], right: (m: Meaning, s: Scene) => boolean) =>
    picked.filter((m, i) => right(m, list[i])).length / list.length;
  const one = await embed(scenes.oneShape);
  const two = await embed(scenes.twoShape);
  const fullPicks = await picks('full', one);
  const relationPicks = await picks('relation', two);
  const distinct = await embed(scenes.distinct);
  const fullOnTwo = await scorer.logits(distinct, texts.full);
  const column = new Map(groups.full.map((m, j) => [m.id, j]));
  let retrieved = 0;
  let both = 0;
  scenes.distinct.forEach((scene, i) => {
    for (const shape of [0, 1]) {
      const j = column.get(shapeCaption(scene, shape).id)!;
      let best = 0;
      for (let r = 1; r < fullOnTwo.rows; r++) if (fullOnTwo.values[r * fullOnTwo.columns + j] > fullOnTwo.values[best * fullOnTwo.columns + j]) best = r;
      if (holds(groups.full[j], scenes.distinct[best])) retrieved++;
    }
    const row = Array.from(fullOnTwo.values.subarray(i * fullOnTwo.columns, (i + 1) * fullOnTwo.columns));
    const [first, second] = row.map((value, j) => ({ value, j })).sort((a, b) => b.value - a.value);
    if (holds(groups.full[first.j], scene) && holds(groups.full[second.j], scene)) both++;
  });
  const scores = {
    full: topOneShare('full', fullPicks, scenes.oneShape),
    short: topOneShare('short', await picks('short', one), scenes.oneShape),
    relation: topOneShare('relation', relationPicks, scenes.twoShape),
    relationShapes: share(scenes.twoShape, relationPicks.map((j) => groups.relation[j]), (m, s) => holds(bothShapesOf(m), s)),
    partialRetrieval: retrieved / (2 * scenes.distinct.length),
    bothShapes: both / scenes.distinct.length,
  };
  const misses = fullPicks.flatMap((j, i) => {
    const [m, truth] = [groups.full[j], fullCaption(scenes.oneShape[i])];
    return m.id === truth.id ? [] : [{ truth: captionText(truth), picked: captionText(m) }];
  });
  return { scores, misses };
}

/** "a red circle and a blue square" for "a red circle to the left of a blue square": the two shapes, no relation. */
function bothShapesOf(relation: Meaning): Meaning {
  const { colour, shape, colour2, shape2 } = relation.slots;
  return meanings.find((m) => m.template.id === 'and' && m.slots.colour === colour && m.slots.shape === shape
    && m.slots.colour2 === colour2 && m.slots.shape2 === shape2)!;
}

const emptyMeasures = (): Measures => Object.fromEntries(MEASURES.map((m) => [m, {}])) as Measures;

async function groupTexts<T>(scorer: Scorer<unknown, T>): Promise<Record<CaptionGroup, T>> {
  return { full: await scorer.texts(captionGroups.full), short: await scorer.texts(captionGroups.short), relation: await scorer.texts(captionGroups.relation) };
}

export async function evaluateLlip(modelDir: string, clipDir: string, count: number): Promise<LlipEvalReport> {
  const scenes = llipScenes(count);
  const report: LlipEvalReport = {
    count, twoShapeScenes: scenes.distinct.length,
    llip: { ...emptyMeasures(), contextCosine: {}, weightShift: {} }, clip: emptyMeasures(),
    misses: { llip: [], clip: [] },
  };

  const llip = await llipScorer(modelDir);
  const llipTexts = await groupTexts(llip.scorer);
  for (const v of VARIANTS) {
    const { scores, misses } = await measure(llip.scorer, llip.processor, v, scenes, llipTexts);
    for (const m of MEASURES) report.llip[m][v.name] = scores[m];
    if (v === VARIANTS[0]) report.misses.llip.push(...misses);
    // How differently one image is seen by the captions of its two shapes.
    const images = await llip.scorer.images(await pixelValues(llip.processor, scenes.distinct, v), scenes.distinct.length);
    let cosine = 0;
    let shift = 0;
    const column = new Map(captionGroups.full.map((m, j) => [m.id, j]));
    const dim = llipTexts.full.embeds.length / llipTexts.full.count;
    for (const [i, scene] of scenes.distinct.entries()) {
      const embeds = new Float32Array(2 * dim);
      for (const shape of [0, 1]) {
        const j = column.get(shapeCaption(scene, shape).id)!;
        embeds.set(llipTexts.full.embeds.subarray(j * dim, (j + 1) * dim), shape * dim);
      }
      const out = await llip.scorer.runHead(images, { embeds, count: 2 }, i, i + 1);
      const [, , heads, tokens] = out.mixture_weights.dims as number[];
      const weights = out.mixture_weights.data as Float32Array;
      const contextual = out.image_embeds.data as Float32Array;
      cosine += cosineMatrix(contextual.subarray(0, dim), 1, contextual.subarray(dim), 1, dim).values[0];
      for (let h = 0; h < heads; h++) {
        let tv = 0;
        for (let k = 0; k < tokens; k++) tv += Math.abs(weights[h * tokens + k] - weights[(heads + h) * tokens + k]);
        shift += tv / 2 / heads;
      }
    }
    report.llip.contextCosine[v.name] = cosine / scenes.distinct.length;
    report.llip.weightShift[v.name] = shift / scenes.distinct.length;
  }

  const clip = await clipScorer(clipDir);
  const clipTexts = await groupTexts(clip.scorer);
  const reference = await evaluateClip(clipDir, count);
  for (const v of VARIANTS) {
    const { scores, misses } = await measure(clip.scorer, clip.processor, v, scenes, clipTexts);
    if (v === VARIANTS[0]) report.misses.clip.push(...misses);
    // The measure code here must agree with evaluateClip where both are defined.
    for (const m of ['full', 'short', 'relation'] as const) {
      if (Math.abs(scores[m] - reference[m][v.name]) > 1e-9) throw new Error(`${m} at ${v.name}: ${scores[m]} here, ${reference[m][v.name]} in evaluateClip`);
    }
    for (const m of MEASURES) report.clip[m][v.name] = m === 'full' || m === 'short' || m === 'relation' ? reference[m][v.name] : scores[m];
  }
  return report;
}

export const llip: EvalFamily<LlipEvalReport> = {
  flags: { clip: 'static/models/shapes-clip' },
  evaluate: ({ modelDir, count, flags }) => evaluateLlip(modelDir, flags.clip, count),
  lines: (report, { count }) => [
    `held-out scenes: ${count} one-shape, ${count} two-shape (${report.twoShapeScenes} with two distinct full captions); seeds from ${HELD_OUT_SEED}`,
    ['drawn as', ...MEASURES.map((m) => `${m} Llip / CLIP`), 'context cosine', 'weight shift'].join(' | '),
    ...VARIANTS.map((v) => {
      const cells = MEASURES.map((m) => `${percent(report.llip[m][v.name])} / ${percent(report.clip[m][v.name])}`);
      return [v.name, ...cells, report.llip.contextCosine[v.name].toFixed(3), report.llip.weightShift[v.name].toFixed(3)].join(' | ');
    }),
  ],
};
