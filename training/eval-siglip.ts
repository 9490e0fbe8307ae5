/**
 * Held-out evaluation of the bundled SigLIP through the playground's own path, on the SAME
 * scenes and drawn variants as eval-clip.ts (its HELD_OUT_SEED and VARIANTS): scenes from the
 * TypeScript generator, drawn at several sizes, shrunk by the app's downscaler, preprocessed and
 * embedded by transformers.js. Optionally evaluates the bundled CLIP alongside, for the card.
 *
 *   tsx training/eval-siglip.ts --model static/models/shapes-siglip [--count 500] [--clip static/models/shapes-clip] [--write]
 *
 * Reports image→text top-1 (as eval-clip.ts) and, since a sigmoid model judges each pair on its
 * own, how well "σ(logit) > 0.5" decides which one-shape captions are true of a scene (F1).
 */
import { writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { AutoProcessor, AutoTokenizer, RawImage, SiglipTextModel, SiglipVisionModel, Tensor, env } from '@huggingface/transformers';
import { captionText, fullCaption, holds, meanings, renderScene, sceneFromSeed, spec, type Meaning, type Scene } from '../src/lib/shapes/index.ts';
import { shrinkShortestEdge } from '../src/lib/image/resample.ts';
import { cosineMatrix, argmaxRows } from '../src/lib/contrastive/similarity.ts';
import { HELD_OUT_SEED, VARIANTS, evaluateClip, type EvalReport, type Variant } from './eval-clip.ts';

export interface Decisions { readonly precision: number; readonly recall: number; readonly f1: number }

export interface SiglipEvalReport extends EvalReport {
  /** σ(logit) > 0.5 against the truth, over every (one-shape scene, one-shape caption) pair. */
  readonly decisions: Record<string, Decisions>;
  readonly logitScale: number;
  readonly logitBias: number;
}

export async function evaluateSiglip(modelDir: string, count: number): Promise<SiglipEvalReport> {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = dirname(resolve(modelDir)) + '/';
  const id = basename(resolve(modelDir));
  const tokenizer = await AutoTokenizer.from_pretrained(id);
  const processor = await AutoProcessor.from_pretrained(id);
  const text = await SiglipTextModel.from_pretrained(id, { device: 'cpu', dtype: 'fp32' });
  const vision = await SiglipVisionModel.from_pretrained(id, { device: 'cpu', dtype: 'fp32' });

  // SigLIP is always fed texts padded to its max length (16), as it was trained.
  const textOutputs = async (list: readonly Meaning[]) =>
    text(tokenizer(list.map((m) => captionText(m)), { padding: 'max_length', truncation: true }));
  async function embedScenes(scenes: readonly Scene[], v: Variant) {
    const values: Float32Array[] = [];
    for (const scene of scenes) {
      const drawn = renderScene(v.plain ? { ...scene, background: [255, 255, 255] } : scene, v.size, { antialias: v.antialias });
      // Square renders shrink to 32 × 32 exactly, so the processor's squash-resize is a no-op here.
      const small = shrinkShortestEdge({ ...drawn, channels: 3 }, spec.imageSize);
      const { pixel_values } = await processor(new RawImage(small.data, small.width, small.height, 3));
      values.push(pixel_values.data as Float32Array);
    }
    const batch = new Float32Array(values.length * values[0].length);
    values.forEach((v, i) => batch.set(v, i * v.length));
    const out = await vision({ pixel_values: new Tensor('float32', batch, [values.length, 3, spec.imageSize, spec.imageSize]) });
    return out.pooler_output as Tensor;
  }

  const oneShapeTemplates = new Set(spec.templates.one.map((t) => t.id));
  const groups = {
    full: meanings.filter((m) => m.template.id === 'full'),
    short: meanings.filter((m) => m.template.id === 'colour-shape'),
    relation: meanings.filter((m) => m.template.id === 'relation'),
    oneShape: meanings.filter((m) => oneShapeTemplates.has(m.template.id)),
  };
  const texts = Object.fromEntries(await Promise.all(Object.entries(groups).map(async ([k, list]) => [k, await textOutputs(list)])));
  const logitScale = Number(texts.full.logit_scale.data[0]);
  const logitBias = Number(texts.full.logit_bias.data[0]);
  const cosines = (images: Tensor, group: keyof typeof groups) =>
    cosineMatrix(images.data as Float32Array, images.dims[0], texts[group].pooler_output.data as Float32Array, groups[group].length, images.dims[1]);

  const report: SiglipEvalReport = { count, full: {}, short: {}, relation: {}, decisions: {}, logitScale, logitBias };
  const oneShape = Array.from({ length: count }, (_, k) => sceneFromSeed(HELD_OUT_SEED + k, { count: 1 }));
  const twoShape = Array.from({ length: count }, (_, k) => sceneFromSeed(HELD_OUT_SEED + count + k, { count: 2 })).filter((s) => s.shapes.length === 2);
  for (const v of VARIANTS) {
    const one = await embedScenes(oneShape, v);
    const two = await embedScenes(twoShape, v);
    // Top-1 by cosine is top-1 by logit: t > 0 and b is shared by every caption.
    const topOne = (images: Tensor, scenes: readonly Scene[], group: 'full' | 'short' | 'relation') =>
      argmaxRows(cosines(images, group)).filter((j, i) =>
        group === 'full' ? groups.full[j].id === fullCaption(scenes[i]).id : holds(groups[group][j], scenes[i])).length / scenes.length;
    report.full[v.name] = topOne(one, oneShape, 'full');
    report.short[v.name] = topOne(one, oneShape, 'short');
    report.relation[v.name] = topOne(two, twoShape, 'relation');
    const m = cosines(one, 'oneShape');
    let [tp, fp, fn] = [0, 0, 0];
    oneShape.forEach((scene, i) => groups.oneShape.forEach((caption, j) => {
      const said = m.values[i * m.columns + j] * logitScale + logitBias > 0; // σ(logit) > 0.5
      const truth = holds(caption, scene);
      if (said && truth) tp++;
      else if (said) fp++;
      else if (truth) fn++;
    }));
    const precision = tp / Math.max(1, tp + fp);
    const recall = tp / Math.max(1, tp + fn);
    report.decisions[v.name] = { precision, recall, f1: (2 * precision * recall) / Math.max(1e-9, precision + recall) };
  }
  return report;
}

async function main(): Promise<void> {
  const argument = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : fallback;
  };
  const modelDir = argument('model', 'static/models/shapes-siglip');
  const clipDir = argument('clip', 'static/models/shapes-clip');
  const count = Number(argument('count', '500'));
  const siglip = await evaluateSiglip(modelDir, count);
  const clip = await evaluateClip(clipDir, count);
  const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(`held-out scenes: ${count} one-shape, ${count} two-shape (seeds from ${HELD_OUT_SEED}); SigLIP t = ${siglip.logitScale.toFixed(2)}, b = ${siglip.logitBias.toFixed(2)}`);
  console.log(['drawn as', 'full (216) SigLIP / CLIP', 'short (12) SigLIP / CLIP', 'relations (576) SigLIP / CLIP', 'SigLIP σ>0.5 P / R / F1'].join(' | '));
  for (const v of VARIANTS) {
    const d = siglip.decisions[v.name];
    console.log([v.name, ...(['full', 'short', 'relation'] as const).map((k) => `${percent(siglip[k][v.name])} / ${percent(clip[k][v.name])}`),
      `${percent(d.precision)} / ${percent(d.recall)} / ${percent(d.f1)}`].join(' | '));
  }
  if (process.argv.includes('--write')) {
    writeFileSync(`${modelDir}/eval.json`, JSON.stringify({ count, siglip, clip: { model: basename(resolve(clipDir)), ...clip } }, null, 1) + '\n');
  }
}

if (process.argv[1] && resolve(process.argv[1]).endsWith('eval-siglip.ts')) void main();
