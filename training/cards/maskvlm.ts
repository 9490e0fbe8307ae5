/**
 * The card of a forge MaskVLM, from its config, training.json and eval.json
 * (`training/eval.ts maskvlm --write`).
 */
import type { MaskVlmEvalReport, ReconstructionScore, WordKind } from '../eval/maskvlm.ts';
import type { ModelFolder } from './folder.ts';
import { percent, rebuildSection, table, thousands } from './format.ts';

const points = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)} points`;
const share = (x: number) => `${Math.round(100 * x)}%`;
const relative = (a: number, b: number) => `${a < b ? 'lower' : 'higher'} by ${percent(Math.abs(b - a) / b)}`;

/** Plain sentences about what the numbers show, chosen by the numbers. */
function findings(evaluation: MaskVlmEvalReport): string {
  const words = evaluation.maskedWords;
  const kinds = Object.keys(words) as WordKind[];
  const [r, cf, itm] = [evaluation.reconstruction, evaluation.colourFollowsText, evaluation.itm];
  const lines: string[] = [];
  const weakest = kinds.reduce((a, b) => (words[a].lift < words[b].lift ? a : b));
  lines.push(`- The image helps every kind of masked word it can answer: ${kinds.map((k) => `${k} ${points(words[k].lift)}`).join(', ')} ` +
    `(the smallest lift is for ${weakest} words).`);
  if (kinds.some((k) => words[k].lift <= 0)) lines[0] = `- The image does not help every kind of masked word: ${kinds.map((k) => `${k} ${points(words[k].lift)}`).join(', ')}.`;
  lines.push(`- Without the image, the text alone still guesses ${kinds.map((k) => `${k} words ${percent(words[k].withoutImage)}`).join(', ')} of the time: ` +
    'this is what the rest of the caption and the caption grammar give away (for example, "in the …" is always followed by "centre").');
  const gap = (x: ReconstructionScore) => (x.wrongColourCaption - x.trueCaption) / x.wrongColourCaption;
  const [shapeGap, randomGap] = [gap(r.shapeMask), gap(r.random75)];
  lines.push(`- With every patch of the shape hidden, the reconstruction error under the true caption is ${relative(r.shapeMask.trueCaption, r.shapeMask.wrongColourCaption)} ` +
    `than under a caption naming the wrong colour${shapeGap > 0.05 ? ': the caption decides the colour the model paints' : ''}. With 75% of the patches hidden at random ` +
    `it is ${relative(r.random75.trueCaption, r.random75.wrongColourCaption)}` +
    `${randomGap < shapeGap ? ': some visible patch usually shows part of the shape, so the image itself tells the colour and the caption matters less' : ''}.`);
  lines.push(`- Colour follows the text: with the shape hidden, the reconstructed shape is redder (R − B) under "red" than under "blue" in ${percent(cf.redderUnderRed)} ` +
    `of the scenes, by ${cf.meanRednessDifference.toFixed(1)} levels (of 255) on average, and its mean colour is nearest the palette colour the caption names in ` +
    `${percent(cf.namedColourNearest)} of scenes × colours (${Object.entries(cf.perColour).map(([k, v]) => `${k} ${percent(v)}`).join(', ')}).`);
  lines.push(`- ITM tells the true full caption (mean probability ${itm.trueMean.toFixed(3)}) from another scene's (mean ${itm.shuffledMean.toFixed(3)}) with ` +
    `${percent(itm.accuracy)} accuracy at 0.5, and ranks the true caption above the other in ${percent(itm.trueAboveShuffled)} of scenes.`);
  return lines.join('\n');
}

/** The training run's history: losses, and the held-out checks made along the way. */
function historyTable(history: (Record<string, number> & { held_out: Record<string, number> })[]): string {
  const head = ['step', 's', 'MIM', 'MLM', 'ITC', 'ITM', 'held-out MIM, shape mask: true / shuffled caption', 'held-out masked word: image / none', 'held-out ITM'];
  return table(head, history.map((h) => [
    `${h.step}`, `${Math.round(h.seconds)}`, h.mim.toFixed(3), h.mlm.toFixed(3), h.itc.toFixed(3), h.itm.toFixed(3),
    `${h.held_out.mim_shapes_true.toFixed(3)} / ${h.held_out.mim_shapes_shuffled.toFixed(3)}`,
    `${percent(h.held_out.mlm_image)} / ${percent(h.held_out.mlm_no_image)}`, percent(h.held_out.itm_accuracy),
  ]));
}

