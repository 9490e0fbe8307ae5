/**
 * The held-out scenes' seeds and the ways they are drawn, shared by the evaluations and the cards
 * that print their tables (kept free of model runtimes, so a card writer loads none).
 */

/** Held-out scenes start here; training draws from one random stream seeded with 1. */
export const HELD_OUT_SEED = 1_000_000;

/** How a held-out scene is drawn before the app shrinks it to the model's size. */
export interface Variant { readonly name: string; readonly size: number; readonly antialias: boolean; readonly plain: boolean }

export const VARIANTS: readonly Variant[] = [
  { name: '32 px', size: 32, antialias: true, plain: false },
  { name: '64 px', size: 64, antialias: true, plain: false },
  { name: '128 px', size: 128, antialias: true, plain: false },
  { name: '256 px', size: 256, antialias: true, plain: false },
  { name: '224 px, hard edges, white', size: 224, antialias: false, plain: true },
];
