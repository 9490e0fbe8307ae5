/**
 * The ten architectures in the order the table shows them, the size check every input goes
 * through, and the table itself: one budget (or the reference's own refusal) per row.
 */
import { idefics2, idefics3, smolvlm } from './idefics';
import { internvl } from './internvl';
import { llava15, llavaNext, llavaOneVision } from './llava';
import { minicpmv } from './minicpmv';
import { paligemma } from './paligemma';
import { qwen2vl } from './qwen2vl';
import { ProcessorRefusal, type Architecture, type Budget, type KnobValues, type Size } from './types';

export const ARCHITECTURES: readonly Architecture[] = [llava15, llavaNext, llavaOneVision, idefics2, idefics3, smolvlm, internvl, qwen2vl, minicpmv, paligemma];

/** Longest side the explorer accepts: a bigger image would not be decoded by a browser anyway. */
export const MAX_SIDE = 16384;
/** Largest area, as for uploads (src/lib/image/inspect.ts). */
export const MAX_AREA = 50_000_000;

export type SizeCheck = { readonly ok: true; readonly size: Size } | { readonly ok: false; readonly message: string };

function side(name: string, raw: string | number): number | string {
  const text = String(raw).trim();
  if (text === '') return `${name} is empty: type a number of pixels.`;
  if (!/^[+-]?\d+(\.\d+)?$/.test(text)) return `${name} "${text.slice(0, 20)}" is not a number of pixels.`;
  const value = Number(text);
  if (!Number.isInteger(value)) return `${name} ${text} is not a whole number of pixels.`;
  if (value <= 0) return `${name} must be at least 1 pixel (got ${value}).`;
  if (value > MAX_SIDE) return `${name} ${value} is larger than ${MAX_SIDE} pixels, the largest side the explorer takes.`;
  return value;
}

/**
 * A width and height as typed (or read from a link) checked into a size, or a message that
 * says what is wrong with it.
 * @example checkSize('1920', '1080') // { ok: true, size: { width: 1920, height: 1080 } }
 * @example checkSize('100000', '1').ok // false
 */
export function checkSize(width: string | number, height: string | number): SizeCheck {
  const w = side('Width', width);
  if (typeof w === 'string') return { ok: false, message: w };
  const h = side('Height', height);
  if (typeof h === 'string') return { ok: false, message: h };
  if (w * h > MAX_AREA) return { ok: false, message: `${w} × ${h} is ${Math.round((w * h) / 1e6)} megapixels; the limit is ${MAX_AREA / 1e6}.` };
  return { ok: true, size: { width: w, height: h } };
}

export interface TableRow {
  readonly architecture: Architecture;
  readonly budget: Budget | null;
  /** The reference processor's refusal of this size (Qwen2-VL's aspect limit, Idefics2's 1-pixel crops). */
  readonly refusal: string | null;
}

/** The reference value of every knob. */
export function referenceKnobs(): Record<string, number> {
  const values: Record<string, number> = {};
  for (const a of ARCHITECTURES) for (const k of a.knobs) values[k.id] = k.reference;
  return values;
}

/** Every architecture's budget for one size. */
export function budgetTable(size: Size, knobs: KnobValues = referenceKnobs()): TableRow[] {
  return ARCHITECTURES.map((architecture) => {
    try {
      return { architecture, budget: architecture.budget(size, knobs), refusal: null };
    } catch (error) {
      if (error instanceof ProcessorRefusal) return { architecture, budget: null, refusal: error.message };
      throw error;
    }
  });
}
