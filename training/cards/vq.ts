/**
 * The card of the VQ tokenizer (shapes-vq), from its config, training.json and eval.json
 * (`training/eval.ts vq --write`).
 */
import type { VqEvalReport } from '../eval/vq.ts';
import type { ModelFolder } from './folder.ts';
import { percent, rebuildSection, thousands } from './format.ts';

interface VqRun {
  readonly steps: number;
  readonly seconds: number;
  readonly batch: number;
  readonly lr?: number;
  readonly foreground?: number;
  readonly edges?: number;
  readonly decoder_only?: boolean;
  readonly grow_decoder?: readonly [number, number];
}

const blocks = (n: number, kind = '') => (n === 1 ? `a ${kind}residual block` : `${n} ${kind}residual blocks`);

/**
 * A run that went on from the one before (`previous`, none after the first): the decoder alone
 * (train vq --init … --decoder-only, every scene keeping its codes) or the whole tokenizer again.
 */
function laterRunText(run: VqRun, previous: VqRun | undefined, last: boolean): string {
  const edges = run.edges ? ` and ${run.edges} × more on the pixels of a shape's edge` : '';
  if (run.decoder_only === false) {
    const what = previous?.decoder_only === false ? 'once more from that checkpoint'
      : `the whole tokenizer again, encoder, codebook and decoder${previous?.decoder_only ? ', so that the codes themselves keep a small shape\'s corners (the decoder cannot restore what they lost)' : ''}`;
    return `

Then ${what}: ${thousands(run.steps)} more steps of batch ${run.batch} (${(run.seconds / 60).toFixed(1)} minutes,
learning rate ${run.lr}), the first run's loss with its weight ${1 + (run.foreground ?? 0)} × on the shapes${edges}.${
      last ? ' The codes moved with the encoder and the codebook, so shapes-cm3 went on training on the new codes.' : ''}`;
  }
  return `

Then the decoder alone${run.grow_decoder ? `, grown first by ${blocks(run.grow_decoder[0], 'pointwise ')} at the grid and ${blocks(run.grow_decoder[1], 'pointwise ')} at half size
(each new block's last convolution starting at zero, so the grown decoder began with the same reconstructions)` : ''}: ${thousands(run.steps)} more
steps of batch ${run.batch} (${(run.seconds / 60).toFixed(1)} minutes, learning rate ${run.lr}) with the encoder and the codebook frozen, so every
scene kept exactly the codes it had (shapes-cm3, trained on those codes, needed no retraining); the same loss
without the commitment term, its weight ${1 + (run.foreground ?? 0)} × on the shapes${run.edges ? `${edges}
(a step of over 0.3 to a horizontal or vertical neighbour, on both sides), where a square's corners differ from a circle's rim` : ''}.`;
}

export function vqCard(folder: ModelFolder): string {
  const training = folder.training;
  const evaluation = folder.read('eval.json') as VqEvalReport;
  const c = training.config;
  const held = training.held_out;
  const foreground = (training as { foreground?: number }).foreground ?? 0;
  const lost = evaluation.clipOriginal - evaluation.clipReconstruction;
  // A decoder trained further (train vq --init … --decoder-only) lists its runs; the first is the whole tokenizer's.
  const runs = (training as { runs?: VqRun[] }).runs ?? [];
  const first = runs[0];
  const later = runs.slice(1);

  return `# shapes-vq

A small **VQ autoencoder** (van den Oord et al. 2017, "Neural Discrete Representation Learning")
trained by VLM Playground's model forge on ShapesWorld: the image tokenizer of a CM3leon-style
model. A ${c.image_size} × ${c.image_size} scene becomes a ${c.grid} × ${c.grid} grid of codes, each the nearest of **K = ${c.codebook_size}**
learned vectors, and a grid of codes becomes pixels again: an image is a sentence of ${c.grid * c.grid} tokens.

The folder has its own model type (\`shapes_vq\`); its image processor is shapes-clip's (loads with
\`AutoProcessor\`), and its two graphs run on onnxruntime directly:

- \`onnx/vq_encoder.onnx\`: \`pixel_values\` [batch, 3, ${c.image_size}, ${c.image_size}] → \`codes\` [batch, ${c.grid}, ${c.grid}] (int64) and
  \`features\` [batch, ${c.code_dim}, ${c.grid}, ${c.grid}], the encoder's output before quantisation (${folder.megabytes('onnx/vq_encoder.onnx')});
- \`onnx/vq_decoder.onnx\`: \`codes\` → \`pixel_values\` (normalised like the processor's output, −1 … 1;
  clamp before showing) (${folder.megabytes('onnx/vq_decoder.onnx')}).

## Architecture (${thousands(training.parameters)} parameters)

- **Encoder**: two stride-2 4 × 4 convolutions of width ${c.width} (${c.image_size} → ${c.image_size / 2} → ${c.grid}), a residual block, a 1 × 1
  convolution to ${c.code_dim} dimensions per cell.
- **Quantiser**: each cell's feature is replaced by the nearest of ${c.codebook_size} codebook vectors (squared
  distance). The codebook follows the features by exponential moving averages (decay ${c.decay}), and a
  code whose average use falls below 0.01 cells a batch is re-seeded from a feature of the current batch.
- **Decoder**: a 3 × 3 convolution, ${blocks(c.decoder_blocks ?? 1)} at the grid${c.pointwise_blocks ? ` and ${blocks(c.pointwise_blocks, 'pointwise ')} (1 × 1)` : ''}, a stride-2
  transposed convolution to ${c.image_size / 2} × ${c.image_size / 2}${c.upper_blocks ? `, ${blocks(c.upper_blocks, 'pointwise ')} there` : ''}, and a second back to ${c.image_size} × ${c.image_size} RGB. A
  code changes the image only within three cells of its own (the 3 × 3 convolutions' reach).

## Training

${first ? `${thousands(first.steps)} steps of batch ${first.batch}` : `${thousands(training.steps)} steps of batch ${training.batch}`} (${(((first ?? training).seconds) / 60).toFixed(1)} minutes on 2 shared CPU cores) on ${thousands(training.train_samples)}
ShapesWorld scenes; loss: squared error of the reconstruction (pixel values), ${foreground ? `weighted ${1 + foreground} × on the
pixels of the shapes (those more than 0.3 from the scene's median colour in some channel) and 1 × on the
background, so that a few pixels of a small shape weigh enough to keep its edges,` : 'unweighted,'} + 0.25 × the
commitment loss; gradients reach the encoder through the straight-through estimator.${later.map((run, i) => laterRunText(run, later[i - 1], i === later.length - 1)).join('')}
On the forge's last ${held.scenes} held-out training-set scenes at the end: reconstruction error ${held.mse.toFixed(4)}, ${held.codes_used} codes used.

## Held-out evaluation

${evaluation.count} one-shape scenes never trained on (seeds from 1,000,000), drawn ${evaluation.variant} through the
playground's image path, encoded and decoded (\`training/eval.ts vq\`):

| measure | value |
|---|---|
| reconstruction error (mean squared, pixel values −1 … 1) | ${evaluation.mse.toFixed(4)} |
| mean absolute error | ${evaluation.maeLevels.toFixed(2)} of 255 levels |
| codes used / dead | ${evaluation.codesUsed} / ${evaluation.dead} of ${evaluation.codebookSize} |
| code perplexity | ${evaluation.perplexity.toFixed(1)} |
| shapes-clip top-1 (216 full captions), original | ${percent(evaluation.clipOriginal)} |
| shapes-clip top-1, reconstruction | ${percent(evaluation.clipReconstruction)} |
| shapes-clip's top-1 on the reconstruction names the colour / shape | ${percent(evaluation.colour)} / ${percent(evaluation.shape)} |

shapes-clip stands in for an eye: a reconstruction it captions as well as the original keeps
colour, shape, size and position. Here its top-1 is ${percent(evaluation.clipOriginal)} on the originals and
${percent(evaluation.clipReconstruction)} on the reconstructions${lost > 0.05 ? `; colour survives (${percent(evaluation.colour)}) better than shape (${percent(evaluation.shape)}): the edges of the
smallest shapes come back softened, so a small square or triangle can read as a circle` : ''}.

${rebuildSection([
    'bash training/forge.sh vq            # a full rebuild: the shared data (150,000 scenes), train, export, parity, eval, card',
    'bash training/forge.sh vq --smoke    # a few steps on a small dataset, pinned losses, parity',
  ])}`;
}
