/**
 * The Probe lab's batched tasks. CoCa's caption likelihood: every (image, caption) pair of a
 * suite read by the captioning decoder in one teacher-forced pass. Each sequence is [BOS]
 * caption [EOS], padded at the end to the batch's longest; the decoder is causal, so the
 * padding after a sequence changes none of the positions read for it. A VLM's answers: every
 * question of a suite answered greedily through the model's own `generate`, the questions whose
 * prompts are alike in length batched into one call.
 */
import { cat, Tensor } from '@huggingface/transformers';
import type { ImageInput, TaskResult } from '../../src/lib/runtime/protocol';
import { decodeStep, emptyCache } from '../../src/lib/generation/cached-decoder';
import { concatenate, prepareImages, type LoadedModel } from './dual-encoder';
import { cachedDecoder } from './forge-tasks';
import { BadImageError } from '../errors';
import { chatTemplate, checkedQuestion, nextTask, readImage, StopWhen, vlmOf, type ProcessorLike } from './vlm';

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

/** The most logits (floats) one batched prefill may return: 32 M, 128 MB. */
const MAX_PREFILL_LOGITS = 32 * 2 ** 20;

/**
 * Answers every question greedily, as `runAnswer` does one at a time, in few `generate` calls:
 * each question's prompt is built by the processor exactly as for one question, and questions
 * whose prompts have the same number of tokens and of image frames are stacked along the batch
 * (the image token positions line up, and no row needs padding, so each row is computed as it
 * would be alone), as many rows a call as the bound on the prefill's logits allows. Every row decodes until all of its batch has ended; a row's answer is its
 * tokens before its first end token.
 * @example await runAnswerBatch(vlm, { images, questions: [{ image: 0, question: 'Is there a red circle?' }], maxNewTokens: 8 }, () => false)
 *   // result.answers: ['yes.']
 */
export async function runAnswerBatch(
  model: LoadedModel,
  task: { images: readonly ImageInput[]; questions: readonly { image: number; question: string }[]; maxNewTokens: number },
  cancelled: () => boolean,
  maxPrefillLogits = MAX_PREFILL_LOGITS,
): Promise<{ result: TaskResult; modelMs: number }> {
  const vlm = vlmOf(model);
  const processor = model.processor as unknown as ProcessorLike;
  const eos = [vlm.generation_config?.eos_token_id ?? vlm.config.eos_token_id ?? []].flat().map(Number);
  const questions = task.questions.map((q) => ({ image: q.image, question: checkedQuestion(q.question) }));
  // Each image is decoded once, however many questions are asked of it.
  const raws = new Map<number, Awaited<ReturnType<typeof readImage>>['raw']>();
  const groups = new Map<string, { rows: number[]; inputs: Record<string, Tensor>[] }>();
  for (const [row, q] of questions.entries()) {
    const image = task.images[q.image];
    if (!image) throw new BadImageError(`Question ${row + 1} asks about image ${q.image}, which was not sent.`);
    const raw = raws.get(q.image) ?? raws.set(q.image, (await readImage(processor, image)).raw).get(q.image)!;
    const inputs = (await processor(chatTemplate(model, q.question, true), [raw])) as Record<string, Tensor>;
    const key = `${inputs.input_ids.dims[1]}:${inputs.pixel_values.dims[1]}`;
    const group = groups.get(key) ?? groups.set(key, { rows: [], inputs: [] }).get(key)!;
    group.rows.push(row);
    group.inputs.push(inputs);
  }
  // A batch's prefill may return logits at every position (graphs without num_logits_to_keep):
  // rows × prompt × vocabulary floats, kept under a bound so a hub model's large vocabulary
  // splits a group into smaller calls rather than exhausting the memory.
  const text = (vlm.config.text_config ?? {}) as { vocab_size?: number };
  const vocabulary = Number(text.vocab_size ?? vlm.config.vocab_size ?? 1);
  const calls = [...groups.values()].flatMap(({ rows, inputs }) => {
    const most = Math.max(1, Math.floor(maxPrefillLogits / (inputs[0].input_ids.dims[1] * vocabulary)));
    return Array.from({ length: Math.ceil(rows.length / most) }, (_, k) => ({ rows: rows.slice(k * most, (k + 1) * most), inputs: inputs.slice(k * most, (k + 1) * most) }));
  });
  const ids: number[][] = questions.map(() => []);
  const started = performance.now();
  // Between forwards the worker reads its queued messages, so a cancel stops it at the next token.
  const forward = vlm.forward;
  vlm.forward = async (feeds) => {
    const outputs = await forward.call(vlm, feeds);
    await nextTask();
    return outputs;
  };
  try {
    for (const { rows, inputs } of calls) {
      if (cancelled()) break;
      const stack = (name: string) => cat(inputs.map((i) => i[name]), 0);
      const prompt = inputs[0].input_ids.dims[1];
      const sequences = (await vlm.generate({
        input_ids: stack('input_ids'),
        attention_mask: stack('attention_mask'),
        pixel_values: stack('pixel_values'),
        pixel_attention_mask: stack('pixel_attention_mask'),
        max_new_tokens: task.maxNewTokens,
        do_sample: false,
        stopping_criteria: [new StopWhen(cancelled)],
      })) as Tensor;
      const [, length] = sequences.dims;
      const data = sequences.data as BigInt64Array;
      rows.forEach((row, b) => {
        const chosen: number[] = [];
        for (let p = prompt; p < length; p++) {
          const id = Number(data[b * length + p]);
          chosen.push(id);
          if (eos.includes(id)) break;
        }
        ids[row] = chosen;
      });
    }
  } finally {
    delete (vlm as { forward?: unknown }).forward;
  }
  const modelMs = performance.now() - started;
  const answers = ids.map((chosen) => {
    const words = chosen.filter((id) => !eos.includes(id));
    return words.length ? processor.tokenizer.decode(words, { skip_special_tokens: true }) : '';
  });
  return { result: { kind: 'answer-batch', answers, ids, batches: calls.length }, modelMs };
}
