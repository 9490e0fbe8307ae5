/**
 * Held-out evaluation of a forge SigLIP (transformers.js's SigLIP towers) and, on the same scenes
 * and variants, of the CLIP named by `--clip`, for the card's side-by-side tables.
 *
 * Reports image→text top-1 (as the CLIP evaluation) and, since a sigmoid model judges each pair
 * on its own, how well "σ(logit) > 0.5" decides which one-shape captions are true of a scene (F1).
 */
import { basename, resolve } from 'node:path';
import { SiglipTextModel, SiglipVisionModel, Tensor } from '@huggingface/transformers';
import { captionText, holds, meanings, spec, type Meaning, type Scene } from '../../src/lib/shapes/index.ts';
import { cosineMatrix, argmaxRows } from '../../src/lib/contrastive/similarity.ts';
import {
  HELD_OUT_SEED, VARIANTS, captionGroups, heldOutScenes, loadPreprocessing, percent, pixelValues, topOneShare, type CaptionGroup,
} from './harness.ts';
import { evaluateClip, type EvalReport } from './clip.ts';
import type { EvalFamily } from './family.ts';

export interface Decisions { readonly precision: number; readonly recall: number; readonly f1: number }

export interface SiglipEvalReport extends EvalReport {
  /** σ(logit) > 0.5 against the truth, over every (one-shape scene, one-shape caption) pair. */
  readonly decisions: Record<string, Decisions>;
  readonly logitScale: number;
  readonly logitBias: number;
}

/** What `--write` puts in eval.json: both models on the same scenes. */
export interface SiglipComparison {
  readonly count: number;
  readonly siglip: SiglipEvalReport;
  readonly clip: EvalReport & { readonly model: string };
}

export async function evaluateSiglip(modelDir: string, count: number): Promise<SiglipEvalReport> {
  const { id, tokenizer, processor } = await loadPreprocessing(modelDir);
  const text = await SiglipTextModel.from_pretrained(id, { device: 'cpu', dtype: 'fp32' });
  const vision = await SiglipVisionModel.from_pretrained(id, { device: 'cpu', dtype: 'fp32' });

  // SigLIP is always fed texts padded to its max length (16), as it was trained.
  const textOutputs = async (list: readonly Meaning[]) =>
    text(tokenizer(list.map((m) => captionText(m)), { padding: 'max_length', truncation: true }));
  const embedScenes = async (scenes: readonly Scene[], v: (typeof VARIANTS)[number]) =>
    (await vision({ pixel_values: new Tensor('float32', await pixelValues(processor, scenes, v), [scenes.length, 3, spec.imageSize, spec.imageSize]) }))
      .pooler_output as Tensor;

  const oneShapeTemplates = new Set(spec.templates.one.map((t) => t.id));
  const groups = { ...captionGroups, oneShape: meanings.filter((m) => oneShapeTemplates.has(m.template.id)) };
  const texts = Object.fromEntries(await Promise.all(Object.entries(groups).map(async ([k, list]) => [k, await textOutputs(list)])));
  const logitScale = Number(texts.full.logit_scale.data[0]);
  const logitBias = Number(texts.full.logit_bias.data[0]);
  const cosines = (images: Tensor, group: keyof typeof groups) =>
    cosineMatrix(images.data as Float32Array, images.dims[0], texts[group].pooler_output.data as Float32Array, groups[group].length, images.dims[1]);

  const report: SiglipEvalReport = { count, full: {}, short: {}, relation: {}, decisions: {}, logitScale, logitBias };
  const { oneShape, twoShape } = heldOutScenes(count);
  for (const v of VARIANTS) {
    const one = await embedScenes(oneShape, v);
    const two = await embedScenes(twoShape, v);
    // Top-1 by cosine is top-1 by logit: t > 0 and b is shared by every caption.
    const topOne = (images: Tensor, scenes: readonly Scene[], group: CaptionGroup) => topOneShare(group, argmaxRows(cosines(images, group)), scenes);
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

export const siglip: EvalFamily<SiglipComparison> = {
  flags: { clip: 'static/models/shapes-clip' },
  async evaluate({ modelDir, count, flags }) {
    const report = await evaluateSiglip(modelDir, count);
    const clip = await evaluateClip(flags.clip, count);
    return { count, siglip: report, clip: { model: basename(resolve(flags.clip)), ...clip } };
  },
  lines: ({ count, siglip, clip }) => [
    `held-out scenes: ${count} one-shape, ${count} two-shape (seeds from ${HELD_OUT_SEED}); SigLIP t = ${siglip.logitScale.toFixed(2)}, b = ${siglip.logitBias.toFixed(2)}`,
    ['drawn as', 'full (216) SigLIP / CLIP', 'short (12) SigLIP / CLIP', 'relations (576) SigLIP / CLIP', 'SigLIP σ>0.5 P / R / F1'].join(' | '),
    ...VARIANTS.map((v) => {
      const d = siglip.decisions[v.name];
      return [v.name, ...(['full', 'short', 'relation'] as const).map((k) => `${percent(siglip[k][v.name])} / ${percent(clip[k][v.name])}`),
        `${percent(d.precision)} / ${percent(d.recall)} / ${percent(d.f1)}`].join(' | ');
    }),
  ],
};
