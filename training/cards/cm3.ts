/**
 * The card of the CM3leon-style shapes-cm3, from its config, training.json, goldens.json and
 * eval.json (`training/eval.ts cm3 --write`).
 */
import type { Cm3EvalReport, Cm3Judged, Cm3Vocabulary } from '../eval/cm3.ts';
import type { ModelFolder } from './folder.ts';
import { percent, rebuildSection, table, thousands } from './format.ts';

/** Which of the issue's bars the measured numbers meet, in one sentence, for greedy drawings as `how`. */
function verdict(how: string, drawn: Cm3Judged, captionExact: number): string {
  const bars = [
    ['greedy drawings judged right (90%)', drawn.topOne >= 0.9], ['colour and shape (95%)', drawn.colourShape >= 0.95],
    ['captions (95%)', captionExact >= 0.95],
  ] as const;
  const met = bars.filter(([, ok]) => ok).map(([name]) => name);
  const missed = bars.filter(([, ok]) => !ok).map(([name]) => name);
  if (!missed.length) return `${how}, the model meets all three bars.`;
  return `${how}, it meets ${met.length ? `the bar for ${met.join(' and ')}` : 'none of the bars'}; it is below the bar for ${missed.join(' and ')}.`;
}

/** One run of training.json's `runs` (the first, then each that went on from the one before). */
interface Run { steps: number; seconds: number; batch?: number; lr?: number; seed?: number; caption_weight?: number; threads?: number; vq_run?: number }

/** The training runs in a sentence: one run, or a first run and the runs that went on from it. */
function runsText(training: { steps: number; batch: number; seconds: number; runs?: Run[] }): string {
  const minutes = (s: number) => `${(s / 60).toFixed(1)} minutes`;
  if (!training.runs) return `${thousands(training.steps)} steps of batch ${training.batch} (${minutes(training.seconds)} on 2 shared CPU cores)`;
  const [first, ...more] = training.runs;
  const further = more.map((run, i) => {
    const from = i === 0 ? 'going on from its checkpoint' : 'going on from the one before';
    const seed = run.seed === undefined ? '' : `, seed ${run.seed} (the scenes in another order)`;
    const weight = run.caption_weight === undefined ? '' : `, the words of a caption written after an image weighted ${run.caption_weight} in the loss`;
    const threads = run.threads ? `, ${run.threads} torch threads` : '';
    const codes = run.vq_run ? `, on the codes of shapes-vq as its run ${run.vq_run} left it (the whole tokenizer trained further; the runs before read the codes of its first run)` : '';
    return `${thousands(run.steps)} steps of batch ${run.batch ?? training.batch} (${minutes(run.seconds)}${threads}) ${from}, with a fresh warm-up to a learning rate of ${run.lr} and a cosine decay to 0 over the minutes${seed}${weight}${codes}`;
  });
  return `${thousands(training.steps)} steps in all (${minutes(training.seconds)} on 2 shared CPU cores, one torch thread unless said): a first run of ${thousands(first.steps)} steps of batch ${first.batch ?? training.batch} (${minutes(first.seconds)}), then ${further.join('; then ')},`;
}

/** The wrong captions by what they get wrong, in a sentence. */
function wrongText(wrong: Cm3EvalReport['captionWrong']): string {
  const parts = Object.entries(wrong).filter(([, n]) => n).map(([slot, n]) =>
    `${n} ${slot === 'other' ? 'not a full caption' : `name${n === 1 ? 's' : ''} the wrong ${slot === 'cell' ? 'place' : slot}`}`);
  return `Of the wrong ones, ${parts.join(', ')}.`;
}

const judgedCells = (d: Cm3Judged) => [percent(d.wellFormed), percent(d.topOne), percent(d.colourShape)];

export function cm3Card(folder: ModelFolder): string {
  const training = folder.training;
  const c = training.config;
  const v = (folder.read('config.json') as { vocabulary: Cm3Vocabulary }).vocabulary;
  const e = folder.read('eval.json') as Cm3EvalReport;
  const held = training.held_out;
  const g = e.guidance;
  const unguided: Cm3Judged = { wellFormed: e.drawnWellFormed, topOne: e.drawTopOne, colourShape: e.drawColourShape };
  const vq = folder.read('../shapes-vq/eval.json') as { clipReconstruction: number; shape: number; count: number };
  const best = g.sweep.reduce((a, b) => (b.topOne > a.topOne ? b : a));

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

${runsText(training)} on ${thousands(training.train_samples)} one-shape ShapesWorld
scenes, each row in one of the two orders at random; next-token cross-entropy on every token. The
caption written after an image is always the scene's full caption (size, colour, shape, place: one
right answer); the caption read before an image is the full one too, except in a quarter of those
rows, which read a shorter true caption ("a red circle"), so shorter captions draw as well.
Teacher-forced on ${thousands(200)} held-out scenes at the end: ${percent(held.code_accuracy)} of image codes predicted right, ${percent(held.caption_exact)} of
captions exactly right.

