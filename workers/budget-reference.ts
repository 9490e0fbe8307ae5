/**
 * The same ten images through transformers.js 4.3.2's own processors, where it has them:
 * Idefics3 (also SmolVLM's), Qwen2-VL, LLaVA (CLIP image processor + LlavaProcessor) and
 * PaliGemma. It has no LLaVA-NeXT, LLaVA-OneVision (its image processor is the base class,
 * with no anyres), Idefics2, InternVL or MiniCPM-V processor. The configs are the reference
 * checkpoints' (the same values as src/lib/budget/, whose comments name each file).
 *
 * Two ways in: `sizeCounts` calls the processors' own size functions (what decides every
 * count) for any size at once, and `pipelineCounts` runs the full processors on an image and
 * counts the placeholders in the prompt they write (slow for big images: run it in a worker).
 */
import {
  CLIPImageProcessor,
  Idefics3ImageProcessor,
  Idefics3Processor,
  LlavaProcessor,
  PaliGemmaProcessor,
  Qwen2VLImageProcessor,
  Qwen2VLProcessor,
  RawImage,
  SiglipImageProcessor,
} from '@huggingface/transformers';
import { TJS_FAMILIES, type TjsFamily } from '../src/lib/budget/differences';
import type { Size } from '../src/lib/budget/types';

export { TJS_FAMILIES, type TjsFamily };

export interface TjsCount {
  readonly visualTokens: number;
  readonly grid: { readonly rows: number; readonly cols: number } | null;
  /** The size the processor resized to (for Qwen2-VL and the Idefics3 canvas). */
  readonly resized: Size | null;
}

const NORMALIZE = { do_rescale: true, rescale_factor: 1 / 255, do_normalize: true, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5], do_convert_rgb: true };

function idefics3Config(longestEdge: number, tile: number) {
  return { ...NORMALIZE, do_resize: true, do_image_splitting: true, do_pad: true, resample: 1, size: { longest_edge: longestEdge }, max_image_size: { longest_edge: tile } };
}

/** Checkpoint configs, as the processors read them. */
export const TJS_CONFIGS = {
  idefics3: { image: idefics3Config(1456, 364), processor: { image_seq_len: 169 } },
  smolvlm: { image: idefics3Config(2048, 512), processor: { image_seq_len: 64 } },
  qwen2vl: {
    image: { ...NORMALIZE, do_resize: true, min_pixels: 3136, max_pixels: 12845056, patch_size: 14, temporal_patch_size: 2, merge_size: 2 },
  },
  llava: {
    image: { ...NORMALIZE, do_resize: true, size: { shortest_edge: 336 }, do_center_crop: true, crop_size: { height: 336, width: 336 }, resample: 3 },
    processor: { image_token: '<image>', patch_size: 14, num_additional_image_tokens: 1, vision_feature_select_strategy: 'default' },
  },
  paligemma: { image: { ...NORMALIZE, do_resize: true, size: { height: 224, width: 224 }, resample: 3, image_seq_length: 256 } },
} as const;

/** A stand-in tokenizer that hands back the prompt a processor wrote (the count is in the text). */
function promptCatcher(bos = '<bos>') {
  const catcher = (texts: string[]) => ({ texts });
  return Object.assign(catcher, { bos_token: bos });
}

const count = (text: string, token: string) => text.split(token).length - 1;

let cachedProcessors: { idefics3: Idefics3ImageProcessor; smolvlm: Idefics3ImageProcessor; qwen2vl: Qwen2VLImageProcessor } | null = null;

type SizeLike = { size: [number, number]; width: number; height: number };
const sized = ({ width, height }: Size): SizeLike => ({ size: [width, height], width, height });

/**
 * Counts from the processors' size functions: Idefics3's `get_resize_output_image_size` and
 * `get_resize_for_vision_encoder` (then `split_image`'s ceil), Qwen2-VL's `smart_resize`
 * (through its `get_resize_output_image_size`), LlavaProcessor's formula on the 336 crop.
 */
