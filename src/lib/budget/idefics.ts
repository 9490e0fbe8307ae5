/**
 * The Idefics family: Idefics2 (four quarter crops plus the image, each through a 64-query
 * perceiver), Idefics3 and SmolVLM (longest edge to a fixed size, snapped up to whole tiles,
 * tiles plus a global view, each pixel-shuffled to a fixed number of tokens).
 */
import { pyInt, pyIntDiv } from './pyMath';
import { countKind, SequenceBuilder } from './sequence';
import { ProcessorRefusal, type Architecture, type Budget, type Size, type Tile } from './types';

const IMAGE = '<image>';
const FAKE = '<fake_token_around_image>';
const GLOBAL = '<global-img>';

/** Idefics2's `get_resize_output_image_size`: longest side down to `longest` (int), then each side at least `shortest`. */
export function idefics2Resize(size: Size, shortest: number, longest: number): Size {
  let { width, height } = size;
  const aspect = width / height;
  if (width >= height && width > longest) {
    width = longest;
    height = pyInt(width / aspect);
  } else if (height > width && height > longest) {
    height = longest;
    width = pyInt(height * aspect);
  }
  return { width: Math.max(width, shortest), height: Math.max(height, shortest) };
}

// HuggingFaceM4/idefics2-8b: preprocessor_config.json size {shortest_edge 378, longest_edge 980},
// do_image_splitting true (as a verbatim duplicate of the repo shows; some fine-tunes turn it off);
// processor image_seq_len 64 (config.json perceiver_config.resampler_n_latents 64); SigLIP patch 14.
const IDEFICS2 = { shortest: 378, longest: 980, patch: 14, queries: 64 };

export const idefics2: Architecture = {
  id: 'idefics2',
  name: 'Idefics2',
  checkpoint: 'HuggingFaceM4/idefics2-8b',
  source: 'transformers: models/idefics2/image_processing_idefics2.py (split_image, get_resize_output_image_size), processing_idefics2.py',
  rule: [
    'With image splitting: four crops at (width // 2, height // 2) plus the whole image, each resized on its own:',
    'longest side down to 980 (the other side int()), each side at least 378; SigLIP at native aspect, patch 14.',
    'A perceiver resampler turns each crop into 64 tokens: 5 × 64 = 320, fake tokens between (doubles merged).',
  ],
  knobs: [],
  budget(size: Size): Budget {
    const { width, height } = size;
    const midW = pyIntDiv(width, 2);
    const midH = pyIntDiv(height, 2);
    if (midW === 0 || midH === 0) throw new ProcessorRefusal('Image splitting cuts a crop of zero pixels from an image 1 pixel wide or high (the Python resize divides by zero).');
    const crops: Tile[] = [
      { x: 0, y: 0, width: midW, height: midH, row: 1, col: 1 },
      { x: midW, y: 0, width: width - midW, height: midH, row: 1, col: 2 },
      { x: 0, y: midH, width: midW, height: height - midH, row: 2, col: 1 },
      { x: midW, y: midH, width: width - midW, height: height - midH, row: 2, col: 2 },
    ];
    const resizedCrops = crops.map((c) => idefics2Resize(c, IDEFICS2.shortest, IDEFICS2.longest));
    const whole = idefics2Resize(size, IDEFICS2.shortest, IDEFICS2.longest);
    // processing_idefics2 writes (<fake><image>×64<fake>) × 5, then replaces every "<fake><fake>"
    // by one "<fake>": six fake tokens around five runs.
    const b = new SequenceBuilder().marker(FAKE);
    for (let k = 0; k < 5; k++) b.image(IMAGE, IDEFICS2.queries).marker(FAKE);
    const sequence = b.build();
    const largest = [...resizedCrops, whole].reduce((m, s) => ({ width: Math.max(m.width, s.width), height: Math.max(m.height, s.height) }));
    return {
      resized: size,
      grid: { rows: 2, cols: 2 },
      tiles: crops,
      global: { label: 'whole image', width: whole.width, height: whole.height },
      encoderPasses: 5,
      encoderInput: largest,
      patchSize: IDEFICS2.patch,
      reduction: { kind: 'resampler', queries: IDEFICS2.queries, name: 'perceiver resampler' },
      visualTokens: countKind(sequence, 'image'),
      markerTokens: countKind(sequence, 'marker'),
      sequence,
      notes: [
        `Crops resized to ${resizedCrops.map((s) => `${s.width} × ${s.height}`).join(', ')}; the whole image to ${whole.width} × ${whole.height}.`,
        `Padded to ${largest.width} × ${largest.height} in the batch; the patch mask keeps only real patches.`,
      ],
    };
  },
};

/** Idefics3's `get_resize_output_image_size`: the longest side becomes `longest` (up or down), the other int() then made even; then kept under `maxImageSize`. */
export function idefics3Resize(size: Size, longest: number, maxImageSize = 4096): Size {
  let { width, height } = size;
  const aspect = width / height;
  if (width >= height) {
    width = longest;
    height = pyInt(width / aspect);
    if (height % 2 !== 0) height += 1;
  } else {
    height = longest;
    width = pyInt(height * aspect);
    if (width % 2 !== 0) width += 1;
  }
  height = Math.max(height, 1);
  width = Math.max(width, 1);
  // _resize_output_size_scale_below_upper_bound
  const aspect2 = width / height;
  if (width >= height && width > maxImageSize) {
    width = maxImageSize;
    height = pyInt(width / aspect2);
  } else if (height > width && height > maxImageSize) {
    height = maxImageSize;
    width = pyInt(height * aspect2);
  }
  return { width: Math.max(width, 1), height: Math.max(height, 1) };
}

