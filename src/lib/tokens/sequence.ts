/**
 * CM3leon's one sequence of words and image codes, as shapes-cm3 lays it out (its config's
 * `vocabulary`): the caption's word ids first ([PAD] 0, [UNK] 1, [BOS] 2, [EOS] 3, words), then
 * the markers <image> and </image>, then shapes-vq's K codes. The two orders it was trained on:
 *
 *   caption -> image:  [BOS] words [EOS] <image> c1 … c64 </image>
 *   image -> caption:  <image> c1 … c64 </image> [BOS] words [EOS]
 *
 * Pure: the worker builds prompts with it, the lab reads its steps with it.
 */
import type { TokenVocabulary } from '../runtime/protocol';

/** The code index of a token id, or null for a word or marker. */
export function codeOf(v: TokenVocabulary, id: number): number | null {
  const code = id - v.first_code;
  return code >= 0 && code < v.codes ? code : null;
}

/** The token id of a code index. */
export function codeToken(v: TokenVocabulary, code: number): number {
  if (!Number.isInteger(code) || code < 0 || code >= v.codes) throw new RangeError(`code ${code} is not in 0..${v.codes - 1}`);
  return v.first_code + code;
}

/**
 * The prompt that asks for a drawing: the caption's ids as its tokenizer gives them ([BOS] …
 * [EOS]), then <image>.
 * @example drawPrompt(v, [2, 4, 22, 13, 3])  // [2, 4, 22, 13, 3, 36]
 */
export function drawPrompt(v: TokenVocabulary, captionIds: readonly number[]): number[] {
  return [...captionIds, v.begin_image];
}

/**
 * The prompt that asks for a caption: the image's codes between the markers, then [BOS].
 * @example captionPrompt(v, codes, 2)  // [36, 38 + codes[0], …, 38 + codes[63], 37, 2]
 */
export function captionPrompt(v: TokenVocabulary, codes: readonly number[], bos: number): number[] {
  if (codes.length !== v.cells) throw new RangeError(`an image is ${v.cells} codes, not ${codes.length}`);
  return [v.begin_image, ...codes.map((c) => codeToken(v, c)), v.end_image, bos];
}

/** How a token reads: a code as `#17`, a marker as `<image>` / `</image>`, a word by its piece. */
export function pieceOf(v: TokenVocabulary, id: number, word: (id: number) => string): string {
  const code = codeOf(v, id);
  if (code !== null) return `#${code}`;
  if (id === v.begin_image) return '<image>';
  if (id === v.end_image) return '</image>';
  return word(id);
}

/**
 * Cells of a drawing from the tokens chosen after <image>, one per cell in reading order, as
 * shapes-cm3's evaluation and goldens decode them: a token that is not a code (a word, a
 * marker) leaves code 0 in its cell, and so does a cell never reached (</image> came early).
 * `drawn` counts the cells reached.
 */
export function drawnCells(v: TokenVocabulary, ids: readonly number[]): { codes: number[]; drawn: number } {
  const codes = new Array<number>(v.cells).fill(0);
  let drawn = 0;
  for (const id of ids) {
    if (drawn === v.cells || id === v.end_image) break;
    codes[drawn++] = codeOf(v, id) ?? 0;
  }
  return { codes, drawn };
}

/** How many cells use each of the K codes. */
export function codeUsage(codes: readonly number[], codebookSize: number): number[] {
  const counts = new Array<number>(codebookSize).fill(0);
  for (const c of codes) counts[c]++;
  return counts;
}

/** The pixel square `[x0, x1) × [y0, y1)` that cell `cell` (row-major on a `grid × grid` grid) covers in a `size`-pixel image. */
export function cellRegion(cell: number, grid: number, size: number): { x0: number; y0: number; x1: number; y1: number } {
  const side = size / grid;
  const row = Math.floor(cell / grid);
  const col = cell % grid;
  return { x0: col * side, y0: row * side, x1: (col + 1) * side, y1: (row + 1) * side };
}

/**
 * Normalised `[3, S, S]` pixel values (the image processor's and the VQ decoder's) as 8-bit RGB
 * `[S, S, 3]`, clipped: what the model's numbers look like.
 */
export function toRgb(values: ArrayLike<number>, offset: number, size: number, mean: readonly number[], std: readonly number[]): Uint8ClampedArray {
  const plane = size * size;
  const out = new Uint8ClampedArray(plane * 3);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round((values[offset + c * plane + i] * std[c] + mean[c]) * 255);
  return out;
}

/**
 * The reconstruction's error against the input, in 8-bit levels: the mean absolute difference
 * over every pixel and channel, and one value per pixel (the mean over its channels) for the map.
 */
export function reconstructionError(input: Uint8ClampedArray, output: Uint8ClampedArray): { mean: number; perPixel: Float32Array } {
  const pixels = input.length / 3;
  const perPixel = new Float32Array(pixels);
  let total = 0;
  for (let i = 0; i < pixels; i++) {
    let sum = 0;
    for (let c = 0; c < 3; c++) sum += Math.abs(input[i * 3 + c] - output[i * 3 + c]);
    perPixel[i] = sum / 3;
    total += sum;
  }
  return { mean: total / input.length, perPixel };
}

/** The centre cell's pixels, `[side, side, 3]`, of an `[S, S, 3]` image decoded from a grid holding one code everywhere: that code's own patch. */
export function centrePatch(rgb: Uint8ClampedArray, size: number, grid: number): Uint8ClampedArray {
  const side = size / grid;
  const { x0, y0 } = cellRegion((grid >> 1) * grid + (grid >> 1), grid, size);
  const out = new Uint8ClampedArray(side * side * 3);
  for (let y = 0; y < side; y++) out.set(rgb.subarray(((y0 + y) * size + x0) * 3, ((y0 + y) * size + x0 + side) * 3), y * side * 3);
  return out;
}
