/**
 * Held-out evaluation of the bundled CoCa on the scenes and drawn variants of eval-clip.ts (its
 * HELD_OUT_SEED and VARIANTS): one-shape scenes from the TypeScript generator, drawn at several
 * sizes, shrunk by the app's downscaler and preprocessed by transformers.js; the three graphs run
 * on onnxruntime-node, and captions are decoded greedily in TypeScript through the decoder's
 * key/value cache (decoder_model_merged).
 *
 *   tsx training/eval-coca.ts --model static/models/shapes-coca [--count 500] [--write]
 *
 * Measures, per drawn variant, on `count` one-shape scenes:
 *   exact       the greedy caption is the scene's full caption ("a small red circle at the top left")
 *   wellFormed  the greedy caption is one of the 216 full captions (right or wrong)
 *   colour, size, shape, position
 *               the greedy caption's words for that attribute name the scene's (a caption
 *               without such words counts as wrong)
 *   retrieval   image→text top-1 over the 216 full captions with the contrastive embeddings
 * and, on two-shape scenes (never captioned in training, see train_coca.py):
 *   oneOfTwo    the greedy caption is the full caption of one of the scene's two shapes
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { AutoProcessor, AutoTokenizer, RawImage, env, type Tensor } from '@huggingface/transformers';
import { captionText, fullCaption, meanings, renderScene, sceneFromSeed, spec, type Scene } from '../src/lib/shapes/index.ts';
import { shrinkShortestEdge } from '../src/lib/image/resample.ts';
import { argmaxRows, cosineMatrix } from '../src/lib/contrastive/similarity.ts';
import { HELD_OUT_SEED, VARIANTS, type Variant } from './eval-clip.ts';
import { greedyCaptions, sessionGraph, type GreedyOptions } from '../src/lib/generation/cached-decoder.ts';

export interface CocaConfig {
  readonly model_type: string;
  readonly projection_dim: number;
  readonly vision_config: { hidden_size: number; num_patches: number; num_hidden_layers: number; num_attention_heads: number };
  readonly text_config: {
    bos_token_id: number; eos_token_id: number; pad_token_id: number; max_length: number;
    unimodal_layers: number; multimodal_layers: number; num_attention_heads: number; vocab_size: number; hidden_size: number;
  };
}

export function readConfig(modelDir: string): CocaConfig {
  return JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')) as CocaConfig;
}

export function greedyOptions(config: CocaConfig): GreedyOptions {
  const t = config.text_config;
  return { bos: t.bos_token_id, eos: t.eos_token_id, pad: t.pad_token_id, maxLength: t.max_length };
}

export interface AttributeScores {
  readonly exact: number;
  readonly wellFormed: number;
  readonly colour: number;
  readonly size: number;
  readonly shape: number;
  readonly position: number;
  readonly retrieval: number;
  readonly oneOfTwo: number;
}

export interface CocaEvalReport {
  readonly count: number;
  /** Two-shape scenes drawn from the next `count` seeds (those the generator gave two shapes). */
  readonly twoShapeCount: number;
  readonly variants: Record<string, AttributeScores>;
  /** The first scenes' true and greedy captions, per variant. */
  readonly examples: Record<string, { truth: string; caption: string }[]>;
}

/** Attribute ids named by a caption's words (synonyms included); undefined when absent. */
export function captionAttributes(caption: string) {
  const words = caption.split(' ');
  const find = <T extends { id: string; words: readonly string[] }>(list: readonly T[]) => list.find((x) => x.words.some((w) => words.includes(w)))?.id;
  const cell = spec.cells.flatMap((row, r) => row.map((phrase, c) => ({ phrase, id: `${r}${c}` }))).find((x) => caption.endsWith(` ${x.phrase}`))?.id;
  return { colour: find(spec.colours), size: find(spec.sizes), shape: find(spec.shapes), cell };
}

function localId(modelDir: string): string {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = dirname(resolve(modelDir)) + '/';
  return basename(resolve(modelDir));
}

