/**
 * What the explorer knows about one architecture's handling of one image: the sizes its
 * processor resizes to, the tiles its vision encoder runs on, and the tokens the language
 * model reads. Every family module returns one `Budget` per image size.
 */

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** A crop the vision encoder runs on, in the coordinates of the resized canvas it was cut from. */
export interface Tile {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** Row and column (1-based) in the grid, or 0 for a global/thumbnail view. */
  readonly row: number;
  readonly col: number;
}

/**
 * How the encoder's patch features become language-model tokens, per tile:
 * `merge` k×k neighbouring patches concatenated into one token (Qwen2-VL's 2×2 merger,
 * Idefics3's pixel shuffle), `resampler` a fixed set of learned queries (Idefics2's perceiver,
 * MiniCPM-V's resampler), `pool` bilinear down-sampling (LLaVA-OneVision over 9 tiles),
 * `none` one token per patch (LLaVA, PaliGemma).
 */
export type Reduction =
  | { readonly kind: 'none' }
  | { readonly kind: 'merge'; readonly factor: number; readonly name: string }
  | { readonly kind: 'resampler'; readonly queries: number; readonly name: string }
  | { readonly kind: 'pool'; readonly name: string };

/** One piece of the prompt an image expands to: `count` copies of `text`. */
export interface Segment {
  readonly text: string;
  readonly count: number;
  /** `image`: placeholder tokens the encoder's features replace; `marker`: special tokens around them; `text`: ordinary text (newlines, digits). */
  readonly kind: 'image' | 'marker' | 'text';
}

/** A view the encoder runs on that is not a grid tile (global image, thumbnail, base image). */
export interface GlobalView {
  readonly label: string;
  readonly width: number;
  readonly height: number;
}

export interface Budget {
  /** The size the processor resizes the whole image to before cutting tiles. */
  readonly resized: Size;
  /** Tile grid (rows × columns); 0 × 0 when the image is not split. */
  readonly grid: { readonly rows: number; readonly cols: number };
  /** Where the image lies on the resized canvas when the rest is padding (anyres); absent: all of it. */
  readonly content?: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly tiles: readonly Tile[];
  readonly global: GlobalView | null;
  /** Forward passes of the vision encoder (tiles plus global views; Qwen2-VL: 1). */
  readonly encoderPasses: number;
  /** The encoder's input side for one pass (tile side), or the whole canvas for native resolution. */
  readonly encoderInput: Size;
  readonly patchSize: number;
  readonly reduction: Reduction;
  /** Image placeholder tokens in the prompt. */
  readonly visualTokens: number;
  /** Special marker tokens wrapped around them (each counted as one token). */
  readonly markerTokens: number;
  /** Ordinary text the expansion adds (newlines, image ids), as characters shown in `sequence`. */
  readonly sequence: readonly Segment[];
  /** Facts about this size worth saying (an aspect ratio beyond a limit, an upscale). */
  readonly notes: readonly string[];
}

/** A configuration knob of a family, with the reference checkpoint's value. */
export interface Knob {
  readonly id: string;
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly step: number;
  readonly reference: number;
}

export type KnobValues = Readonly<Record<string, number>>;

export interface Architecture {
  readonly id: string;
  /** Architecture and checkpoint, as the row shows them. */
  readonly name: string;
  readonly checkpoint: string;
  /** The Python file the rule follows (and the author's repo where transformers has none). */
  readonly source: string;
  /** The rule in a few lines. */
  readonly rule: readonly string[];
  readonly knobs: readonly Knob[];
  /** The budget for an image of this size, or an Error the reference raises for it. */
  budget(size: Size, knobs: KnobValues): Budget;
}

/** A size the reference processor refuses, with its own reason. */
export class ProcessorRefusal extends Error {}
