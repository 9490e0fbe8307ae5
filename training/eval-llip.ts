/**
 * Held-out evaluation of the bundled Llip against the bundled CLIP, on the SAME scenes and drawn
 * variants as eval-clip.ts (its HELD_OUT_SEED and VARIANTS): scenes from the TypeScript
 * generator, drawn at several sizes, shrunk by the app's downscaler and preprocessed by
 * transformers.js; Llip's three graphs run on onnxruntime-node, CLIP runs through transformers.js.
 *
 *   tsx training/eval-llip.ts --model static/models/shapes-llip [--clip static/models/shapes-clip] [--count 500] [--write]
 *
 * Measures, per drawn variant:
 *   full, short, relation   image→text top-1, defined as in eval-clip.ts (CLIP's come from evaluateClip)
 *   relationShapes          the top relation caption names the scene's two shapes, whatever the relation
 *   partialRetrieval        text→image: on the two-shape scenes, each shape's own full caption
 *                           ("a small red circle at the top left", true of one shape only) retrieves
 *                           from all two-shape scenes; right when the top scene makes it true
 *   bothShapes              image→text: a two-shape scene's two best full captions are its two shapes'
 *   contextCosine (Llip)    cosine between a scene's embeddings given each of its two shapes' captions
 *   weightShift (Llip)      total variation between the mixture weights those two captions give, mean over heads
 */
import { writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import {
  AutoProcessor, AutoTokenizer, CLIPTextModelWithProjection, CLIPVisionModelWithProjection, RawImage, Tensor, env,
} from '@huggingface/transformers';
import { captionText, fullCaption, holds, meanings, renderScene, sceneFromSeed, spec, type Meaning, type Scene } from '../src/lib/shapes/index.ts';
import { shrinkShortestEdge } from '../src/lib/image/resample.ts';
import { argmaxRows, cosineMatrix, type Matrix } from '../src/lib/contrastive/similarity.ts';
import { HELD_OUT_SEED, VARIANTS, evaluateClip, type Variant } from './eval-clip.ts';

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

function loadLocal(modelDir: string): string {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = dirname(resolve(modelDir)) + '/';
  return basename(resolve(modelDir));
}

async function pixelValues(processor: Awaited<ReturnType<typeof AutoProcessor.from_pretrained>>, scenes: readonly Scene[], v: Variant) {
  const plane = 3 * spec.imageSize * spec.imageSize;
  const batch = new Float32Array(scenes.length * plane);
  for (const [i, scene] of scenes.entries()) {
    const drawn = renderScene(v.plain ? { ...scene, background: [255, 255, 255] } : scene, v.size, { antialias: v.antialias });
    const small = shrinkShortestEdge({ ...drawn, channels: 3 }, spec.imageSize);
    const { pixel_values } = await processor(new RawImage(small.data, small.width, small.height, 3));
    batch.set(pixel_values.data as Float32Array, i * plane);
  }
  return batch;
}

/** The Llip graphs on onnxruntime-node. `dims` are [K, D] of the mixture tokens. */
export async function llipScorer(modelDir: string) {
  const id = loadLocal(modelDir);
  const tokenizer = await AutoTokenizer.from_pretrained(id);
  const session = (name: string) => InferenceSession.create(join(modelDir, 'onnx', `${name}.onnx`));
  const [vision, text, head] = await Promise.all([session('vision_model'), session('text_model'), session('head_model')]);
  const imageSize = spec.imageSize;
  let dims = [0, 0];
  const int64 = (t: Tensor) => new OrtTensor('int64', t.data as BigInt64Array, t.dims);

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
      const out = await vision.run({ pixel_values: new OrtTensor('float32', pixels, [count, 3, imageSize, imageSize]) });
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
  return { scorer, processor: await AutoProcessor.from_pretrained(id) };
}

/** The bundled CLIP through transformers.js; cosine is monotone in its logits. */
async function clipScorer(modelDir: string) {
  const id = loadLocal(modelDir);
  const tokenizer = await AutoTokenizer.from_pretrained(id);
  const text = await CLIPTextModelWithProjection.from_pretrained(id, { device: 'cpu', dtype: 'fp32' });
  const vision = await CLIPVisionModelWithProjection.from_pretrained(id, { device: 'cpu', dtype: 'fp32' });
  const scorer: Scorer<Tensor, Tensor> = {
    async texts(list) {
      return (await text(tokenizer(list.map((m) => captionText(m)), { padding: true, truncation: true }))).text_embeds as Tensor;
    },
    async images(pixels, count) {
      return (await vision({ pixel_values: new Tensor('float32', pixels, [count, 3, spec.imageSize, spec.imageSize]) })).image_embeds as Tensor;
    },
    async logits(images, texts) {
      return cosineMatrix(images.data as Float32Array, images.dims[0], texts.data as Float32Array, texts.dims[0], images.dims[1]);
    },
  };
  return { scorer, processor: await AutoProcessor.from_pretrained(id) };
}

/** The full caption of one shape of a scene: a caption about that shape only. */
function shapeCaption(scene: Scene, shape: number): Meaning {
  return fullCaption({ ...scene, shapes: [scene.shapes[shape]] });
}

const groups = {
  full: meanings.filter((m) => m.template.id === 'full'),
  short: meanings.filter((m) => m.template.id === 'colour-shape'),
  relation: meanings.filter((m) => m.template.id === 'relation'),
};

function heldOutScenes(count: number) {
  const oneShape = Array.from({ length: count }, (_, k) => sceneFromSeed(HELD_OUT_SEED + k, { count: 1 }));
  const twoShape = Array.from({ length: count }, (_, k) => sceneFromSeed(HELD_OUT_SEED + count + k, { count: 2 })).filter((s) => s.shapes.length === 2);
  // The diversity measures need two shapes that two different full captions tell apart.
  const distinct = twoShape.filter((s) => shapeCaption(s, 0).id !== shapeCaption(s, 1).id);
  return { oneShape, twoShape, distinct };
}

/** Every measure but the Llip-only ones, for one model on one drawn variant. */
async function measure<I, T>(
  scorer: Scorer<I, T>, processor: Awaited<ReturnType<typeof AutoProcessor.from_pretrained>>, v: Variant,
  scenes: ReturnType<typeof heldOutScenes>, texts: Record<keyof typeof groups, T>,
): Promise<{ scores: Record<Measure, number>; misses: Miss[] }> {
  const embed = async (list: readonly Scene[]) => scorer.images(await pixelValues(processor, list, v), list.length);
  const picks = async (name: keyof typeof groups, images: I) => argmaxRows(await scorer.logits(images, texts[name])).map((j) => groups[name][j]);
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
    full: share(scenes.oneShape, fullPicks, (m, s) => m.id === fullCaption(s).id),
    short: share(scenes.oneShape, await picks('short', one), holds),
    relation: share(scenes.twoShape, relationPicks, holds),
    relationShapes: share(scenes.twoShape, relationPicks, (m, s) => holds(bothShapesOf(m), s)),
    partialRetrieval: retrieved / (2 * scenes.distinct.length),
    bothShapes: both / scenes.distinct.length,
  };
  const misses = fullPicks.flatMap((m, i) => {
    const truth = fullCaption(scenes.oneShape[i]);
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

export async function evaluateLlip(modelDir: string, clipDir: string, count: number): Promise<LlipEvalReport> {
  const scenes = heldOutScenes(count);
  const report: LlipEvalReport = {
    count, twoShapeScenes: scenes.distinct.length,
    llip: { ...emptyMeasures(), contextCosine: {}, weightShift: {} }, clip: emptyMeasures(),
    misses: { llip: [], clip: [] },
  };

  const llip = await llipScorer(modelDir);
  const llipTexts = { full: await llip.scorer.texts(groups.full), short: await llip.scorer.texts(groups.short), relation: await llip.scorer.texts(groups.relation) };
  for (const v of VARIANTS) {
    const { scores, misses } = await measure(llip.scorer, llip.processor, v, scenes, llipTexts);
    for (const m of MEASURES) report.llip[m][v.name] = scores[m];
    if (v === VARIANTS[0]) report.misses.llip.push(...misses);
    // How differently one image is seen by the captions of its two shapes.
    const images = await llip.scorer.images(await pixelValues(llip.processor, scenes.distinct, v), scenes.distinct.length);
    let cosine = 0;
    let shift = 0;
    const column = new Map(groups.full.map((m, j) => [m.id, j]));
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
  const clipTexts = { full: await clip.scorer.texts(groups.full), short: await clip.scorer.texts(groups.short), relation: await clip.scorer.texts(groups.relation) };
  const reference = await evaluateClip(clipDir, count);
  for (const v of VARIANTS) {
    const { scores, misses } = await measure(clip.scorer, clip.processor, v, scenes, clipTexts);
    if (v === VARIANTS[0]) report.misses.clip.push(...misses);
    // The shared measure code must agree with eval-clip.ts where both are defined.
    for (const m of ['full', 'short', 'relation'] as const) {
      if (Math.abs(scores[m] - reference[m][v.name]) > 1e-9) throw new Error(`${m} at ${v.name}: ${scores[m]} here, ${reference[m][v.name]} in eval-clip.ts`);
    }
    for (const m of MEASURES) report.clip[m][v.name] = m === 'full' || m === 'short' || m === 'relation' ? reference[m][v.name] : scores[m];
  }
  return report;
}

async function main(): Promise<void> {
  const argument = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : fallback;
  };
  const modelDir = argument('model', 'static/models/shapes-llip');
  const clipDir = argument('clip', 'static/models/shapes-clip');
  const count = Number(argument('count', '500'));
  const report = await evaluateLlip(modelDir, clipDir, count);
  const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(`held-out scenes: ${count} one-shape, ${count} two-shape (${report.twoShapeScenes} with two distinct full captions); seeds from ${HELD_OUT_SEED}`);
  console.log(['drawn as', ...MEASURES.map((m) => `${m} Llip / CLIP`), 'context cosine', 'weight shift'].join(' | '));
  for (const v of VARIANTS) {
    const cells = MEASURES.map((m) => `${percent(report.llip[m][v.name])} / ${percent(report.clip[m][v.name])}`);
    console.log([v.name, ...cells, report.llip.contextCosine[v.name].toFixed(3), report.llip.weightShift[v.name].toFixed(3)].join(' | '));
  }
  if (process.argv.includes('--write')) writeFileSync(join(modelDir, 'eval.json'), JSON.stringify(report, null, 1) + '\n');
}

if (process.argv[1] && resolve(process.argv[1]).endsWith('eval-llip.ts')) void main();
