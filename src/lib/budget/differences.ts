/**
 * Where transformers.js 4.3.2's processors and the Python references (which the explorer
 * follows) disagree, and why: each cause is a rule checked on the size, so the page can say
 * why a count differs and the sweep test can insist that every difference has a known cause.
 */
import type { Size } from './types';

/** The families transformers.js has processors for, by the explorer's architecture id. */
export const TJS_FAMILIES = ['llava-1.5', 'idefics3', 'smolvlm', 'qwen2-vl', 'paligemma'] as const;
export type TjsFamily = (typeof TJS_FAMILIES)[number];

/** The exact quotient Idefics3's first resize gives the short side, in the two libraries. */
export function idefics3ShortSide(size: Size, longest: number): { python: number; js: number } {
  const long = Math.max(size.width, size.height);
  const short = Math.min(size.width, size.height);
  const aspect = long / short;
  const python = Math.trunc(longest / aspect);
  const js = Math.floor(Number((short * Math.min(longest / long, longest / short)).toFixed(2)));
  return { python, js };
}

/** Each known difference between the Python source and transformers.js's code, as the fixture states it. */
export const CAUSES = {
  'llava-default-strategy':
    'transformers.js LlavaProcessor adds num_additional_image_tokens (the CLS token) and never subtracts it for vision_feature_select_strategy "default": 577 <image> tokens where Python writes 576 (the model would reject the prompt).',
  'idefics3-two-decimals':
    "transformers.js sizes Idefics3's first resize with the generic longest-edge rule, rounding the short side to 2 decimals before flooring (728.997 → 729); Python's int() truncates (728), so the canvas lands on a different multiple of the tile.",
  'idefics3-zero-side':
    'the short side of the first resize floors to 0 pixels in transformers.js (no tiles: the processor cannot run); Python keeps at least 1 pixel.',
  'qwen-small-side':
    "transformers.js's smart_resize first scales an image with a side under 28 up (Math.round); the Python smart_resize followed here goes straight to the min_pixels bound.",
  'qwen-half-even':
    "a side is an odd multiple of 14 with an even quotient (70 / 28 = 2.5): Python's round goes to even (2), Math.round up (3).",
} as const;
export type Cause = keyof typeof CAUSES;

/** Why the two disagree on this size, or null if no known cause applies (each cause is checked on the size). */
export function differenceCause(family: TjsFamily, size: Size): Cause | null {
  switch (family) {
    case 'llava-1.5':
      return 'llava-default-strategy';
    case 'idefics3':
    case 'smolvlm': {
      const { python, js } = idefics3ShortSide(size, family === 'idefics3' ? 1456 : 2048);
      if (js === 0) return 'idefics3-zero-side';
      if (js !== python) return 'idefics3-two-decimals';
      return null;
    }
    case 'qwen2-vl': {
      if (Math.min(size.width, size.height) < 28) return 'qwen-small-side';
      const halfEven = (side: number) => side % 28 === 14 && Math.floor(side / 28) % 2 === 0;
      if (halfEven(size.width) || halfEven(size.height)) return 'qwen-half-even';
      return null;
    }
    case 'paligemma':
      return null;
  }
}