export function sizeCounts(family: TjsFamily, size: Size): TjsCount | { readonly error: string } {
  const processors = (cachedProcessors ??= {
    idefics3: new Idefics3ImageProcessor(TJS_CONFIGS.idefics3.image),
    smolvlm: new Idefics3ImageProcessor(TJS_CONFIGS.smolvlm.image),
    qwen2vl: new Qwen2VLImageProcessor(TJS_CONFIGS.qwen2vl.image),
  });
  try {
    switch (family) {
      case 'idefics3':
      case 'smolvlm': {
        const { image, processor } = family === 'idefics3' ? TJS_CONFIGS.idefics3 : TJS_CONFIGS.smolvlm;
        const ip = family === 'idefics3' ? processors.idefics3 : processors.smolvlm;
        const [w1, h1] = ip.get_resize_output_image_size(sized(size) as never, ip.size);
        const canvas = ip.get_resize_for_vision_encoder({ dims: [1, 3, h1, w1] } as never, image.max_image_size.longest_edge);
        const tile = image.max_image_size.longest_edge;
        const split = canvas.height > tile || canvas.width > tile;
        const rows = split ? Math.ceil(canvas.height / tile) : 0;
        const cols = split ? Math.ceil(canvas.width / tile) : 0;
        return { visualTokens: (rows * cols + 1) * processor.image_seq_len, grid: { rows, cols }, resized: canvas };
      }
      case 'qwen2-vl': {
        const ip = processors.qwen2vl;
        const [width, height] = ip.get_resize_output_image_size(sized(size) as never, ip.size);
        return { visualTokens: Math.floor(((height / 14) * (width / 14)) / 4), grid: null, resized: { width, height } };
      }
      case 'llava-1.5': {
        const { patch_size, num_additional_image_tokens } = TJS_CONFIGS.llava.processor;
        // LlavaProcessor: floor(h / patch) · floor(w / patch) + num_additional_image_tokens, on the 336 × 336 crop.
        return { visualTokens: Math.floor(336 / patch_size) ** 2 + num_additional_image_tokens, grid: null, resized: null };
      }
      case 'paligemma':
        return { visualTokens: TJS_CONFIGS.paligemma.image.image_seq_length, grid: null, resized: null };
    }
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** A blank RGB image of this size (the counts depend on the size only). */
export function blankImage({ width, height }: Size): RawImage {
  return new RawImage(new Uint8ClampedArray(width * height * 3), width, height, 3);
}

/** Runs the full processor on `image` and counts the placeholder tokens in the prompt it writes. */
export async function pipelineCounts(family: TjsFamily, image: RawImage): Promise<TjsCount | { readonly error: string }> {
  try {
    switch (family) {
      case 'idefics3':
      case 'smolvlm': {
        const { image: config, processor: pconfig } = family === 'idefics3' ? TJS_CONFIGS.idefics3 : TJS_CONFIGS.smolvlm;
        const processor = new Idefics3Processor(pconfig, { image_processor: new Idefics3ImageProcessor(config), tokenizer: promptCatcher() }, null);
        const out = await processor._call('<image>', image);
        const [h, w] = out.pixel_values.dims.slice(-2);
        return { visualTokens: count(out.texts[0], '<image>'), grid: { rows: out.rows[0][0], cols: out.cols[0][0] }, resized: { width: w * Math.max(1, out.cols[0][0]), height: h * Math.max(1, out.rows[0][0]) } };
      }
      case 'qwen2-vl': {
        const processor = new Qwen2VLProcessor({}, { image_processor: new Qwen2VLImageProcessor(TJS_CONFIGS.qwen2vl.image), tokenizer: promptCatcher() }, null);
        const out = await processor._call('<|vision_start|><|image_pad|><|vision_end|>', image);
        const [, gh, gw] = (out.image_grid_thw.tolist() as bigint[][])[0].map(Number);
        return { visualTokens: count(out.texts[0], '<|image_pad|>'), grid: null, resized: { width: gw * 14, height: gh * 14 } };
      }
      case 'llava-1.5': {
        const processor = new LlavaProcessor(TJS_CONFIGS.llava.processor, { image_processor: new CLIPImageProcessor(TJS_CONFIGS.llava.image), tokenizer: promptCatcher() }, null);
        const out = await processor._call(image, 'USER: <image>\nASSISTANT:');
        return { visualTokens: count(out.texts[0], '<image>'), grid: null, resized: null };
      }
      case 'paligemma': {
        const processor = new PaliGemmaProcessor({}, { image_processor: new SiglipImageProcessor(TJS_CONFIGS.paligemma.image), tokenizer: promptCatcher() }, null);
        const out = await processor._call(image, '<image>caption en');
        return { visualTokens: count(out.texts[0], '<image>'), grid: null, resized: null };
      }
    }
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
