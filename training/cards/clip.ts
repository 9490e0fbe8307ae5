/**
 * The card of a forge CLIP, from its training.json, eval.json and eval-q8.json
 * (`training/eval.ts clip [--dtype q8] --write`).
 */
import { VARIANTS } from '../eval/variants.ts';
import type { EvalReport } from '../eval/clip.ts';
import type { ModelFolder } from './folder.ts';
import { percent, rebuildSection, table, thousands } from './format.ts';

/** Image → text top-1 per drawn variant: full captions, short captions, relations. */
function topOneTable(head: readonly string[], report: EvalReport): string {
  return table(head, VARIANTS.map((v) => [v.name, percent(report.full[v.name]), percent(report.short[v.name]), percent(report.relation[v.name])]));
}

export function clipCard(folder: ModelFolder): string {
  const training = folder.training;
  const evaluation = folder.read('eval.json') as EvalReport;
  const q8 = folder.read('eval-q8.json') as EvalReport;
  const c = training.config;
  const patches = (c.image_size / c.patch_size) ** 2;

  return `# shapes-clip

A tiny CLIP trained by VLM Playground's model forge on ShapesWorld, bundled with the app so the
Contrastive lab works offline at first load. It is a real model in the Hugging Face hub's CLIP
layout: transformers.js loads it with \`CLIPTextModelWithProjection\` /
\`CLIPVisionModelWithProjection\` exactly as it loads a hub CLIP.

## Architecture (${thousands(training.parameters)} parameters)

- **Image encoder**: a ViT on ${c.image_size} × ${c.image_size} RGB, patch ${c.patch_size} (${patches} patches + a class token),
  width ${c.vision_width}, ${c.vision_layers} pre-norm layers of ${c.vision_heads} heads, MLP × ${c.mlp_ratio}, GELU; the class token,
  layer-normed, is projected to ${c.embed_dim} dimensions.
- **Text encoder**: word tokens (a WordPiece vocabulary of ${c.vocab_size} whole words), ${c.max_text_tokens} positions,
  width ${c.text_width}, ${c.text_layers} causal layers of ${c.text_heads} heads; pooled at the last real token (the EOS), projected
  to ${c.embed_dim} dimensions.
- **Learned logit scale**: exp(s) = ${training.logit_scale} after training (initialised at 1/0.07, capped at 100).

## Files

| file | what | size |
|---|---|---|
| \`onnx/text_model.onnx\` | \`input_ids\`, \`attention_mask\` → \`text_embeds\` [batch, ${c.embed_dim}], \`last_hidden_state\`, \`text_attentions\` [batch, ${c.text_layers}, ${c.text_heads}, T, T], \`logit_scale\` | ${folder.megabytes('onnx/text_model.onnx')} |
| \`onnx/vision_model.onnx\` | \`pixel_values\` → \`image_embeds\` [batch, ${c.embed_dim}], \`last_hidden_state\`, \`vision_attentions\` [batch, ${c.vision_layers}, ${c.vision_heads}, ${patches + 1}, ${patches + 1}] | ${folder.megabytes('onnx/vision_model.onnx')} |
| \`onnx/model.onnx\` | the hub's \`CLIPModel\`: \`logits_per_image\`, \`logits_per_text\`, unit-norm \`text_embeds\`, \`image_embeds\` | ${folder.megabytes('onnx/model.onnx')} |
| \`onnx/text_model_quantized.onnx\`, \`onnx/vision_model_quantized.onnx\` | the same towers with 8-bit weights (transformers.js dtype \`q8\`), for the fp32-vs-q8 comparison | ${folder.megabytes('onnx/text_model_quantized.onnx')}, ${folder.megabytes('onnx/vision_model_quantized.onnx')} |
| \`goldens.json\` | PyTorch outputs for the 8 first samples × 8 captions (the parity and browser tests compare against it) | ${folder.megabytes('goldens.json')} |
| \`training.json\`, \`eval.json\` | the training run's report and the held-out evaluation this card is written from | |

ONNX opset 14. The fp32 towers are the trained weights. The q8 towers (\`training/forge/quantize.py\`)
store every weight matrix of a MatMul, the patch convolution and the token table as int8 with one
scale per output channel, turned back to float by a \`DequantizeLinear\` node; activations stay
float and the named outputs are the same. Embeddings from the towers are not normalised (as in the hub's CLIP towers).

## Data

ShapesWorld (\`src/lib/shapes/\`): ${thousands(training.train_samples)} training scenes of one shape (three in four) or two, in
3 shapes × 4 colours × 2 size classes × a 3 × 3 grid of positions, each drawn by the TypeScript
renderer at a random size (32–160 px), with anti-aliased or hard edges, random grey or tinted
backgrounds (white in a fifth), Gaussian noise in half of them, then shrunk to 32 px by the app's
own area-averaging downscaler. Each scene has one caption drawn from the grammar: full
descriptions ("a small red circle at the top left"), partial ones ("a red circle", "something
blue", "a square on the left", "a green triangle at the top") and, for two shapes, relations
("a red circle to the left of a blue square"), "and" captions and counts.

## Training

Symmetric InfoNCE where every caption that is *true* of an image is a positive for it (identical
captions included, and "something red" for every red shape in the batch), the target spread
evenly over the positives. AdamW (lr 2e-3, weight decay 0.05, 300 warm-up steps, cosine decay),
batch ${training.batch}, ${training.steps} steps in ${Math.round(training.seconds / 60)} minutes on 2 CPU cores (Debian's PyTorch 1.13).

## Held-out quality

Measured by \`npm run eval\` on ${evaluation.count} one-shape and ${evaluation.count} two-shape scenes from seeds the training
stream never used, rendered by the TypeScript generator at each size below, then shrunk,
preprocessed and embedded through transformers.js (the playground's own path). Image → text
top-1: the caption the model ranks first among all candidates.

${topOneTable(['drawn as', 'all full captions (216)', 'short typed captions "a {colour} {shape}" (12)', 'two-shape relations (576)'], evaluation)}

The same evaluation with the q8 towers (\`npm run eval -- --dtype q8\`):

${topOneTable(['drawn as', 'all full captions', 'short typed captions', 'two-shape relations'], q8)}

A relation counts as right when the top caption is true of the scene (several can be). Spatial
relations are the hardest part for this model, as they are for large CLIPs (the article's first
listed weakness of VLMs).

${rebuildSection([`npm run forge     # data, training (MINUTES=${Math.round(training.seconds / 60)}), export, goldens, parity tests, eval, this card`])}`;
}
