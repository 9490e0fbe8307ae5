/** Part (j)'s variants and samples, shared by the page (page-tap.ts) and its driver (tap.ts). */
export const TAP_VARIANTS = ['untapped', 'tapped', 'exported'] as const;
export type TapVariant = (typeof TAP_VARIANTS)[number];
/** Calls also run on the tapped graphs asking only for the untapped graph's outputs (ORT's `fetches`). */
export const RUN_VARIANTS = [...TAP_VARIANTS, 'tapped-unfetched'] as const;
export type RunVariant = (typeof RUN_VARIANTS)[number];
export const TOWERS = ['vision_model', 'text_model'] as const;
export type TowerName = (typeof TOWERS)[number];

export interface TapSamples {
  /** ms to create both towers' sessions from bytes in memory (tapped: reading and tapping included). */
  readonly load: Record<TapVariant, number[]>;
  /** ms of reading both graphs, finding their Softmaxes and appending the outputs (the tap alone). */
  readonly tapOnly: number[];
  /** ms per call, 8 images and 8 captions. */
  readonly images: Record<RunVariant, number[]>;
  readonly captions: Record<RunVariant, number[]>;
  /** Outputs each variant's towers return (the check that the variants differ as described). */
  readonly outputs: Record<TapVariant, Record<TowerName, string[]>>;
}