export async function evaluateCoca(modelDir: string, count: number): Promise<CocaEvalReport> {
  const id = localId(modelDir);
  const config = readConfig(modelDir);
  const tokenizer = await AutoTokenizer.from_pretrained(id);
  const processor = await AutoProcessor.from_pretrained(id);
  const session = (name: string) => InferenceSession.create(join(modelDir, 'onnx', `${name}.onnx`));
  const [vision, text, decoder] = await Promise.all([session('vision_model'), session('text_model'), session('decoder_model_merged')]);
  const captioner = sessionGraph(decoder, OrtTensor);
  const int64 = (t: Tensor) => new OrtTensor('int64', t.data as BigInt64Array, t.dims);
  const size = spec.imageSize;
  const plane = 3 * size * size;

  const full = meanings.filter((m) => m.template.id === 'full');
  const fullTexts = new Set(full.map((m) => captionText(m)));
  const encoded = tokenizer(full.map((m) => captionText(m)), { padding: true, truncation: true });
  const { text_embeds } = await text.run({ input_ids: int64(encoded.input_ids), attention_mask: int64(encoded.attention_mask) }, ['text_embeds']);
  const dim = config.projection_dim;

  async function pixelValues(scenes: readonly Scene[], v: Variant): Promise<Float32Array> {
    const batch = new Float32Array(scenes.length * plane);
    for (const [i, scene] of scenes.entries()) {
      const drawn = renderScene(v.plain ? { ...scene, background: [255, 255, 255] } : scene, v.size, { antialias: v.antialias });
      const small = shrinkShortestEdge({ ...drawn, channels: 3 }, size);
      const { pixel_values } = await processor(new RawImage(small.data, small.width, small.height, 3));
      batch.set(pixel_values.data as Float32Array, i * plane);
    }
    return batch;
  }

  /** Greedy captions and contrastive image embeddings of the scenes drawn as `v`, in chunks. */
  async function describe(scenes: readonly Scene[], v: Variant) {
    const pixels = await pixelValues(scenes, v);
    const captions: string[] = [];
    const imageEmbeds = new Float32Array(scenes.length * dim);
    const chunk = 100;
    for (let from = 0; from < scenes.length; from += chunk) {
      const to = Math.min(scenes.length, from + chunk);
      const out = await vision.run({ pixel_values: new OrtTensor('float32', pixels.subarray(from * plane, to * plane), [to - from, 3, size, size]) },
        ['image_tokens', 'image_embeds']);
      imageEmbeds.set(out.image_embeds.data as Float32Array, from * dim);
      for (const ids of await greedyCaptions(captioner, { image_tokens: out.image_tokens }, to - from, greedyOptions(config))) {
        captions.push(tokenizer.decode(ids, { skip_special_tokens: true }));
      }
    }
    return { captions, imageEmbeds };
  }

  const scenes = Array.from({ length: count }, (_, k) => sceneFromSeed(HELD_OUT_SEED + k, { count: 1 }));
  const twoShape = Array.from({ length: count }, (_, k) => sceneFromSeed(HELD_OUT_SEED + count + k, { count: 2 })).filter((s) => s.shapes.length === 2);
  const report: CocaEvalReport = { count, twoShapeCount: twoShape.length, variants: {}, examples: {} };
  for (const v of VARIANTS) {
    const { captions, imageEmbeds } = await describe(scenes, v);
    const picks = argmaxRows(cosineMatrix(imageEmbeds, count, text_embeds.data as Float32Array, full.length, dim));
    const tally = { exact: 0, wellFormed: 0, colour: 0, size: 0, shape: 0, position: 0, retrieval: 0 };
    scenes.forEach((scene, i) => {
      const truth = fullCaption(scene);
      const said = captionAttributes(captions[i]);
      tally.exact += Number(captions[i] === captionText(truth));
      tally.wellFormed += Number(fullTexts.has(captions[i]));
      tally.colour += Number(said.colour === truth.slots.colour);
      tally.size += Number(said.size === truth.slots.size);
      tally.shape += Number(said.shape === truth.slots.shape);
      tally.position += Number(said.cell === truth.slots.cell);
      tally.retrieval += Number(full[picks[i]].id === truth.id);
    });
    const two = (await describe(twoShape, v)).captions;
    const oneOfTwo = twoShape.filter((scene, i) => scene.shapes.some((shape) => two[i] === captionText(fullCaption({ ...scene, shapes: [shape] })))).length;
    report.variants[v.name] = {
      ...Object.fromEntries(Object.entries(tally).map(([k, n]) => [k, n / count])),
      oneOfTwo: oneOfTwo / Math.max(1, twoShape.length),
    } as unknown as AttributeScores;
    report.examples[v.name] = scenes.slice(0, 6).map((scene, i) => ({ truth: captionText(fullCaption(scene)), caption: captions[i] }));
  }
  return report;
}

async function main(): Promise<void> {
  const argument = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : fallback;
  };
  const modelDir = argument('model', 'static/models/shapes-coca');
  const count = Number(argument('count', '500'));
  const report = await evaluateCoca(modelDir, count);
  const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(`held-out scenes: ${count} one-shape, ${report.twoShapeCount} two-shape (seeds from ${HELD_OUT_SEED})`);
  const columns = ['exact', 'wellFormed', 'colour', 'size', 'shape', 'position', 'retrieval', 'oneOfTwo'] as const;
  console.log(['drawn as', ...columns].join(' | '));
  for (const v of VARIANTS) console.log([v.name, ...columns.map((c) => percent(report.variants[v.name][c]))].join(' | '));
  if (process.argv.includes('--write')) writeFileSync(join(modelDir, 'eval.json'), JSON.stringify(report, null, 1) + '\n');
}

if (process.argv[1] && resolve(process.argv[1]).endsWith('eval-coca.ts')) void main();
