/**
 * The card of a forge CoCa, from its config, training.json, goldens.json (its greedy captions),
 * eval.json (`training/eval.ts coca --write`) and, for comparison, the shipped shapes-clip's
 * eval.json when it exists.
 */
import { VARIANTS } from '../eval/variants.ts';
import type { CocaConfig, CocaEvalReport } from '../eval/coca.ts';
import { shippedClip, type ModelFolder } from './folder.ts';
import { percent, rebuildSection, table, thousands, variantRows } from './format.ts';

const COLUMNS = [
  ['exact', 'exact caption'], ['wellFormed', 'a full caption at all'], ['colour', 'colour'], ['size', 'size'],
  ['shape', 'shape'], ['position', 'position (cell)'], ['retrieval', 'retrieval top-1 (216)'],
] as const;
const CHANCE = { exact: 1 / 216, wellFormed: Number.NaN, colour: 1 / 4, size: 1 / 2, shape: 1 / 3, position: 1 / 9, retrieval: 1 / 216 };

/** shapes-clip's full-caption top-1 on the same seeds, when its eval.json and training.json are there. */
function clipComparison(): string {
  const clipEval = shippedClip('eval.json') as { count: number; full: Record<string, number> } | undefined;
  const clipTraining = shippedClip('training.json') as { steps: number; batch: number; seconds: number } | undefined;
  if (!clipEval || !clipTraining) return '';
  return `\nFor comparison, [shapes-clip](../shapes-clip/README.md) (contrastive only; ${thousands(clipTraining.steps)} steps of batch ${clipTraining.batch}, ${(clipTraining.seconds / 60).toFixed(0)} minutes) ranks the
right full caption first on ${VARIANTS.map((v) => `${percent(clipEval.full[v.name])} (${v.name})`).join(', ')} of its
${clipEval.count} held-out one-shape scenes (the same seeds).\n`;
}

