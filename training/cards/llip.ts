/**
 * The card of a forge Llip, from its config, training.json, goldens.json (the head's mixture
 * weights) and eval.json (`training/eval.ts llip --write`, which evaluates the shipped shapes-clip
 * on the same held-out scenes).
 */
import { VARIANTS } from '../eval/variants.ts';
import { MEASURES, type LlipEvalReport, type Measure } from '../eval/llip.ts';
import { shippedClip, type ModelFolder } from './folder.ts';
import { percent, rebuildSection, table, thousands, variantMean, variantRows } from './format.ts';

const stepSeconds = (report: { seconds: number; steps: number }) => (report.seconds / report.steps).toFixed(2);

const titles: Record<Measure, string> = {
  full: 'full captions (216), image → text',
  short: 'short captions (12), image → text',
  relation: 'relations (576), image → text',
  relationShapes: 'top relation names both shapes',
  partialRetrieval: "one shape's caption, text → image",
  bothShapes: 'both shapes in the top 2, image → text',
};

/** One sentence per measure, saying which model did better on average over the drawn variants. */
function verdict(evaluation: LlipEvalReport, m: Measure): string {
  const [llip, clip] = [variantMean(evaluation.llip[m]), variantMean(evaluation.clip[m])];
  const points = Math.abs(100 * (llip - clip)).toFixed(1);
  if (Math.abs(llip - clip) < 0.005) return `- ${titles[m]}: a tie (${percent(llip)} against ${percent(clip)} on average).`;
  const winner = llip > clip ? 'Llip' : 'CLIP';
  return `- ${titles[m]}: **${winner}**, by ${points} points on average (${percent(llip)} against ${percent(clip)}).`;
}

/** How the trained head spreads its weights, from the goldens' mixture_weights [images, captions, heads, K]. */
function weightUsage(folder: ModelFolder): { largest: number; least: number } {
  const weights = folder.read('goldens.json').outputs.mixture_weights as { dims: number[]; data: number[] };
  const k = weights.dims[3];
  const groups = weights.data.length / k;
  const perToken = new Array<number>(k).fill(0);
  let largest = 0;
  for (let g = 0; g < groups; g++) {
    const row = weights.data.slice(g * k, (g + 1) * k);
    largest += Math.max(...row) / groups;
    row.forEach((w, t) => (perToken[t] += w / groups));
  }
  return { largest, least: Math.min(...perToken) };
}
const points = (a: number, b: number) => `${Math.abs(100 * (a - b)).toFixed(1)} points`;

function diversityText(evaluation: LlipEvalReport): string {
  const [retrieval, both] = (['partialRetrieval', 'bothShapes'] as const).map((m) => [variantMean(evaluation.llip[m]), variantMean(evaluation.clip[m])]);
  const wins = retrieval[0] > retrieval[1] && both[0] > both[1];
  const figures = `${percent(retrieval[0])} against ${percent(retrieval[1])} for one shape's caption finding its scene, ${percent(both[0])} against ${percent(both[1])} for both shapes in the top 2`;
  return wins
    ? `That is where Llip wins: ${figures}. CLIP's best full captions for a two-shape scene are often blends — the colour of one shape with the kind or place of the other — since such a caption is as close to its single embedding as either true one; with Llip a blend's query tends to find no token that fits it.`
    : `On these scenes this did not make Llip better at captions about one of two shapes: ${figures}.`;
}

function oneShapeText(evaluation: LlipEvalReport): string {
  const [llip, clip] = [variantMean(evaluation.llip.full), variantMean(evaluation.clip.full)];
  const misses = evaluation.misses.llip;
  const list = misses.slice(0, 6).map((m) => `"${m.truth}" read as "${m.picked}"`).join('; ');
  const lead = Math.abs(llip - clip) < 0.005
    ? 'A one-shape scene has a single reading, and there the two models are level on full captions.'
    : `A one-shape scene has a single reading, and there ${llip > clip ? 'Llip' : 'CLIP'} is ahead on full captions by ${points(llip, clip)}.`;
  const detail = misses.length === 0 ? '' : ` Llip's ${misses.length} misses at ${VARIANTS[0].name} (CLIP: ${evaluation.misses.clip.length}): ${list}${misses.length > 6 ? '; …' : ''}.`
    + ' A likely cost of contextualisation: every candidate caption, a wrong one too, gets the view of the image that suits it best,'
    + ' so a near miss has more room to score high than against one fixed embedding.';
  return lead + detail;
}

