/**
 * Identical inputs for both sides of the pipeline benchmark (bench.html):
 * - the worker gets what the app sends: 128-px sample renders as raw pixels, caption strings;
 * - the page's own ORT sessions get the tensors the worker builds from those, made here by hand:
 *   area-averaged to 32 px (as the worker's shrinkShortestEdge does), then (x/255 − 0.5)/0.5
 *   in CHW order; token ids from the *bundled* tokenizer's vocabulary, padded to the batch's
 *   longest caption with [PAD] = 0 and an attention mask of 1/0.
 * The page checks the two sides' embeddings agree, so "same inputs" is verified, not assumed.
 */
import * as ort from 'onnxruntime-web/webgpu';
import type { PixelsInput } from '../../src/lib/runtime/protocol';
import { areaResize } from '../../src/lib/image/resample';
import { captionText, GOLDEN_CAPTIONS, meanings, sampleImage } from '../../src/lib/shapes';

export interface Inputs {
  readonly images: PixelsInput[];
  readonly pixelValues: ort.Tensor;
  readonly texts: string[];
  readonly textFeeds: Record<string, ort.Tensor>;
}

const MODEL_SIDE = 32;
const BOS = '[BOS]';
const EOS = '[EOS]';
const PAD = '[PAD]';
const UNK = '[UNK]';

/**
 * The bundled model's word → id map. Not src/lib/shapes' `encodeCaption`: its vocabulary is the
 * current grammar's, which may differ from the one the bundled model was exported with.
 */
export async function loadVocabulary(modelUrl: string): Promise<Map<string, number>> {
  const tokenizer = (await (await fetch(`${modelUrl}/tokenizer.json`)).json()) as { model: { vocab: Record<string, number> } };
  return new Map(Object.entries(tokenizer.model.vocab));
}

/** `count` captions the bundled tokenizer knows every word of: the goldens first, then grammar captions. */
export function benchCaptions(count: number, vocabulary: Map<string, number>): string[] {
  const known = (text: string) => text.split(/\s+/).every((w) => vocabulary.has(w));
  const grammar = meanings.map((m) => captionText(m)).filter(known);
  // Evenly spaced through the grammar, so lengths (and thus the padded width) vary as in use.
  const step = Math.max(1, Math.floor(grammar.length / count));
  const spread = grammar.filter((_, k) => k % step === 0);
  const texts = [...new Set([...GOLDEN_CAPTIONS, ...spread])].slice(0, count);
  if (texts.length < count) throw new Error(`only ${texts.length} usable captions`);
  return texts;
}

function pixelTensor(images: readonly PixelsInput[]): ort.Tensor {
  const plane = MODEL_SIDE * MODEL_SIDE;
  const values = new Float32Array(images.length * 3 * plane);
  images.forEach((image, n) => {
    const small = areaResize(image, MODEL_SIDE, MODEL_SIDE);
    for (let i = 0; i < plane; i++) {
      for (let c = 0; c < 3; c++) values[(n * 3 + c) * plane + i] = (small.data[i * 3 + c] / 255 - 0.5) / 0.5;
    }
  });
  return new ort.Tensor('float32', values, [images.length, 3, MODEL_SIDE, MODEL_SIDE]);
}

function textTensors(texts: readonly string[], vocabulary: Map<string, number>): Record<string, ort.Tensor> {
  const id = (word: string) => vocabulary.get(word) ?? vocabulary.get(UNK)!;
  const rows = texts.map((t) => [id(BOS), ...t.toLowerCase().split(/\s+/).filter(Boolean).map(id), id(EOS)]);
  const width = Math.max(...rows.map((r) => r.length));
  const ids = new BigInt64Array(texts.length * width).fill(BigInt(id(PAD)));
  const mask = new BigInt64Array(texts.length * width);
  rows.forEach((row, n) => row.forEach((token, k) => {
    ids[n * width + k] = BigInt(token);
    mask[n * width + k] = 1n;
  }));
  return {
    input_ids: new ort.Tensor('int64', ids, [texts.length, width]),
    attention_mask: new ort.Tensor('int64', mask, [texts.length, width]),
  };
}

export function buildInputs(batch: number, vocabulary: Map<string, number>): Inputs {
  const images: PixelsInput[] = Array.from({ length: batch }, (_, k) => {
    const render = sampleImage(k);
    return { kind: 'pixels', width: render.width, height: render.height, channels: 3, data: render.data };
  });
  const texts = benchCaptions(batch, vocabulary);
  return { images, pixelValues: pixelTensor(images), texts, textFeeds: textTensors(texts, vocabulary) };
}