export function cocaCard(folder: ModelFolder): string {
  const training = folder.training;
  const config = folder.read('config.json') as CocaConfig & { caption_loss_weight: number; contrastive_loss_weight: number };
  const evaluation = folder.read('eval.json') as CocaEvalReport;
  const goldens = folder.read('goldens.json') as { greedy: { text: string[] } };
  const c = training.config;
  const patches = (c.image_size / c.patch_size) ** 2;
  const layers = c.unimodal_layers + c.multimodal_layers;
  const parts = training.parameters_by_part;
  const last = training.history.at(-1);

  return `# shapes-coca

A tiny **CoCa** (Contrastive Captioner; Yu et al. 2022, "CoCa: Contrastive Captioners are
Image-Text Foundation Models") trained by VLM Playground's model forge on ShapesWorld, at the
scale of [shapes-clip](../shapes-clip/README.md). One image encoder feeds two objectives: a
CLIP-style contrastive loss between a pooled image embedding and a text embedding, and a
captioning loss on a text decoder that cross-attends to the image. The decoder is split in two:
its first layers are **unimodal** (text only, no cross-attention) and give the contrastive text
embedding; the layers after them are **multimodal** (they cross-attend to the image tokens) and
predict the next word. So one model both ranks captions and writes them.

There is no CoCa model class in transformers.js: the folder has its own model type
(\`shapes_coca\`). Its tokenizer and image processor are those of shapes-clip and load with
\`AutoTokenizer\` and \`AutoProcessor\`; its graphs run on onnxruntime directly, and
captions are decoded by the caller, one token per step through the decoder's key/value cache
(a few lines, below).

## Architecture (${thousands(training.parameters)} parameters)

- **Image encoder** (${thousands(parts.vision)}): a ViT on ${c.image_size} × ${c.image_size} RGB, patch ${c.patch_size} (${patches} patches, **no class
  token**), width ${c.vision_width}, ${c.vision_layers} pre-norm layers of ${c.vision_heads} heads, MLP × ${c.mlp_ratio}, GELU. Its layer-normed patch
  tokens are the \`image_tokens\` the decoder reads. An **attentional pooler** (one learned query,
  ${c.vision_heads} heads, over the ${patches} image tokens), layer-normed and projected to ${c.embed_dim} dimensions, gives the
  contrastive image embedding.
- **Unimodal text decoder** (${thousands(parts.unimodal)}): word tokens (a WordPiece vocabulary of ${c.vocab_size} whole words) plus
  ${c.max_text_tokens} learned positions, width ${c.text_width}, ${c.unimodal_layers} causal layers of ${c.text_heads} heads. For the contrastive embedding a
  learned **class token is appended after the caption**, as in CoCa; it has no position and a
  padding mask hides pads from it, so its output (layer-normed, projected to ${c.embed_dim} dimensions) does not
  depend on how much padding follows the caption. Attention is causal and the class token comes
  last, so the caption tokens never see it: the captioning path leaves it out.
- **Multimodal text decoder** (${thousands(parts.multimodal)}): ${c.multimodal_layers} causal layers of ${c.text_heads} heads, each with causal
  self-attention, cross-attention from every text position to the ${patches} image tokens, and an MLP;
  then a LayerNorm and a linear layer to ${c.vocab_size} next-token logits.
- **Learned logit scale**: exp(s) = ${training.logit_scale} after training (initialised at 1/0.07, capped at 100).

## Files

| file | inputs → outputs | size |
|---|---|---|
| \`onnx/vision_model.onnx\` | \`pixel_values\` float32 [B, 3, ${c.image_size}, ${c.image_size}] → \`image_tokens\` [B, ${patches}, ${c.vision_width}], \`image_embeds\` [B, ${c.embed_dim}], \`vision_attentions\` [B, ${c.vision_layers}, ${c.vision_heads}, ${patches}, ${patches}] | ${folder.megabytes('onnx/vision_model.onnx')} |
| \`onnx/text_model.onnx\` | \`input_ids\`, \`attention_mask\` int64 [B, L] → \`text_embeds\` [B, ${c.embed_dim}], \`logit_scale\` (scalar, already exponentiated) | ${folder.megabytes('onnx/text_model.onnx')} |
| \`onnx/decoder_model.onnx\` | \`input_ids\`, \`attention_mask\` int64 [B, L] (from [BOS]), \`image_tokens\` float32 [B, ${patches}, ${c.vision_width}] → \`logits\` [B, L, ${c.vocab_size}], \`cross_attentions\` [B, ${c.multimodal_layers}, ${c.text_heads}, L, ${patches}], \`self_attentions\` [B, ${layers}, ${c.text_heads}, L, L] | ${folder.megabytes('onnx/decoder_model.onnx')} |
| \`onnx/decoder_model_merged.onnx\` | the same decoder with a key/value cache, in the layout of transformers.js's \`decoder_model_merged\` graphs: \`input_ids\` int64 [B, N] (the new tokens only), \`attention_mask\` int64 [B, P + N], \`image_tokens\` float32 [B, ${patches}, ${c.vision_width}], \`past_key_values.{i}.key\` / \`.value\` float32 [B, ${c.text_heads}, P, ${c.text_width / c.text_heads}] for each of the ${layers} self-attention layers (unimodal first) → \`logits\` [B, N, ${c.vocab_size}], \`present.{i}.key\` / \`.value\` [B, ${c.text_heads}, P + N, ${c.text_width / c.text_heads}], \`cross_attentions\` [B, ${c.multimodal_layers}, ${c.text_heads}, N, ${patches}], \`self_attentions\` [B, ${layers}, ${c.text_heads}, N, P + N]; with P = 0 it is \`decoder_model\` | ${folder.megabytes('onnx/decoder_model_merged.onnx')} |
| \`config.json\`, \`tokenizer.json\`, \`tokenizer_config.json\`, \`preprocessor_config.json\` | model type \`shapes_coca\`; shapes-clip's tokenizer and image processor | |
| \`goldens.json\` | PyTorch outputs for 8 sample images × 8 captions, the greedy caption of each image, and (\`cached_decoder\`) every step's logits and image 0's attention rows decoded through the cache (the parity tests compare against it) | ${folder.megabytes('goldens.json')} |
| \`training.json\`, \`eval.json\` | the training run's config, report and history, and the held-out evaluation this card is written from | |

ONNX opset 14, fp32; batch and sequence axes are dynamic (L ≤ ${c.max_text_tokens}). \`image_embeds\` and \`text_embeds\`
are not normalised (as in the hub's CLIP towers): normalise both, then cosine × \`logit_scale\`
gives CLIP-style logits. \`logits[:, t]\` predicts token t + 1. Captions are right-padded; the
\`attention_mask\` hides pads. \`vision_attentions\` are over the ${patches} patches only (there is no class
token); \`cross_attentions\` rows are softmaxes over the ${patches} patches; \`self_attentions\` stack the
${c.unimodal_layers} unimodal layers, then the ${c.multimodal_layers} multimodal ones.

### Captioning

Greedy: start from [BOS] (id ${config.text_config.bos_token_id}) and an empty cache (P = 0); at each step feed the last token
with the cache, append the arg-max of its logits and keep \`present.*\` as the next step's
\`past_key_values.*\`; stop after [EOS] (id ${config.text_config.eos_token_id}) or when the caption holds ${config.text_config.max_length} tokens, [BOS] and [EOS]
included. A step costs the same at every position; without the cache each step reads the whole
caption again. \`greedyCaptions\` in \`src/lib/generation/cached-decoder.ts\` does this on onnxruntime:

\`\`\`ts
const { image_tokens } = await vision.run({ pixel_values }, ['image_tokens']);
const decoder = sessionGraph(await InferenceSession.create('onnx/decoder_model_merged.onnx'), Tensor);
const ids = await greedyCaptions(decoder, { image_tokens }, 1, { bos: ${config.text_config.bos_token_id}, eos: ${config.text_config.eos_token_id}, pad: ${config.text_config.pad_token_id}, maxLength: ${config.text_config.max_length} });
tokenizer.decode(ids[0], { skip_special_tokens: true }); // e.g. "${goldens.greedy.text[0]}"
\`\`\`

## Data

The ShapesWorld data shapes-clip is trained on (\`training/data\`, written by
\`training/write-dataset.ts\`): ${thousands(training.train_samples)} training scenes of one shape (${percent(training.caption_samples / training.train_samples)}) or two, drawn by the
TypeScript renderer at random sizes and styles and shrunk to ${c.image_size} px by the app's downscaler, each with
one caption sampled from the grammar; ${thousands(training.held_out_samples)} more are held out for validation during training.

- **Contrastive loss**: on each scene's sampled caption (full, partial such as "a red circle"
  or "something blue", or for two shapes a relation, "and" or count caption).
- **Captioning loss**: on the **full caption** of each one-shape scene ("a small red circle at
  the top left"), read from the dataset's truth bits (the scene's one true meaning whose template
  is "full"), so the decoder learns to say everything it sees in one fixed word order.
  **Two-shape scenes are left out of the captioning loss** (${thousands(training.caption_samples)} of the training scenes are captioned):
  they have no single full caption (which shape first, and which of up to four true relations,
  is arbitrary), and training on an arbitrary choice would teach a coin toss. They still feed the
  contrastive loss.

## Training

${config.caption_loss_weight} × captioning (next-token cross-entropy, teacher forcing, pads ignored) + ${config.contrastive_loss_weight} × contrastive (the
multi-positive InfoNCE of \`training/forge/contrastive.py\`: every caption true of an image is a
positive for it), the captioning weight above the contrastive one as in CoCa. AdamW (lr ${training.lr},
weight decay 0.05 on matrices, ${training.warmup} warm-up steps, cosine decay), batch ${training.batch}, ${thousands(training.steps)} steps in
${(training.seconds / 60).toFixed(1)} minutes on 2 CPU cores (Debian's PyTorch 1.13; ${training.seconds_per_step} s per step without validation).

Validation on the held-out part of the training data during the run (caption exact match on up
to 500 one-shape images; retrieval top-1 over the full captions and the 12 "a {colour} {shape}"
captions, as shapes-clip's training reports):

${table(['step', 'captioning loss', 'contrastive loss', 'exact caption', 'full-caption retrieval', 'short-caption retrieval'],
  training.history.map((h: Record<string, number>) => [`${h.step}`, h.captioning.toFixed(3), h.contrastive.toFixed(3), percent(h.caption_exact), percent(h.full), percent(h.short)]))}

## Held-out quality

Measured by \`training/eval.ts coca\` on ${evaluation.count} one-shape scenes from seeds the training stream never
used (those of shapes-clip's evaluation), drawn by the TypeScript renderer as below, shrunk by the
app's downscaler, preprocessed by transformers.js, and run on onnxruntime-node; captions decoded
greedily in TypeScript. "Exact caption": the greedy caption is the scene's full caption, word for
word. The attribute columns: the caption's words for that attribute name the scene's (a caption
without them counts as wrong). "Retrieval": the contrastive embeddings rank the scene's full
caption first among all 216.

${table(['drawn as', ...COLUMNS.map(([, title]) => title)], [
  ...variantRows((v) => COLUMNS.map(([k]) => percent(evaluation.variants[v.name][k]))),
  ['chance', ...COLUMNS.map(([k]) => (Number.isNaN(CHANCE[k]) ? '' : percent(CHANCE[k])))],
])}
${clipComparison()}
On ${evaluation.twoShapeCount} two-shape scenes (never captioned in training), the greedy caption is the full caption of one
of the two shapes in ${VARIANTS.map((v) => `${percent(evaluation.variants[v.name].oneOfTwo)} (${v.name})`).join(', ')}. The
captioner was never taught a caption naming two shapes, so at best it names one of them.

Greedy captions of the first held-out scenes, drawn at ${VARIANTS[1].name}:

${table(['true full caption', 'greedy caption', 'exact'],
  evaluation.examples[VARIANTS[1].name].map((e) => [e.truth, e.caption, e.caption === e.truth ? 'yes' : 'no']))}

Final validation during training: exact caption ${percent(last.caption_exact)}, full-caption retrieval ${percent(last.full)}.

${rebuildSection([
  `bash training/forge.sh coca          # training (STEPS=${training.steps}), export, goldens, parity test, eval, this card`,
  'bash training/forge.sh coca --smoke  # a few steps on a small dataset in a temporary folder, then the parity test',
])}`;
}
