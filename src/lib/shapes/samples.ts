/**
 * The sample scenes the playground offers with one click, and how they become images.
 * The forge's goldens use exactly these, so the browser tests can compare what the app
 * shows against PyTorch.
 */
import { renderScene, type RGBImage } from './render';
import { sceneFromSeed, type Scene } from './scene';

/** Side, in pixels, at which samples and composed scenes are drawn (then shrunk for the model). */
export const SAMPLE_RENDER_SIZE = 128;

/** Seed of the k-th sample (k = 0, 1, …): the playground's "Sample" button walks this list. */
export function sampleSeed(k: number): number {
  return 1 + k;
}

export function sampleScene(k: number): Scene {
  return sceneFromSeed(sampleSeed(k));
}

export function sampleImage(k: number): RGBImage {
  return renderScene(sampleScene(k), SAMPLE_RENDER_SIZE);
}

/** Captions the Contrastive lab starts with; the goldens are computed for these. */
export const DEFAULT_CAPTIONS: readonly string[] = [
  'a red circle',
  'a blue square',
  'a green triangle',
  'a yellow circle',
  'something red',
  'a square on the left',
  'a green triangle at the top',
  'a small blue triangle at the bottom right',
];
