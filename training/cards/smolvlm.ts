/**
 * The card of a forge shapes-smolvlm folder (stage 2, or stage 1 beside it), from its config,
 * training.json, goldens.json and the stage-2 folder's eval.json (`training/eval.ts smolvlm --write`),
 * which measures stage 1, stage 2 and the language model alone on the same questions.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { QUESTION_KINDS, chatVocabulary } from '../../src/lib/shapes/index.ts';
import { SMOLVLM_VARIANTS, type Scores, type SmolVlmEvalReport } from '../eval/smolvlm.ts';
import type { SmolVlmGoldens } from '../eval/smolvlm-model.ts';
import { ModelFolder } from './folder.ts';
import { percent, rebuildSection, table, thousands } from './format.ts';

const TARGETS: [string, (s: Scores) => number, string][] = [
  ['colour', (s) => s.kinds.colour, '≥ 97%'], ['shape', (s) => s.kinds.shape, '≥ 97%'], ['counting 1–4', (s) => s.countShapes, '≥ 90%'],
  ['position', (s) => s.kinds.position, '≥ 90%'], ['existence', (s) => s.kinds.exists, '≥ 95%'], ['"yes" to absent objects', (s) => s.hallucination, '≤ 3%'],
  ['relations', (s) => s.kinds.relation, 'reported'],
];

const scoreRow = (name: string, s: Scores) => [name, ...QUESTION_KINDS.map((k) => percent(s.kinds[k])), percent(s.countShapes), percent(s.hallucination), percent(s.all)];
const SCORE_HEAD = ['', ...QUESTION_KINDS, 'count 1–4', '"yes" to absent', 'all'];

function evaluation(folder: ModelFolder, stage: number): string {
  const stage2Dir = stage === 2 ? folder.dir : join(folder.dir, '..', 'shapes-smolvlm');
  if (!existsSync(join(stage2Dir, 'eval.json'))) return '## Held-out quality\n\nNot measured yet: `tsx training/eval.ts smolvlm --write`.\n';
  const e = new ModelFolder(stage2Dir).read('eval.json') as SmolVlmEvalReport;
  const reference = e.stage2['128 px'];
  return `## Held-out quality

\`training/eval.ts smolvlm\`: ${e.count} held-out scenes of one to four shapes (seeds the training data never
used), one question of each kind per scene from the grammar (${e.questions} questions), each scene drawn at
several sizes and shrunk to 64 × 64 by the app's downscaler, answered greedily by transformers.js's
\`model.generate\`. An answer counts when its text is the true answer exactly ("red.", "a circle.",
"at the top left.", "three.", "yes.", or the whole description for "Describe the image").

Stage 2 by drawing:

${table(SCORE_HEAD, SMOLVLM_VARIANTS.map((v) => scoreRow(`stage 2, ${v.name}`, e.stage2[v.name])))}

The same questions (128 px drawings) through stage 1, through the language model alone without the
image (the stage-1 folder's decoder, which is shapes-lm unchanged: the prior the image must
overcome), and through stage 2 without the image:

${table(SCORE_HEAD, [scoreRow('stage 2', reference), scoreRow('stage 1', e.stage1), scoreRow('shapes-lm, no image', e.lm), scoreRow('stage 2, no image', e.stage2Blind)])}

Against the targets of the family (stage 2, 128 px):

${table(['measure', 'target', 'measured', 'met'], TARGETS.map(([name, get, target]) => {
    const value = get(reference);
    const met = target === 'reported' ? '' : target.startsWith('≤') ? String(value <= Number(target.slice(2, -1)) / 100) : String(value >= Number(target.slice(2, -1)) / 100);
    return [name, target, percent(value), met === 'true' ? 'yes' : met === 'false' ? '**no**' : '–'];
  }))}

Examples (128 px):

${table(['question', 'true answer', 'stage 2', 'stage 1', 'shapes-lm, no image'], e.examples.map((x) => [x.question, x.truth, x.stage2, x.stage1, x.lm]))}
`;
}

/** One training run of a stage, as training.json reports it (the earlier runs of stage 2 in `earlier`). */
interface RunReport {
  readonly steps: number;
  readonly batch: number;
  readonly seconds: number;
  readonly conversations: number;
  readonly init?: string | null;
  readonly lr?: number | null;
  readonly weighting?: string;
  /** Each step's images with every question about them (forge --pack). */
  readonly pack?: boolean;
  readonly kind_weights?: string | null;
  readonly earlier?: readonly (RunReport & { checkpoint: string })[];
}

