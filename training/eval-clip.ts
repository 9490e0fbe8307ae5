/**
 * Held-out evaluation of a bundled CLIP through the playground's own path: scenes from the
 * TypeScript generator (seeds the training data never used), drawn at several sizes, shrunk
 * by the app's downscaler, preprocessed and embedded by transformers.js.
 *
 *   tsx training/eval-clip.ts --model static/models/shapes-clip [--count 500] [--dtype q8] [--write]
 *
 * Reports image→text top-1 over every full one-shape caption, over the short captions
 * "a {colour} {shape}", and over every two-shape relation caption.
 */
import { writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { AutoProcessor, AutoTokenizer, CLIPTextModelWithProjection, CLIPVisionModelWithProjection, RawImage, Tensor, env } from '@huggingface/transformers';
import { captionText, fullCaption, holds, meanings, renderScene, sceneFromSeed, spec, type Meaning, type Scene } from '../src/lib/shapes/index.ts';
import { shrinkShortestEdge } from '../src/lib/image/resample.ts';
import { cosineMatrix, argmaxRows } from '../src/lib/contrastive/similarity.ts';

/** Held-out scenes start here; training draws from one random stream seeded with 1. */
export const HELD_OUT_SEED = 1_000_000;

export interface Variant { readonly name: string; readonly size: number; readonly antialias: boolean; readonly plain: boolean }

export const VARIANTS: readonly Variant[] = [
  { name: '32 px', size: 32, antialias: true, plain: false },
  { name: '64 px', size: 64, antialias: true, plain: false },
  { name: '128 px', size: 128, antialias: true, plain: false },
  { name: '256 px', size: 256, antialias: true, plain: false },
  { name: '224 px, hard edges, white', size: 224, antialias: false, plain: true },
];

export interface EvalReport {
  readonly count: number;
  readonly full: Record<string, number>;
  readonly short: Record<string, number>;
  readonly relation: Record<string, number>;
}

export async function evaluateClip(modelDir: string, count: number, dtype: 'fp32' | 'q8' = 'fp32'): Promise<EvalReport> {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = dirname(resolve(modelDir)) + '/';
  const id = basename(resolve(modelDir));
  const tokenizer = await AutoTokenizer.from_pretrained(id);
  const processor = await AutoProcessor.from_pretrained(id);
  const text = await CLIPTextModelWithProjection.from_pretrained(id, { device: 'cpu', dtype });
  const vision = await CLIPVisionModelWithProjection.from_pretrained(id, { device: 'cpu', dtype });

  async function embedTexts(list: readonly Meaning[]) {
    const out = await text(tokenizer(list.map((m) => captionText(m)), { padding: true, truncation: true }));
    return out.text_embeds as Tensor;
  }
  async function embedScenes(scenes: readonly Scene[], v: Variant) {
    const values: Float32Array[] = [];
    for (const scene of scenes) {
      const drawn = renderScene(v.plain ? { ...scene, background: [255, 255, 255] } : scene, v.size, { antialias: v.antialias });
      const small = shrinkShortestEdge({ ...drawn, channels: 3 }, spec.imageSize);
      const { pixel_values } = await processor(new RawImage(small.data, small.width, small.height, 3));
      values.push(pixel_values.data as Float32Array);
    }
    const batch = new Float32Array(values.length * values[0].length);
    values.forEach((v, i) => batch.set(v, i * v.length));
    const out = await vision({ pixel_values: new Tensor('float32', batch, [values.length, 3, spec.imageSize, spec.imageSize]) });
    return out.image_embeds as Tensor;
  }

  const groups = {
    full: meanings.filter((m) => m.template.id === 'full'),
    short: meanings.filter((m) => m.template.id === 'colour-shape'),
    relation: meanings.filter((m) => m.template.id === 'relation'),
  };
  const report: EvalReport = { count, full: {}, short: {}, relation: {} };
  const oneShape = Array.from({ length: count }, (_, k) => sceneFromSeed(HELD_OUT_SEED + k, { count: 1 }));
  const twoShape = Array.from({ length: count }, (_, k) => sceneFromSeed(HELD_OUT_SEED + count + k, { count: 2 })).filter((s) => s.shapes.length === 2);
  for (const [name, candidates] of Object.entries(groups) as [keyof typeof groups, Meaning[]][]) {
    const texts = await embedTexts(candidates);
    const scenes = name === 'relation' ? twoShape : oneShape;
    for (const v of VARIANTS) {
      const images = await embedScenes(scenes, v);
      const dim = images.dims[1];
      const picks = argmaxRows(cosineMatrix(images.data as Float32Array, scenes.length, texts.data as Float32Array, candidates.length, dim));
      const correct = picks.filter((j, i) => (name === 'full' ? candidates[j].id === fullCaption(scenes[i]).id : holds(candidates[j], scenes[i]))).length;
      report[name][v.name] = correct / scenes.length;
    }
  }
  return report;
}

async function main(): Promise<void> {
  const argument = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : fallback;
  };
  const modelDir = argument('model', 'static/models/shapes-clip');
  const count = Number(argument('count', '500'));
  const dtype = argument('dtype', 'fp32');
  if (dtype !== 'fp32' && dtype !== 'q8') throw new Error(`--dtype must be fp32 or q8, not ${dtype}`);
  const report = await evaluateClip(modelDir, count, dtype);
  const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(`${dtype}, held-out scenes: ${count} one-shape, ${count} two-shape (seeds from ${HELD_OUT_SEED})`);
  console.log(['drawn as', 'full captions (216)', 'short captions (12)', 'relations (576)'].join(' | '));
  for (const v of VARIANTS) console.log([v.name, percent(report.full[v.name]), percent(report.short[v.name]), percent(report.relation[v.name])].join(' | '));
  if (process.argv.includes('--write')) writeFileSync(`${modelDir}/${dtype === 'fp32' ? 'eval' : `eval-${dtype}`}.json`, JSON.stringify(report, null, 1) + '\n');
}

if (process.argv[1] && resolve(process.argv[1]).endsWith('eval-clip.ts')) void main();
