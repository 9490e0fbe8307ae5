/**
 * Held-out evaluation of a forge CoCa: its graphs on onnxruntime-node, captions decoded greedily
 * in TypeScript through the decoder's key/value cache (decoder_model_merged, with the loop the
 * worker and the parity tests run: src/lib/generation/cached-decoder.ts).
 *
 * Measures, per drawn variant, on `count` one-shape scenes:
 *   exact       the greedy caption is the scene's full caption ("a small red circle at the top left")
 *   wellFormed  the greedy caption is one of the 216 full captions (right or wrong)
 *   colour, size, shape, position
 *               the greedy caption's words for that attribute name the scene's (a caption
 *               without such words counts as wrong)
 *   retrieval   image→text top-1 over the 216 full captions with the contrastive embeddings
 * and, on two-shape scenes (never captioned in training, see the CoCa forge):
 *   oneOfTwo    the greedy caption is the full caption of one of the scene's two shapes
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { captionText, fullCaption, spec, type Scene } from '../../src/lib/shapes/index.ts';
import { argmaxRows, cosineMatrix } from '../../src/lib/contrastive/similarity.ts';
import {
  HELD_OUT_SEED, VARIANTS, captionGroups, heldOutScenes, int64, loadPreprocessing, onnxSession, percent, pixelValues, topOneShare, type Variant,
} from './harness.ts';
import type { EvalFamily } from './family.ts';
import { greedyCaptions, sessionGraph, type GreedyOptions } from '../../src/lib/generation/cached-decoder.ts';

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

export async function evaluateCoca(modelDir: string, count: number): Promise<CocaEvalReport> {
  const config = readConfig(modelDir);
  const { tokenizer, processor } = await loadPreprocessing(modelDir);
  const [vision, text, decoder] = await Promise.all(['vision_model', 'text_model', 'decoder_model_merged'].map((name) => onnxSession(modelDir, name)));
  const captioner = sessionGraph(decoder, OrtTensor);
  const size = spec.imageSize;
  const plane = 3 * size * size;

  const full = captionGroups.full;
  const fullTexts = new Set(full.map((m) => captionText(m)));
  const encoded = tokenizer(full.map((m) => captionText(m)), { padding: true, truncation: true });
  const { text_embeds } = await text.run({ input_ids: int64(encoded.input_ids), attention_mask: int64(encoded.attention_mask) }, ['text_embeds']);
  const dim = config.projection_dim;

  /** Greedy captions and contrastive image embeddings of the scenes drawn as `v`, in chunks. */
  async function describe(scenes: readonly Scene[], v: Variant) {
    const pixels = await pixelValues(processor, scenes, v);
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

  const { oneShape: scenes, twoShape } = heldOutScenes(count);
  const report: CocaEvalReport = { count, twoShapeCount: twoShape.length, variants: {}, examples: {} };
  for (const v of VARIANTS) {
    const { captions, imageEmbeds } = await describe(scenes, v);
    const picks = argmaxRows(cosineMatrix(imageEmbeds, count, text_embeds.data as Float32Array, full.length, dim));
    const tally = { exact: 0, wellFormed: 0, colour: 0, size: 0, shape: 0, position: 0 };
    scenes.forEach((scene, i) => {
      const truth = fullCaption(scene);
      const said = captionAttributes(captions[i]);
      tally.exact += Number(captions[i] === captionText(truth));
      tally.wellFormed += Number(fullTexts.has(captions[i]));
      tally.colour += Number(said.colour === truth.slots.colour);
      tally.size += Number(said.size === truth.slots.size);
      tally.shape += Number(said.shape === truth.slots.shape);
      tally.position += Number(said.cell === truth.slots.cell);
    });
    const two = (await describe(twoShape, v)).captions;
    const oneOfTwo = twoShape.filter((scene, i) => scene.shapes.some((shape) => two[i] === captionText(fullCaption({ ...scene, shapes: [shape] })))).length;
    report.variants[v.name] = {
      ...Object.fromEntries(Object.entries(tally).map(([k, n]) => [k, n / count])),
      retrieval: topOneShare('full', picks, scenes),
      oneOfTwo: oneOfTwo / Math.max(1, twoShape.length),
    } as unknown as AttributeScores;
    report.examples[v.name] = scenes.slice(0, 6).map((scene, i) => ({ truth: captionText(fullCaption(scene)), caption: captions[i] }));
  }
  return report;
}

const COLUMNS = ['exact', 'wellFormed', 'colour', 'size', 'shape', 'position', 'retrieval', 'oneOfTwo'] as const;

export const coca: EvalFamily<CocaEvalReport> = {
  evaluate: ({ modelDir, count }) => evaluateCoca(modelDir, count),
  lines: (report, { count }) => [
    `held-out scenes: ${count} one-shape, ${report.twoShapeCount} two-shape (seeds from ${HELD_OUT_SEED})`,
    ['drawn as', ...COLUMNS].join(' | '),
    ...VARIANTS.map((v) => [v.name, ...COLUMNS.map((c) => percent(report.variants[v.name][c]))].join(' | ')),
  ],
};