export function maskvlmCard(folder: ModelFolder): string {
  const training = folder.training;
  const evaluation = folder.read('eval.json') as MaskVlmEvalReport;
  const c = training.config;
  const m = training.masking;
  const patches = (c.image_size / c.patch_size) ** 2;
  const patchValues = c.patch_size * c.patch_size * 3;
  const parts = training.parameters_by_part as Record<string, number>;
  const last = training.history[training.history.length - 1];
  const words = evaluation.maskedWords;
  const kinds = Object.keys(words) as WordKind[];
  const [r, cf, itm] = [evaluation.reconstruction, evaluation.colourFollowsText, evaluation.itm];

  return `# shapes-maskvlm

A tiny **MaskVLM** (Kwon et al. 2023, "Masked Vision and Language Modeling for Multi-modal
Representation Learning") trained by VLM Playground's model forge on ShapesWorld, at the scale
of [shapes-clip](../shapes-clip/README.md). MaskVLM learns by filling in: the masked patches of
an image are reconstructed with the help of the caption, and the masked words of a caption are
predicted with the help of the image. Hide a shape completely and the caption is the only place
its colour can come from; hide the colour word and the image is the only place it can come from.

There is no MaskVLM class in transformers.js: the folder has its own model type
(\`shapes_maskvlm\`). Its tokenizer and image processor are those of shapes-clip and load with
\`AutoTokenizer\` and \`AutoProcessor\`; its one graph runs on onnxruntime (Node or web) directly.

## Architecture (${thousands(training.parameters)} parameters)

- **Image encoder** (${thousands(parts.vision)}): a ViT on ${c.image_size} × ${c.image_size} RGB, patch ${c.patch_size} (${patches} patches), width ${c.vision_width},
  ${c.vision_layers} pre-norm layers of ${c.vision_heads} heads, MLP × ${c.mlp_ratio}, GELU, a class token. A masked patch's embedding is
  replaced by a learned **image mask embedding** before the position embeddings are added.
  Patch positions are fixed 2D sines and cosines (as in MAE, at half scale) plus learned
  embeddings. With learned embeddings alone, started small as in shapes-clip, a run of this recipe
  never learned to read position words from the image (its guesses stayed at the text-only prior):
  the patch features kept too little of where they were.
- **Text encoder** (${thousands(parts.text)}): the shapes-clip word tokens (a WordPiece vocabulary of ${c.vocab_size} whole words),
  ${c.max_text_tokens} positions, width ${c.text_width}, ${c.text_layers} **bidirectional** layers of ${c.text_heads} heads (padding excluded by the
  attention mask). A masked word's embedding is replaced by a learned **text mask embedding**, so
  the tokenizer needs no [MASK] token.
- **Cross-modality encoders** (${thousands(parts.image_cross)} + ${thousands(parts.text_cross)}): an image one and a text one, ${c.cross_layers} blocks each, ${c.cross_heads} heads.
  Each block: self-attention, cross-attention, MLP (pre-norm). As in MaskVLM, the image side's
  patches attend to the text encoder's words, and the text side's words attend to the image
  encoder's patches, whose keys and values also get the fixed patch positions.
- **Heads**: MIM (${thousands(parts.mim_head)}) maps each image-side patch feature to its ${patchValues} normalised pixel values;
  MLM (${thousands(parts.mlm_head)}) maps each text-side word feature to logits over the ${c.vocab_size} words; ITM (${thousands(parts.itm_head)}) maps the
  mean of the image side's patches and the text side's [BOS] to one logit (a sigmoid gives the
  probability); ITC uses the image encoder's class token and the text encoder's [BOS], projected
  to ${c.embed_dim} dimensions, with a learned logit scale (${training.logit_scale} after training).

## Files

| file | what |
|---|---|
| \`config.json\` | \`model_type: shapes_maskvlm\`, \`architectures: [ShapesMaskVLMModel]\`, sizes of every part |
| \`preprocessor_config.json\`, \`tokenizer.json\`, \`tokenizer_config.json\` | shapes-clip's image processor (resize, centre crop, (x / 255 − 0.5) / 0.5) and word tokenizer ([BOS] … [EOS]) |
| \`onnx/model.onnx\` | the whole model, one graph, opset 14, fp32, ${folder.megabytes('onnx/model.onnx')} |
| \`goldens.json\` | PyTorch's outputs for the 8 sample images paired with the 8 golden captions, with fixed masks (${folder.megabytes('goldens.json')}) |
| \`training.json\`, \`eval.json\` | the training run's report and history; the held-out evaluation below |

### The graph

Image b is paired with caption b. B (batch) and L (caption length, padding included) are dynamic.

| input | type, shape | meaning |
|---|---|---|
| \`pixel_values\` | float32 [B, 3, ${c.image_size}, ${c.image_size}] | from the image processor |
| \`patch_mask\` | float32 [B, ${patches}] | 1 = patch hidden; patch k is row ⌊k / ${c.image_size / c.patch_size}⌋, column k mod ${c.image_size / c.patch_size} |
| \`input_ids\`, \`attention_mask\` | int64 [B, L] | from the tokenizer (\`padding: true\`) |
| \`token_mask\` | int64 [B, L] | 1 = word hidden (its id is ignored) |

| output | shape | meaning |
|---|---|---|
| \`reconstructed_patches\` | [B, ${patches}, ${patchValues}] | each patch's pixels, normalised as \`pixel_values\` (value v ↦ 255 · (v · 0.5 + 0.5)); inside a patch the order is row, column, RGB: index (dy · ${c.patch_size} + dx) · 3 + channel |
| \`word_logits\` | [B, L, ${c.vocab_size}] | logits over the vocabulary at every position (trained at masked positions) |
| \`image_to_text_attentions\` | [B, ${c.cross_layers}, ${c.cross_heads}, ${patches}, L] | image side: each patch's cross-attention over the words, per layer and head |
| \`text_to_image_attentions\` | [B, ${c.cross_layers}, ${c.cross_heads}, L, ${patches}] | text side: each word's cross-attention over the patches |
| \`itm_probability\` | [B] | probability that caption b describes image b |
| \`image_embeds\`, \`text_embeds\` | [B, ${c.embed_dim}] | ITC embeddings, not normalised (they see the masks too: pass zero masks for retrieval) |
| \`vision_attentions\` | [B, ${c.vision_layers}, ${c.vision_heads}, ${patches + 1}, ${patches + 1}] | image encoder (the ViT blocks before the cross encoders): each token's self-attention, per layer and head; token 0 is the class token, token k + 1 is patch k |
| \`text_attentions\` | [B, ${c.text_layers}, ${c.text_heads}, L, L] | text encoder: each word's self-attention over the caption, per layer and head (padding keys get 0) |

\`\`\`ts
// Hide the colour word of "a small red circle" and ask the image for it.
const text = tokenizer(['a small red circle'], { padding: true });
const L = text.input_ids.dims[1];
const tokenMask = new BigInt64Array(L); tokenMask[3] = 1n; // [BOS] a small red → position 3
const out = await session.run({ pixel_values, patch_mask: new Tensor('float32', new Float32Array(${patches}), [1, ${patches}]),
  input_ids: text.input_ids, attention_mask: text.attention_mask, token_mask: new Tensor('int64', tokenMask, [1, L]) });
// out.word_logits.dims → [1, L, ${c.vocab_size}]; argmax at position 3 is the model's colour word.
\`\`\`

## Data

The ShapesWorld data of \`training/data\` (spec version ${folder.read('config.json').shapesworld.spec_version}), written by \`training/write-dataset.ts\` from the
playground's own generator and downscaler: one or two shapes (circle, square, triangle; red,
green, blue, yellow; small or large; in a 3 × 3 grid of cells) on grey, dark or white
backgrounds, drawn at 32–160 px and shrunk to ${c.image_size} px, each with one true caption, full ("a small
red circle at the top left") or partial ("something red", "a square on the left", "a red square
above a blue circle"). ${thousands(training.train_samples)} samples train; the last ${thousands(training.held_out_samples)} are held out (${training.validation_samples} of
them for the validation columns below).

## Training

${thousands(training.steps)} steps of AdamW (lr ${training.lr}, cosine, warm-up, weight decay 0.05), batch ${training.batch}, in ${Math.round(training.seconds / 60)} minutes on
${training.threads} CPU thread${training.threads === 1 ? '' : 's'} (${training.seconds_per_step} s a step, held-out checks included). Loss = ${training.loss_weights.mim} · MIM + MLM + ITC + ITM. MaskVLM masks one
modality at a time; here half of each batch is masked on the image side and half on the text side.

- **MIM** (mean squared error on the hidden patches only, the caption whole). Image masks:
  ${share(m.image_masks.random)} random, hiding ${share(m.random_ratio[0])}–${share(m.random_ratio[1])} of the patches; ${share(m.image_masks.shapes)} every patch a shape touches (found from the pixels:
  a channel spread above ${m.shape_saturation}) plus ${share(m.shape_extra_ratio[0])}–${share(m.shape_extra_ratio[1])} more at random; ${share(m.image_masks.block)} a block of ${m.block_side_patches[0]}–${m.block_side_patches[1]} × ${m.block_side_patches[0]}–${m.block_side_patches[1]} patches;
  ${share(m.image_masks.whole)} the whole image (then the caption alone must draw the scene).
- **MLM** (cross-entropy on the hidden words, the image whole; for ${share(m.blank_image_share_mlm)} of rows the image is wholly
  masked, so the model also learns what the words alone imply). Word masks: ${share(m.one_word_share)} of captions lose one
  word, drawn with weights colour ${m.word_weights.colour}, shape ${m.word_weights.shape}, position ${m.word_weights.position}, size ${m.word_weights.size}; the rest lose each word with a rate
  of ${share(m.word_rate[0])}–${share(m.word_rate[1])} (at least one). [BOS], [EOS] and padding are never masked.
- **ITC**: CLIP's symmetric contrastive loss on the unmasked embeddings; every caption true of an
  image counts as a positive.
- **ITM**: a quarter of the pairs get a hard negative caption and a quarter a hard negative image,
  drawn from the ITC similarities; the label is whether the caption is true of the image.

${historyTable(training.history)}

## Held-out evaluation

\`training/eval.ts maskvlm\`: ${evaluation.count} one-shape scenes from seeds the training data never used, drawn at
${evaluation.renderSize} px, shrunk by the app's downscaler, preprocessed and tokenized by transformers.js, run on
onnxruntime-node. Every scene is described by its full caption ("a small red circle at the top left").

**Masked words** (one word hidden; "without the image" hides every patch):

${table(['word', 'queries', 'with the image', 'without it', 'lift'], kinds.map((k) =>
  [k, `${words[k].queries}`, percent(words[k].withImage), percent(words[k].withoutImage), points(words[k].lift)]))}

**Patch reconstruction** (mean squared error on the hidden patches, in normalised pixel units):

| mask | true caption | caption with the wrong colour |
|---|---|---|
| every patch the shape touches | ${r.shapeMask.trueCaption.toFixed(4)} | ${r.shapeMask.wrongColourCaption.toFixed(4)} |
| 75% of the patches at random | ${r.random75.trueCaption.toFixed(4)} | ${r.random75.wrongColourCaption.toFixed(4)} |

**Colour follows the text** (shape hidden): redder under "red" than under "blue" in ${percent(cf.redderUnderRed)} of scenes;
mean (R − B) under "red" minus under "blue": ${cf.meanRednessDifference.toFixed(1)}; nearest palette colour = the named one: ${percent(cf.namedColourNearest)}.

**ITM** (true caption vs another scene's): accuracy ${percent(itm.accuracy)}; true ranked above the other: ${percent(itm.trueAboveShuffled)}.

${findings(evaluation)}

Final training losses: MIM ${last.mim.toFixed(3)}, MLM ${last.mlm.toFixed(3)}, ITC ${last.itc.toFixed(3)}, ITM ${last.itm.toFixed(3)}.

## Limits

- ${c.image_size} px images of at most two flat shapes and a ${c.vocab_size}-word grammar: this shows what the objectives do,
  not what a MaskVLM trained on photographs does. Masked words outside colour, shape and position
  (size words, "a", "the", "at") are trained but not evaluated here, and the evaluation uses
  one-shape scenes with full captions only; two-shape scenes and partial captions are trained on
  but not measured.
- The reconstruction is a mean-squared-error regression: where the caption leaves something open
  (a shape's exact size or place), the reconstruction blurs between the possibilities.
- The model was trained on images shrunk from smooth renders; hard-edged images downscaled
  without area averaging look different to it.

${rebuildSection([
  `bash training/forge.sh maskvlm          # train (${thousands(training.steps)} steps), export, parity test, evaluation, this card`,
  'bash training/forge.sh maskvlm --smoke  # a few steps into a temporary folder, then the parity test',
], '')}
\`tests/parity/maskvlm.parity.test.ts\` checks the graph against \`goldens.json\` in Node (every output within
1e-4, logits relative to their largest magnitude), that attention rows sum to 1, and that masked
pixels and words change nothing.
`;
}
