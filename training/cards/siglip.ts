/**
 * The card of a forge SigLIP, from its training.json and eval.json (`training/eval.ts siglip
 * --write`, which evaluates the shipped shapes-clip on the same held-out scenes).
 */
import type { SiglipComparison } from '../eval/siglip.ts';
import { shippedClip, type ModelFolder } from './folder.ts';
import { percent, rebuildSection, table, thousands, variantRows } from './format.ts';

export function siglipCard(folder: ModelFolder): string {
  const training = folder.training;
  const clipTraining = shippedClip('training.json');
  const { count, siglip, clip } = folder.read('eval.json') as SiglipComparison;
  const c = training.config;
  const patches = (c.image_size / c.patch_size) ** 2;
  const minutes = Math.round(training.seconds / 60);
  const last = training.held_out;

  return `# shapes-siglip

A tiny SigLIP trained by VLM Playground's model forge with the **sigmoid loss** on the same
ShapesWorld data as [shapes-clip](../shapes-clip/README.md), bundled so the two training objectives
can be compared side by side. It is laid out as the Hugging Face hub's SigLIP: transformers.js
loads it with \`AutoTokenizer\`, \`AutoProcessor\`, \`SiglipTextModel\`, \`SiglipVisionModel\` and
\`SiglipModel\` exactly as it loads \`Xenova/siglip-base-patch16-224\`.

## Architecture (${thousands(training.parameters)} parameters)

- **Image encoder**: a ViT on ${c.image_size} × ${c.image_size} RGB, patch ${c.patch_size} (${patches} patches, **no class token**),
  learned position embeddings initialised as a 2D sine-cosine grid of amplitude ${c.vision_pos_amplitude} (see Training),
  width ${c.vision_width}, ${c.vision_layers} pre-norm layers of ${c.vision_heads} heads, MLP × ${c.mlp_ratio}, GELU, a final layer norm,
  then SigLIP's **attention pooling head** (MAP): one learned probe query attends over the ${patches}
  patch tokens with ${c.vision_heads} heads, followed by layer norm + MLP with a residual → \`pooler_output\` [${c.vision_width}].
- **Text encoder**: a Unigram tokenizer with one piece per grammar word (${c.vocab_size} pieces with the specials),
  always padded to ${c.max_text_tokens} tokens with \`</s>\`; width ${c.text_width}, ${c.text_layers} **bidirectional** layers of ${c.text_heads} heads
  over all ${c.max_text_tokens} positions (pads included; there is no attention mask, as in the hub's SigLIP); pooled at the
  **last position**, then a linear head → \`pooler_output\` [${c.text_width}].
- **Learned temperature and bias**: logit = cos × t + b, with t = ${training.logit_scale} and b = ${training.logit_bias} after
  training (initialised at t = 10, b = −10, as in the SigLIP paper).

## Files

| file | what | size |
|---|---|---|
| \`onnx/text_model.onnx\` | \`input_ids\` → \`pooler_output\` [batch, ${c.text_width}], \`last_hidden_state\`, \`text_attentions\` [batch, ${c.text_layers}, ${c.text_heads}, ${c.max_text_tokens}, ${c.max_text_tokens}], \`logit_scale\` (t), \`logit_bias\` (b) | ${folder.megabytes('onnx/text_model.onnx')} |
| \`onnx/vision_model.onnx\` | \`pixel_values\` → \`pooler_output\` [batch, ${c.vision_width}], \`last_hidden_state\`, \`vision_attentions\` [batch, ${c.vision_layers}, ${c.vision_heads}, ${patches}, ${patches}], \`pooling_attentions\` [batch, ${c.vision_heads}, 1, ${patches}] | ${folder.megabytes('onnx/vision_model.onnx')} |
| \`onnx/model.onnx\` | the hub's \`SiglipModel\`: \`logits_per_image\`, \`logits_per_text\` (cos × t + b), unit-norm \`text_embeds\`, \`image_embeds\` | ${folder.megabytes('onnx/model.onnx')} |
| \`tokenizer.json\`, \`tokenizer_config.json\` | Unigram model, metaspace pre-tokenizer and decoder, \`</s>\` appended by the post-processor and used as padding, \`<unk>\` for unknown words; \`SiglipTokenizer\`, \`model_max_length\` ${c.max_text_tokens} | |
| \`preprocessor_config.json\` | \`SiglipImageProcessor\`: resize to ${c.image_size} × ${c.image_size} (no crop), rescale, normalise with mean = std = 0.5 | |
| \`goldens.json\` | PyTorch outputs for the 8 first samples × 8 captions (the parity test compares against it) | ${folder.megabytes('goldens.json')} |
| \`training.json\`, \`eval.json\` | the training run's report and the held-out evaluation this card is written from | |

ONNX opset 14, fp32. Feed texts with \`padding: 'max_length', truncation: true\` (the model was
trained only on ${c.max_text_tokens}-token inputs) and turn logits into probabilities with a sigmoid, not a softmax.
The processor squashes an image to ${c.image_size} × ${c.image_size} without keeping its aspect ratio; the app first
shrinks large images by area averaging (shortest edge to ${c.image_size}), so square images arrive at exactly
${c.image_size} × ${c.image_size} and a non-square one is squashed from its shrunk size.

## Data

The shapes-clip forge's data (\`training/data/\`, written by \`training/write-dataset.ts\`): ${thousands(training.train_samples)} training
scenes and ${thousands(training.held_out_samples)} held out, each with one caption from the ShapesWorld grammar. The captions' word ids
are mapped to this tokenizer's pieces (\`[BOS]\` dropped, \`[EOS]\` and padding become \`</s>\`).

## Training

The SigLIP sigmoid loss over every image–caption pair of the batch: z_ij = +1 when caption j is
*true* of image i (the scenes' truth bitsets, so "something red" is a positive for every red
shape in the batch, exactly as shapes-clip's positives), else −1;
loss = −(1/B) Σ_i Σ_j log σ(z_ij (t cos_ij + b)) (summed over captions, averaged over images, as in
the paper). AdamW (lr ${training.lr}, weight decay 0.05, 300 warm-up steps, cosine decay), batch ${training.batch},
${training.steps} steps in ${minutes} minutes on 2 CPU cores (Debian's PyTorch 1.13), a fixed number of steps so that
a rebuild does the same whatever the machine's load. That is ${thousands(training.steps * training.batch)} image–caption pairs seen, against
shapes-clip's ${thousands(clipTraining.steps * clipTraining.batch)} (${clipTraining.steps} steps of ${clipTraining.batch}): the sigmoid loss needed the
longer run to reach the same quality bar (see below), so the two budgets are not equal.

Position was the hard part. With ViT's usual tiny random position embeddings, the pooled image
embedding says almost nothing about *where* the shape is at initialisation, the text embeddings
of "on the left" and "on the right" start out alike, and under the sigmoid loss the model stayed in
that symmetric state: colours, shapes and sizes were learned, positions stayed at chance for
thousands of steps (shapes-clip's softmax loss leaves it within a few hundred). Starting the
learned position embeddings from a strong 2D sine-cosine grid gives the pooled embedding a
position signal from the first step, which the loss then amplifies. On the forge's held-out split the
mean sigmoid probability of the true full caption ended at ${percent(last.p_true)}, of the most probable false
one at ${percent(last.p_best_false)}.

## Held-out quality, against shapes-clip on the same scenes

Measured by \`training/eval.ts siglip\` on ${count} one-shape and ${count} two-shape scenes from seeds the
training stream never used (the same scenes and variants as shapes-clip's own card), rendered by
the TypeScript generator at each size below, then shrunk, preprocessed and embedded through
transformers.js. Image → text top-1: the caption ranked first among all candidates (for SigLIP,
ranking by cosine is ranking by logit).

${table(
  ['drawn as', 'full captions (216): SigLIP / CLIP', 'short "a {colour} {shape}" (12): SigLIP / CLIP', 'two-shape relations (576): SigLIP / CLIP'],
  variantRows((v) => (['full', 'short', 'relation'] as const).map((k) => `${percent(siglip[k][v.name])} / ${percent(clip[k][v.name])}`)),
)}

A sigmoid model also judges each pair on its own: "true" when σ(logit) > 0.5. Over every
(one-shape scene, one-shape caption) pair, with all one-shape templates (full, partial and positional):

${table(['drawn as', 'precision', 'recall', 'F1'], variantRows((v) => {
  const d = siglip.decisions[v.name];
  return [percent(d.precision), percent(d.recall), percent(d.f1)];
}))}

CLIP's softmax scores have no such absolute threshold: they only rank captions against each other.

${rebuildSection([
  `npm run forge:siglip     # training (STEPS=${training.steps}), export, goldens, parity test, eval, this card, quality bar`,
  'npm run forge:siglip:smoke',
])}`;
}