function relationText(evaluation: LlipEvalReport): string {
  const [shapesLlip, shapesClip] = [variantMean(evaluation.llip.relationShapes), variantMean(evaluation.clip.relationShapes)];
  const [directionLlip, directionClip] = [variantMean(evaluation.llip.relation) / shapesLlip, variantMean(evaluation.clip.relation) / shapesClip];
  const better = directionLlip > directionClip + 0.005 ? 'better than' : directionLlip < directionClip - 0.005 ? 'less well than' : 'as well as';
  return `Relations: the top relation caption names the scene's two shapes in ${percent(shapesLlip)} of scenes for Llip and ${percent(shapesClip)} for CLIP,`
    + ` so the difference is in the direction: when the shapes are right, the relation is right in ${percent(directionLlip)} of those scenes for Llip`
    + ` and ${percent(directionClip)} for CLIP. Captions that differ only in direction name the same shapes, so they tend to`
    + ' weigh the same tokens; the direction then has to be read from inside those tokens, which this tiny Llip does'
    + ` ${better} CLIP's single embedding.`;
}

export function llipCard(folder: ModelFolder): string {
  const training = folder.training;
  const clipTraining = shippedClip('training.json');
  const evaluation = folder.read('eval.json') as LlipEvalReport;
  const c = training.config;
  const patches = (c.image_size / c.patch_size) ** 2;
  const tokens = c.mixture_tokens + patches;
  const headDim = c.embed_dim / c.cross_heads;
  const usage = weightUsage(folder);
  const contextCosine = variantMean(evaluation.llip.contextCosine);
  const weightShift = variantMean(evaluation.llip.weightShift);

  return `# shapes-llip

A tiny **Llip** (Lavoie et al. 2024, "Modeling Caption Diversity in Contrastive Vision-Language
Pretraining") trained by VLM Playground's model forge on the same ShapesWorld data, with the same
loss, steps and batch as [shapes-clip](../shapes-clip/README.md), so the two differ only in
architecture. CLIP turns an image into one vector, whatever the caption; Llip's image encoder
outputs ${c.mixture_tokens} **mixture tokens**, and a cross-attention whose query is the caption mixes them into
an image embedding made for that caption. A scene with a red circle and a blue square can then
be seen as "a red circle" by one caption and as "a blue square" by another.

There is no Llip model class in transformers.js: the folder has its own model type
(\`shapes_llip\`). Its tokenizer and image processor are those of shapes-clip and load with
\`AutoTokenizer\` and \`AutoProcessor\`; its three graphs run on onnxruntime directly.

## Architecture (${thousands(training.parameters)} parameters, ${thousands(training.parameters_cross_attention)} of them in the cross-attention; shapes-clip: ${thousands(clipTraining.parameters)})

- **Image encoder**: a ViT on ${c.image_size} × ${c.image_size} RGB, patch ${c.patch_size}, width ${c.vision_width}, ${c.vision_layers} pre-norm layers of
  ${c.vision_heads} heads, MLP × ${c.mlp_ratio}, GELU, as in shapes-clip, but CLIP's class token is replaced by **${c.mixture_tokens} learned
  mixture tokens** placed before the ${patches} patch tokens (position embeddings on the patches only; the
  mixture tokens are learned and already distinct). After the blocks each mixture token is
  layer-normed and projected to ${c.embed_dim} dimensions.
- **Text encoder**: shapes-clip's, unchanged: word tokens (a WordPiece vocabulary of ${c.vocab_size} whole words),
  ${c.max_text_tokens} positions, width ${c.text_width}, ${c.text_layers} causal layers of ${c.text_heads} heads, pooled at the EOS, projected to ${c.embed_dim} dimensions.
- **Cross-attention head** (${c.cross_heads} heads of ${headDim} dimensions): for image i and caption j with text embedding t,
  q = W_q t, and for each mixture token m_k: key W_k m_k, value W_v m_k. In each head,
  w_k = softmax over the ${c.mixture_tokens} tokens of q·k_k / (√${headDim} · τ), and the image's embedding given the caption is
  W_o (the ${c.cross_heads} heads' Σ_k w_k v_k, concatenated). **τ = ${c.cross_temperature}**, fixed: the plain scaled dot product.
  W_q and W_k can sharpen or soften the weights by themselves, and the weights start near uniform at
  initialisation, so every token gets gradient without a larger τ. After training they are selective
  without collapsing onto one token: on the golden samples (8 images × 8 captions) the largest of a
  head's ${c.mixture_tokens} weights is ${usage.largest.toFixed(2)} on average, and the least-used token still receives ${usage.least.toFixed(3)} of the
  weight (uniform: ${(1 / c.mixture_tokens).toFixed(3)}). ${c.cross_heads} heads rather than 2: each head picks its own mixture,
  so a caption can take its colour from one token and its position from another; ${c.cross_heads} matches the
  towers' head count and keeps ${headDim} dimensions per head.
- **Logits**: logit(i, j) = s · cos(image i given caption j, caption j), with a learned scale
  s = ${training.logit_scale} after training (initialised at 1/0.07, capped at 100, as shapes-clip).

Scoring is costlier than CLIP's: CLIP embeds B images and T captions once and compares them;
Llip runs the head for every (image, caption) pair, B × T contextual embeddings. At ${c.mixture_tokens} tokens of
${c.embed_dim} dimensions this is cheap next to the encoders.

## Files

| file | what | size |
|---|---|---|
| \`onnx/vision_model.onnx\` | \`pixel_values\` [batch, 3, ${c.image_size}, ${c.image_size}] → \`mixture_tokens\` [batch, ${c.mixture_tokens}, ${c.embed_dim}] (projected, not normalised), \`last_hidden_state\` [batch, ${tokens}, ${c.vision_width}], \`vision_attentions\` [batch, ${c.vision_layers}, ${c.vision_heads}, ${tokens}, ${tokens}] (softmax probabilities; the ${c.mixture_tokens} mixture tokens first, then the ${patches} patches row by row) | ${folder.megabytes('onnx/vision_model.onnx')} |
| \`onnx/text_model.onnx\` | \`input_ids\`, \`attention_mask\` [T, L] → \`text_embeds\` [T, ${c.embed_dim}] (not normalised), \`last_hidden_state\` [T, L, ${c.text_width}], \`text_attentions\` [T, ${c.text_layers}, ${c.text_heads}, L, L] | ${folder.megabytes('onnx/text_model.onnx')} |
| \`onnx/head_model.onnx\` | \`mixture_tokens\` [batch, ${c.mixture_tokens}, ${c.embed_dim}], \`text_embeds\` [T, ${c.embed_dim}] → \`mixture_weights\` [batch, T, ${c.cross_heads}, ${c.mixture_tokens}] (each head's weights sum to 1), \`image_embeds\` [batch, T, ${c.embed_dim}] (the image given each caption, not normalised), \`logits_per_image\` [batch, T], \`logit_scale\` (s) | ${folder.megabytes('onnx/head_model.onnx')} |
| \`config.json\` | \`model_type\` \`shapes_llip\`: \`num_mixture_tokens\`, \`cross_attention_heads\`, \`cross_attention_temperature\`, the towers' sizes | |
| \`tokenizer.json\`, \`tokenizer_config.json\`, \`preprocessor_config.json\` | shapes-clip's WordPiece tokenizer and CLIP image processor (mean = std = 0.5) | |
| \`goldens.json\` | PyTorch outputs of the three graphs for the 8 first samples × 8 captions (the parity test compares against it) | ${folder.megabytes('goldens.json')} |
| \`training.json\`, \`eval.json\` | the training run's report and the held-out evaluation this card is written from | |

ONNX opset 14, fp32; batch, T and L are dynamic.

## Data

The ${thousands(training.train_samples)} training scenes of shapes-clip (\`training/data\`, written by \`training/write-dataset.ts\`):
one shape (three in four) or two, drawn at random sizes and styles and shrunk to ${c.image_size} px, each with
one caption from the grammar — full descriptions, partial ones ("a red circle", "something blue",
"a square on the left") and, for two shapes, relations, "and" captions and counts — so most
images have many true captions. ${thousands(training.held_out_samples)} further scenes are held out for validation.

## Training

shapes-clip's loss: symmetric InfoNCE over the B × B logits where every caption *true* of an
image is a positive for it, the target spread evenly over the positives. Here logit (i, j) uses
image i's embedding given caption j. (The Llip paper trains with SigLIP's sigmoid loss; keeping
CLIP's loss makes this a comparison of architectures only.) AdamW (lr ${training.lr}, weight decay 0.05 on
matrices, ${training.warmup_steps} warm-up steps, cosine decay), gradient norm clipped at 1, batch ${training.batch}, ${training.steps} steps —
shapes-clip's steps and batch, and with the same seed the same batches in the same order (shapes-clip's
cosine followed wall time, a budget of ${Math.round(clipTraining.seconds / 60)} minutes that came to ${clipTraining.steps} steps; this one follows the steps). The run
took ${Math.round(training.seconds / 60)} minutes on 2 CPU cores (${stepSeconds(training)} s a step, validation included; shapes-clip:
${stepSeconds(clipTraining)} s), on Debian's PyTorch 1.13.

Held-out validation during training (image → text top-1; full and short on one-shape scenes,
relations on two-shape scenes):

${table(['step', 'seconds', 'loss', 'full captions', 'short captions', 'relations'], training.history.map((h: Record<string, number>) =>
  [`${h.step}`, `${h.seconds}`, `${h.loss}`, percent(h.full), percent(h.short), percent(h.relation)]))}

## Held-out comparison with shapes-clip

Measured by \`training/eval.ts llip\` on ${evaluation.count} one-shape and ${evaluation.count} two-shape scenes from seeds the
training stream never used (those of shapes-clip's own evaluation), rendered by the TypeScript
generator at each size below, shrunk, and preprocessed by transformers.js; Llip runs on
onnxruntime-node, shapes-clip through transformers.js. Each cell is **Llip / CLIP**.

${table(['drawn as', ...MEASURES.map((m) => titles[m])],
  variantRows((v) => MEASURES.map((m) => `${percent(evaluation.llip[m][v.name])} / ${percent(evaluation.clip[m][v.name])}`)))}

- **full**, **short**, **relations**: the caption ranked first among all candidates is right (the
  scene's own full caption; for short captions and relations, any caption true of the scene).
  shapes-clip's come from \`evaluateClip\` in \`training/eval/clip.ts\`, the evaluation behind its own card.
- **one shape's caption, text → image**: each of the ${evaluation.twoShapeScenes} two-shape scenes whose shapes have different
  full captions gives two queries, the full caption of each shape alone ("a small red circle at
  the top left" — true of the scene, but about half of it); each query ranks all those scenes, and
  is right when the scene ranked first makes it true.
- **both shapes in the top 2**: for the same scenes, the two full captions ranked first are both
  true, i.e. one for each shape.

On average over the five drawn variants:

${MEASURES.map((m) => verdict(evaluation, m)).join('\n')}

## Why

A CLIP image embedding is one point for all captions: for two shapes it has to sit between the
captions of both, so a caption about one shape alone matches it only partly, and may match
another image, whose single shape it describes, better. Llip gives each caption its own view of
the image. On these scenes the two views an image gets from its two shapes' captions have a mean
cosine of ${contextCosine.toFixed(3)} (CLIP's are one point, cosine 1), and the mixture weights the two captions put
on the ${c.mixture_tokens} tokens differ by a total variation of ${weightShift.toFixed(3)} on average (0: the same weights, 1: disjoint
tokens). ${diversityText(evaluation)}

${oneShapeText(evaluation)}

${relationText(evaluation)}

${rebuildSection([
  `bash training/forge.sh llip          # training (${training.steps} steps), export, goldens, parity test, evaluation, this card`,
  'bash training/forge.sh llip --smoke  # a few steps on a small dataset in a temporary folder, export, parity test',
])}`;
}
