/**
 * The sample scenes the playground offers with one click, and how they become images.
 * The forge's goldens use exactly these, so the browser tests can compare what the app
 * shows against PyTorch.
 */
import { renderScene, type RGBImage } from './render';
import { sceneFromSeed, type Scene } from './scene';
import { captionText, indexOfMeaning, meanings, fullCaption } from './captions';

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

/** Captions the goldens are computed for (the browser tests type them into the lab). */
export const GOLDEN_CAPTIONS: readonly string[] = [
  'a red circle',
  'a blue square',
  'a green triangle',
  'a yellow circle',
  'something red',
  'a square on the left',
  'a green triangle at the top',
  'a small blue triangle at the bottom right',
];

/**
 * A short true caption of the k-th sample, from ShapesWorld's grammar (not from a model):
 * "a {colour} {shape}" for one shape, the relation caption for two. The lab starts with
 * these, so its diagonal holds the true pairs.
 */
export function describeSample(k: number): string {
  const scene = sampleScene(k);
  if (scene.shapes.length === 2) return captionText(fullCaption(scene));
  const [shape] = scene.shapes;
  return captionText(meanings[indexOfMeaning(`colour-shape:${shape.colour}:${shape.kind}`)]);
}