/** The loss each answer got: the mean over the batch's answer tokens, or over its answers, with the kinds' weights. */
function weightingText(run: RunReport): string {
  const kinds = run.kind_weights ? `, answers weighted by kind (${run.kind_weights.replaceAll('=', ' ×').replaceAll(',', ', ')})` : '';
  return run.weighting === 'answer' ? `each answer's tokens averaged, so a one-word answer weighs as much as a description${kinds}` : `the mean over the batch's answer tokens${kinds}`;
}

function runText(run: RunReport): string {
  const minutes = (run.seconds / 60).toFixed(1);
  const batch = run.pack ? `${run.batch} images, every question about each,` : `batch ${run.batch}`;
  return `${thousands(run.steps)} steps of ${batch} in ${minutes} minutes${run.lr ? ` (learning rate ${run.lr})` : ''}, ${thousands(run.conversations)} conversations to draw from, ${weightingText(run)}`;
}

/** This stage's runs, each continuing the one before (stage 2) or from the backbones (stage 1). */
function runsText(training: RunReport): string {
  const earlier = training.earlier ?? [];
  const drawn = '(write-instructions.ts: scenes of one to four shapes drawn at 64–256 px, area-shrunk to 64)';
  if (earlier.length === 0) return `This stage: ${runText(training)} on a shared 2-core CPU ${drawn}.`;
  const runs = [...earlier, { ...training, checkpoint: 'this folder' }];
  return `This stage is ${runs.length} runs on a shared 2-core CPU, each continuing the checkpoint of the one before (the first starts from stage 1; all in \`training/forge.sh smolvlm\`) ${drawn}:

${runs.map((r, i) => `${i + 1}. ${runText(r)}.`).join('\n')}
`;
}

export function smolvlmCard(folder: ModelFolder): string {
  const training = folder.training;
  const config = folder.read('config.json');
  const goldens = folder.read('goldens.json') as SmolVlmGoldens;
  const stage: number = config.shapesworld.stage;
  const t = config.text_config;
  const v = config.vision_config;
  const lm = training.config.lm;
  const answer = (ids: number[]) => ids.filter((id) => id > 10).map((id) => chatVocabulary[id]).join(' ').replace(/ ([.,?])/g, '$1');
  const examples = goldens.cases.filter((c) => c.image !== null).slice(0, 8);
  const history = training.history as Record<string, number>[];
  const name = stage === 2 ? 'shapes-smolvlm' : 'shapes-smolvlm-stage1';

  return `# ${name}

A tiny **vision-language model built from two pretrained backbones**, the way SmolVLM and Idefics3
are built: a pretrained vision encoder and a pretrained language model, joined by a small
connector that learns the mapping between them. Trained by VLM Playground's model forge on
ShapesWorld. This folder is **stage ${stage}** of its two training stages (${stage === 2 ? 'the instruction-tuned model; stage 1 is in [shapes-smolvlm-stage1](../shapes-smolvlm-stage1/README.md)' : 'the connector trained alone; stage 2 is in [shapes-smolvlm](../shapes-smolvlm/README.md)'}).
It loads with transformers.js's \`AutoProcessor\` and \`AutoModelForVision2Seq\` and answers
through \`model.generate\`, exactly as \`HuggingFaceTB/SmolVLM-256M-Instruct\` does.

## Architecture (${thousands(training.parameters)} parameters, ${thousands(training.trained_parameters)} trained in this stage)

- **Vision backbone**: the vision tower of [shapes-clip](../shapes-clip/README.md), **frozen**, its weights
  rebuilt from the bundled graphs (\`forge recover clip\`): ${v.image_size} × ${v.image_size} tiles, patch ${v.patch_size} (an 8 × 8 grid), width
  ${v.hidden_size}, ${v.num_hidden_layers} layers of ${v.num_attention_heads} heads; its last hidden state through its final LayerNorm, class token dropped.
- **Connector**: pixel shuffle (space-to-depth, factor ${config.scale_factor}: each 2 × 2 block of neighbouring patch
  features becomes one ${v.hidden_size * 4}-wide token, so a tile gives ${config.shapesworld.image_seq_len} visual tokens) and one linear projection
  to the language model's ${t.hidden_size} dimensions, as Idefics3's connector${training.config.position_embedding ? `, plus a learned vector for each of a frame's
  ${config.shapesworld.image_seq_len} token places (its 4 × 4 grid; the same for every tile and the global view), trained with the connector, so each
  visual token states its place in the frame to the language model. It is part of \`vision_encoder.onnx\`` : ''}.
