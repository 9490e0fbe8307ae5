/**
 * The card of the CM3leon-style shapes-cm3, from its config, training.json, goldens.json and
 * eval.json (`training/eval.ts cm3 --write`).
 */
import type { Cm3EvalReport, Cm3Vocabulary } from '../eval/cm3.ts';
import type { ModelFolder } from './folder.ts';
import { percent, rebuildSection, thousands } from './format.ts';

/** Which of the issue's bars the measured numbers meet, in one sentence. */
function verdict(e: Cm3EvalReport): string {
  const bars = [
    ['greedy drawings judged right (90%)', e.drawTopOne >= 0.9], ['colour and shape (95%)', e.drawColourShape >= 0.95],
    ['captions (95%)', e.captionExact >= 0.95],
  ] as const;
  const met = bars.filter(([, ok]) => ok).map(([name]) => name);
  const missed = bars.filter(([, ok]) => !ok).map(([name]) => name);
  if (!missed.length) return 'The model meets all three bars.';
  return `It meets ${met.length ? `the bar for ${met.join(' and ')}` : 'none of the bars'}; it is below the bar for ${missed.join(' and ')}.`;
}

export function cm3Card(folder: ModelFolder): string {
  const training = folder.training;
  const c = training.config;
  const v = (folder.read('config.json') as { vocabulary: Cm3Vocabulary }).vocabulary;
  const e = folder.read('eval.json') as Cm3EvalReport;
  const held = training.held_out;

  return `# shapes-cm3

A tiny **CM3leon-style** model (Yu et al. 2023, "Scaling Autoregressive Multi-Modal Models:
Pretraining and Instruction Tuning") trained by VLM Playground's model forge on ShapesWorld: one
decoder-only transformer over one vocabulary of ${v.words} caption words, the markers \`<image>\` (${v.begin_image}) and
\`</image>\` (${v.end_image}) and the ${v.codes} codes of [shapes-vq](../shapes-vq/README.md) (ids ${v.first_code} … ${v.size - 1}), so an image is
${v.cells} tokens. It is trained on both orders, so the same model draws and captions:

    caption -> image:  [BOS] words [EOS] <image> c1 … c${v.cells} </image>
    image -> caption:  <image> c1 … c${v.cells} </image> [BOS] words [EOS]

The decoder is shapes-lm's Llama-style layout (RMSNorm, rotary positions, grouped-query attention,
SwiGLU, tied embeddings): ${c.layers} layers, width ${c.hidden_size}, ${c.heads} heads over ${c.kv_heads} key/value heads, ${thousands(training.parameters)} parameters.
\`onnx/decoder_model_merged.onnx\` takes \`input_ids\`, \`attention_mask\`, \`position_ids\` and
\`past_key_values.*\`, and returns \`logits\`, \`present.*\` and \`decoder_attentions.*\` (${folder.megabytes('onnx/decoder_model_merged.onnx')}).
Drawn codes become pixels through shapes-vq's \`vq_decoder\`.

## Training

${thousands(training.steps)} steps of batch ${training.batch} (${(training.seconds / 60).toFixed(1)} minutes on 2 shared CPU cores) on ${thousands(training.train_samples)} one-shape ShapesWorld
scenes, each row in one of the two orders at random; next-token cross-entropy on every token. The
caption written after an image is always the scene's full caption (size, colour, shape, place: one
right answer); the caption read before an image is the full one too, except in a quarter of those
rows, which read a shorter true caption ("a red circle"), so shorter captions draw as well.
Teacher-forced on ${thousands(200)} held-out scenes at the end: ${percent(held.code_accuracy)} of image codes predicted right, ${percent(held.caption_exact)} of
captions exactly right.

## Held-out evaluation (judged by shapes-clip)

| measure | value |
|---|---|
| drawings of the ${e.captions} full captions that are well formed (${v.cells} codes then \`</image>\`) | ${percent(e.drawnWellFormed)} |
| shapes-clip's top-1 among the ${e.captions} full captions is the prompt (bar: 90%) | ${percent(e.drawTopOne)} |
| … names the prompt's colour and shape (bar: 95%) | ${percent(e.drawColourShape)} |
| greedy captions of ${e.count} held-out scenes exactly right (bar: 95%) | ${percent(e.captionExact)} |

Sampled instead of greedy (temperature ${e.sampling.temperature}, the top ${e.sampling.topK} tokens, one seeded stream per drawing as the
Token lab draws), the same judgement for four seeds:

| seed | well formed | shapes-clip top-1 is the prompt | colour and shape |
|---|---|---|---|
${e.sampled.map((d) => `| ${d.seed} | ${percent(d.wellFormed)} | ${percent(d.topOne)} | ${percent(d.colourShape)} |`).join('\n')}

The seeds' drawings of one caption differ: ${percent(e.sampledPairsDiffering)} of the pairs of seeds give different code
grids, in ${percent(e.sampledCellsDiffering)} of the cells on average.

${verdict(e)} Its first greedy captions of held-out scenes:
${e.examples.slice(0, 3).map((x) => `"${x.caption}" for "${x.truth}"`).join('; ')}.

${rebuildSection([
    'bash training/forge.sh vq     # first: shapes-cm3 reads the codes of shapes-vq\'s checkpoint',
    `bash training/forge.sh cm3    # the shared data, ${Math.round(training.seconds / 60)} minutes of training, export, parity, eval, card`,
  ])}`;
}
