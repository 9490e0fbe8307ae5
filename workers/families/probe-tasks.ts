/**
 * CoCa's caption likelihood for the Probe lab: every (image, caption) pair of a suite read by
 * the captioning decoder in one teacher-forced pass. Each sequence is [BOS] caption [EOS],
 * padded at the end to the batch's longest; the decoder is causal, so the padding after a
 * sequence changes none of the positions read for it.
 */
import { Tensor } from '@huggingface/transformers';
import type { ImageInput, TaskResult } from '../../src/lib/runtime/protocol';
import { decodeStep, emptyCache } from '../../src/lib/generation/cached-decoder';
import { concatenate, prepareImages, type LoadedModel } from './dual-encoder';
import { cachedDecoder } from './forge-tasks';
import { BadImageError } from '../errors';

/** Log-softmax of one row of logits at one index. */
function logProbability(row: Float32Array, index: number): number {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) max = Math.max(max, row[i]);
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i] - max);
  return row[index] - max - Math.log(sum);
}

/**
 * The mean log-probability per token (the caption's words and [EOS]) of each pair's caption
 * given its image: `pairs[k] = [image, caption]` index into `images` and `texts`.
 * @example await runCaptionLikelihood(coca, { images, texts, pairs: [[0, 0], [0, 1]] }) // meanLogProb: Float32Array(2)
 */
export async function runCaptionLikelihood(
  model: LoadedModel,
  task: { images: readonly ImageInput[]; texts: readonly string[]; pairs: readonly (readonly [number, number])[] },
): Promise<{ result: TaskResult; modelMs: number }> {
  const coca = model.info.coca;
  if (!model.vision || !coca) throw new Error(`${model.info.source.id} is not a captioning model.`);
  const { values, dims, outcomes } = await prepareImages(model, task.images);
  const bad = outcomes.find((o) => !o.ok);
  if (bad && !bad.ok) throw new BadImageError(bad.message);
  const graph = cachedDecoder(model);
  const sequences = task.texts.map((text) => {
    const ids = model.tokenizer.encode(text, { add_special_tokens: false }) as number[];
    return [coca.bos, ...ids.slice(0, coca.maxLength - 2), coca.eos];
  });
  const longest = Math.max(...sequences.map((s) => s.length));
  const rows = task.pairs.map(([, t]) => [...sequences[t], ...new Array<number>(longest - sequences[t].length).fill(0)]);
  const started = performance.now();
  const vision = await model.vision({ pixel_values: new Tensor('float32', concatenate(values), [values.length, ...dims.slice(1)]) });
  const [, patches, width] = vision.image_tokens.dims;
  const all = vision.image_tokens.data as Float32Array;
  const block = patches * width;
  const gathered = new Float32Array(task.pairs.length * block);
  task.pairs.forEach(([i], k) => gathered.set(all.subarray(i * block, (i + 1) * block), k * block));
  const image_tokens = new Tensor('float32', gathered, [task.pairs.length, patches, width]);
  const { outputs } = await decodeStep(graph, emptyCache(graph, task.pairs.length), rows, { image_tokens });
  const modelMs = performance.now() - started;
  const [, positions, vocabulary] = outputs.logits.dims;
  const logits = outputs.logits.data as Float32Array;
  const meanLogProb = new Float32Array(task.pairs.length);
  const tokens = task.pairs.map(([, t]) => sequences[t].length - 1);
  task.pairs.forEach(([, t], k) => {
    const sequence = sequences[t];
    let sum = 0;
    // Position p predicts token p + 1.
    for (let p = 0; p < sequence.length - 1; p++) {
      const start = (k * positions + p) * vocabulary;
      sum += logProbability(logits.subarray(start, start + vocabulary), sequence[p + 1]);
    }
    meanLogProb[k] = sum / (sequence.length - 1);
  });
  return { result: { kind: 'caption-likelihood', meanLogProb, tokens }, modelMs };
}