- **Language backbone**: **shapes-lm**, a Llama-style causal decoder pretrained by the forge on ShapesWorld
  text only (scene descriptions and question–answer text, no image): ${t.num_hidden_layers} layers, width ${t.hidden_size},
  ${t.num_attention_heads} query heads sharing ${t.num_key_value_heads} key/value heads (grouped-query attention, head size ${t.head_dim}), RMSNorm, rotary
  positions (θ = ${t.rope_theta}), SwiGLU MLP of ${t.intermediate_size}, tied input and output embeddings, a vocabulary of ${t.vocab_size}
  (lower-cased whole words and the chat's special tokens).
- **Images**: the processor resizes an image to ${config.shapesworld.image_size} px on its longest edge and cuts it into 2 × 2 tiles
  of ${config.shapesworld.tile_size} plus the whole image at ${config.shapesworld.tile_size} (the global view): 5 frames, 80 visual tokens, each tile's
  behind \`<fake_token_around_image><row_r_col_c>\` and the global view's behind \`<global-img>\`.

## Training

1. **shapes-lm** (${thousands(lm.layers)} layers, from \`forge train lm\`): next-token prediction on every token of ShapesWorld
   conversations with no image: questions after a scene described in words, and questions alone.
2. **Stage 1** (alignment): only the connector learns, both backbones frozen, on captioning: the image
   with "Describe the image." and its description as the answer.
3. **Stage 2** (instructions): the connector and the language model learn (the vision tower stays
   frozen) on questions of every kind: colour, shape, size, position, counting 1–4, existence
   with "yes" and "no" answers (near misses: a shape of the scene in another colour), relations
   between two shapes, and "Describe the image", in the forms people type them.

The loss is next-token cross-entropy on the answer's tokens. ${runsText(training)}
Validation during the ${training.earlier?.length ? 'last ' : ''}run (held-out images, every answer token right under teacher forcing):

${table(['step', 'loss', ...Object.keys(history[0]).filter((k) => !['step', 'seconds', 'loss'].includes(k))],
    history.map((h) => [`${h.step}`, h.loss.toFixed(3), ...Object.keys(history[0]).filter((k) => !['step', 'seconds', 'loss'].includes(k)).map((k) => percent(h[k]))]))}

${evaluation(folder, stage)}
## Files

| file | inputs → outputs | size |
|---|---|---|
| \`onnx/vision_encoder.onnx\` | \`pixel_values\` float32 [batch, images, 3, ${v.image_size}, ${v.image_size}], \`pixel_attention_mask\` bool [batch, images, ${v.image_size}, ${v.image_size}] → \`image_features\` [frames, ${config.shapesworld.image_seq_len}, ${t.hidden_size}] (padding frames dropped), \`vision_attentions\` [frames, ${v.num_hidden_layers}, ${v.num_attention_heads}, 65, 65] | ${folder.megabytes('onnx/vision_encoder.onnx')} |
| \`onnx/embed_tokens.onnx\` | \`input_ids\` int64 [batch, length] → \`inputs_embeds\` [batch, length, ${t.hidden_size}] | ${folder.megabytes('onnx/embed_tokens.onnx')} |
| \`onnx/decoder_model_merged.onnx\` | \`inputs_embeds\`, \`attention_mask\`, \`position_ids\`, \`past_key_values.{i}.key/value\` [batch, ${t.num_key_value_heads}, past, ${t.head_dim}] → \`logits\` [batch, length, ${t.vocab_size}], \`present.{i}.key/value\`, \`decoder_attentions.{i}\` [batch, ${t.num_attention_heads}, length, past + length] | ${folder.megabytes('onnx/decoder_model_merged.onnx')} |
| \`config.json\`, \`generation_config.json\`, \`preprocessor_config.json\`, \`processor_config.json\`, \`tokenizer.json\`, \`tokenizer_config.json\` | model type \`idefics3\` with a Llama text config; Idefics3's image processor with image splitting; SmolVLM's chat template | |
| \`goldens.json\` | PyTorch's greedy answers to 8 questions about 4 sample images and without an image, prefill logits, image features, attentions (the parity tests compare against it) | ${folder.megabytes('goldens.json')} |

\`\`\`ts
const processor = await AutoProcessor.from_pretrained('${name}');
const model = await AutoModelForVision2Seq.from_pretrained('${name}', { dtype: 'fp32' });
const messages = [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'What colour is the circle?' }] }];
const inputs = await processor(processor.apply_chat_template(messages, { add_generation_prompt: true }), image); // image: 64 × 64
const ids = await model.generate({ ...inputs, max_new_tokens: 48, do_sample: false });
\`\`\`

PyTorch's greedy answers to the golden questions (sample image 0, as in goldens.json):

${table(['question', 'answer'], examples.filter((c) => c.image === 0).map((c) => [c.question, answer(c.generated)]))}

${rebuildSection(['bash training/forge.sh smolvlm   # shapes-lm, both stages, export, parity, eval and these cards', 'node_modules/.bin/tsx training/eval.ts smolvlm --write', `node_modules/.bin/tsx training/card.ts smolvlm ${folder.dir}`])}`;
}