## Held-out evaluation (judged by shapes-clip)

Every one of the ${e.captions} full captions ("a small red circle at the top left") is drawn, the codes are decoded by
shapes-vq, and the bundled shapes-clip picks the full caption it finds closest to each drawing. Drawings
come greedily, plainly or with **classifier-free guidance** as CM3leon samples its images: a second
sequence reads \`<image>\` alone (the image-first training rows taught the model to draw with no
caption) and each code is chosen from uncond + s · (cond − uncond), s the scale (1 is plain decoding),
kept to the image's grammar (a code at each cell, then \`</image>\`), so guided drawings are well formed by
construction.
The Token lab draws at s = ${g.scale} by default (\`guidance_scale\` in config.json)${best.scale === g.scale
    ? `, the scale with the best top-1 below, picked on these same ${e.captions} captions (so its row is the best of ${g.sweep.length} tried, not a fresh measurement)`
    : ''}.

For comparison: shapes-clip names the full caption of ${percent(vq.clipReconstruction)} of shapes-vq's
reconstructions of ${thousands(vq.count)} held-out scenes (the shape is the miss: ${percent(vq.shape)} right), so a drawing that were
exactly a scene's codes would be judged right about that often; a drawing need not copy any scene's codes, so it can do better.

${table(['greedy drawings', 'well formed (64 codes, then \`</image>\`)', "shapes-clip's top-1 is the prompt (bar: 90%)", '… names its colour and shape (bar: 95%)'], [
    ['plain (s = 1)', ...judgedCells(unguided)],
    ...g.sweep.filter((d) => d.scale !== 1).map((d) => [`guided, s = ${d.scale}${d.scale === g.scale ? ' (the default)' : ''}`, ...judgedCells(d)]),
  ])}

Greedy captions of ${e.count} held-out scenes (the other order: \`<image> codes </image> [BOS]\`): ${percent(e.captionExact)} exactly right (bar: 95%).${e.captionWrong ? ` ${wrongText(e.captionWrong)}` : ''}

Sampled instead of greedy (temperature ${e.sampling.temperature}, the top ${e.sampling.topK} tokens, one seeded stream per drawing as the
Token lab draws), the same judgement for four seeds, plain and guided at s = ${g.scale}:

${table(['seed', 'plain: well formed', 'top-1', 'colour and shape', 'guided: well formed', 'top-1', 'colour and shape'],
    e.sampled.map((d, i) => [String(d.seed), ...judgedCells(d), ...judgedCells(e.guidedSampled.seeds[i])]))}

The seeds' drawings of one caption differ: plainly, ${percent(e.sampledPairsDiffering)} of the pairs of seeds give different code
grids, in ${percent(e.sampledCellsDiffering)} of the cells on average; guided, ${percent(e.guidedSampled.pairsDiffering)} of the pairs, in ${percent(e.guidedSampled.cellsDiffering)} of the cells.

${verdict('Plain greedy', unguided, e.captionExact)} ${verdict(`Guided greedy at s = ${g.scale}`, g.greedy, e.captionExact)}${best.scale !== g.scale ? ` (The best scale tried, s = ${best.scale}, gives ${percent(best.topOne)} top-1.)` : ''} Its first greedy captions of held-out scenes:
${e.examples.slice(0, 3).map((x) => `"${x.caption}" for "${x.truth}"`).join('; ')}.

${rebuildSection([
    'bash training/forge.sh vq     # first: shapes-cm3 reads the codes of shapes-vq\'s checkpoint',
    `bash training/forge.sh cm3    # the shared data, ${Math.round(training.seconds / 60)} minutes of training${training.runs ? ` in ${['', 'one', 'two', 'three', 'four'][training.runs.length] ?? training.runs.length} runs` : ''}, export, parity, eval, card`,
  ])}`;
}