/** `resize_for_vision_encoder`: the longest side up to a multiple of the tile, the other side from the aspect ratio, up to a multiple too. */
export function resizeForVisionEncoder(size: Size, tile: number): Size {
  let { width, height } = size;
  const aspect = width / height;
  if (width >= height) {
    width = Math.ceil(width / tile) * tile;
    height = pyInt(width / aspect);
    height = Math.ceil(height / tile) * tile;
  } else {
    height = Math.ceil(height / tile) * tile;
    width = pyInt(height * aspect);
    width = Math.ceil(width / tile) * tile;
  }
  return { width, height };
}

interface TiledConfig {
  readonly longestEdge: number;
  readonly tile: number;
  readonly patch: number;
  readonly scaleFactor: number;
}

/** Idefics3 and SmolVLM: resize, snap to tiles, split, prompt with `<row_r_col_c>` and `<global-img>`. */
export function tiledBudget(size: Size, config: TiledConfig): Budget {
  const first = idefics3Resize(size, config.longestEdge);
  const canvas = resizeForVisionEncoder(first, config.tile);
  const split = canvas.height > config.tile || canvas.width > config.tile;
  const rows = split ? Math.ceil(canvas.height / config.tile) : 0;
  const cols = split ? Math.ceil(canvas.width / config.tile) : 0;
  const seqLen = (config.tile / config.patch) ** 2 / config.scaleFactor ** 2;
  const tiles: Tile[] = [];
  const b = new SequenceBuilder();
  if (split) {
    const tileH = Math.ceil(canvas.height / rows);
    const tileW = Math.ceil(canvas.width / cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const x = c * tileW;
        const y = r * tileH;
        tiles.push({ x, y, width: Math.min(x + tileW, canvas.width) - x, height: Math.min(y + tileH, canvas.height) - y, row: r + 1, col: c + 1 });
        b.marker(FAKE).marker(`<row_${r + 1}_col_${c + 1}>`).image(IMAGE, seqLen);
      }
      b.text('\n');
    }
    b.text('\n');
  }
  b.marker(FAKE).marker(GLOBAL).image(IMAGE, seqLen).marker(FAKE);
  const sequence = b.build();
  return {
    resized: canvas,
    grid: { rows, cols },
    tiles,
    global: { label: split ? 'global image' : 'the image', width: config.tile, height: config.tile },
    encoderPasses: tiles.length + 1,
    encoderInput: { width: config.tile, height: config.tile },
    patchSize: config.patch,
    reduction: { kind: 'merge', factor: config.scaleFactor, name: `pixel shuffle ${config.scaleFactor} × ${config.scaleFactor} → 1` },
    visualTokens: countKind(sequence, 'image'),
    markerTokens: countKind(sequence, 'marker'),
    sequence,
    notes: [`Longest edge to ${config.longestEdge}: ${first.width} × ${first.height}; snapped up to whole ${config.tile}-pixel tiles: ${canvas.width} × ${canvas.height}.`],
  };
}

// HuggingFaceM4/Idefics3-8B-Llama3: preprocessor_config.json size.longest_edge 1456 (4 × 364),
// max_image_size.longest_edge 364; processor_config.json image_seq_len 169; config.json
// scale_factor 2, vision_config.patch_size 14.
export const idefics3: Architecture = {
  id: 'idefics3',
  name: 'Idefics3',
  checkpoint: 'HuggingFaceM4/Idefics3-8B-Llama3',
  source: 'transformers: models/idefics3/image_processing_idefics3.py, processing_idefics3.py',
  rule: [
    'Longest edge to 1456 (up or down; the other side int(), made even), then both sides up to multiples of 364.',
    'Cut into 364 × 364 tiles plus the whole image at 364 × 364; SigLIP patch 14: 26 × 26 patches per tile.',
    'Pixel shuffle 2 × 2 → 1: 169 tokens per tile, each tile after <fake_token_around_image><row_r_col_c>.',
  ],
  knobs: [],
  budget(size: Size): Budget {
    return tiledBudget(size, { longestEdge: 1456, tile: 364, patch: 14, scaleFactor: 2 });
  },
};

// HuggingFaceTB/SmolVLM-256M-Instruct: preprocessor_config.json size.longest_edge 2048,
// max_image_size.longest_edge 512; processor_config.json image_seq_len 64; config.json
// scale_factor 4, vision_config.patch_size 16.
export const smolvlm: Architecture = {
  id: 'smolvlm',
  name: 'SmolVLM-256M',
  checkpoint: 'HuggingFaceTB/SmolVLM-256M-Instruct',
  source: 'transformers: models/idefics3/image_processing_idefics3.py (the checkpoint names Idefics3ImageProcessor), processing_idefics3.py',
  rule: [
    'Idefics3\'s rule with 512-pixel tiles: longest edge to 2048 (even), both sides up to multiples of 512.',
    'SigLIP patch 16: 32 × 32 patches per tile; pixel shuffle 4 × 4 → 1: 64 tokens per tile and for the global image.',
    'The longest edge is the knob: at 512 the image is not split (one view, 64 tokens).',
  ],
  knobs: [{ id: 'longestEdge', label: 'Longest edge (size.longest_edge)', min: 512, max: 4096, step: 128, reference: 2048 }],
  budget(size: Size, knobs): Budget {
    return tiledBudget(size, { longestEdge: knobs.longestEdge ?? 2048, tile: 512, patch: 16, scaleFactor: 4 });
  },
};
