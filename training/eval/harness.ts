/**
 * What every held-out evaluation of a forge model shares: the held-out scenes (seeds the training
 * stream never used), the drawn variants, the playground's own image path (draw, shrink by the
 * app's downscaler, preprocess by transformers.js), local model loading, and the image → text
 * top-1 rule. A family's module (training/eval/<family>.ts) holds only what it measures.
 */
import { join, basename, dirname, resolve } from 'node:path';
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { AutoProcessor, AutoTokenizer, RawImage, env, type Tensor } from '@huggingface/transformers';
import { fullCaption, holds, meanings, renderScene, sceneFromSeed, spec, type Meaning, type Scene } from '../../src/lib/shapes/index.ts';
import { shrinkShortestEdge } from '../../src/lib/image/resample.ts';
import { HELD_OUT_SEED, type Variant } from './variants.ts';

export { HELD_OUT_SEED, VARIANTS, type Variant } from './variants.ts';
export { percent } from '../cards/format.ts';

/** The caption sets image → text top-1 ranks among: 216 full, 12 "a {colour} {shape}", 576 relations. */
export const captionGroups = {
  full: meanings.filter((m) => m.template.id === 'full'),
  short: meanings.filter((m) => m.template.id === 'colour-shape'),
  relation: meanings.filter((m) => m.template.id === 'relation'),
};
export type CaptionGroup = keyof typeof captionGroups;

/**
 * `count` one-shape scenes from HELD_OUT_SEED, and the two-shape scenes of the next `count` seeds
 * (those the generator gave two shapes).
 */
export function heldOutScenes(count: number): { oneShape: Scene[]; twoShape: Scene[] } {
  const oneShape = Array.from({ length: count }, (_, k) => sceneFromSeed(HELD_OUT_SEED + k, { count: 1 }));
  const twoShape = Array.from({ length: count }, (_, k) => sceneFromSeed(HELD_OUT_SEED + count + k, { count: 2 })).filter((s) => s.shapes.length === 2);
  return { oneShape, twoShape };
}

/**
 * Whether the caption ranked first is right: the scene's own full caption for `full`, any
 * caption true of the scene otherwise.
 */
export function isRight(group: CaptionGroup, picked: Meaning, scene: Scene): boolean {
  return group === 'full' ? picked.id === fullCaption(scene).id : holds(picked, scene);
}

/** Share of scenes whose pick (an index into the group's captions) is right. */
export function topOneShare(group: CaptionGroup, picks: readonly number[], scenes: readonly Scene[]): number {
  return picks.filter((j, i) => isRight(group, captionGroups[group][j], scenes[i])).length / scenes.length;
}

/** Points transformers.js at the model's parent folder, remote loading off; returns the model id. */
export function localModelId(modelDir: string): string {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = dirname(resolve(modelDir)) + '/';
  return basename(resolve(modelDir));
}

export type Processor = Awaited<ReturnType<typeof AutoProcessor.from_pretrained>>;
export type Tokenizer = Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;

/** A forge model's tokenizer and image processor, loaded as the playground loads them. */
export async function loadPreprocessing(modelDir: string): Promise<{ id: string; tokenizer: Tokenizer; processor: Processor }> {
  const id = localModelId(modelDir);
  const tokenizer = await AutoTokenizer.from_pretrained(id);
  const processor = await AutoProcessor.from_pretrained(id);
  return { id, tokenizer, processor };
}

/** One of a forge model's graphs (onnx/<name>.onnx) on onnxruntime-node. */
export function onnxSession(modelDir: string, name: string, options?: InferenceSession.SessionOptions): Promise<InferenceSession> {
  const path = join(modelDir, 'onnx', `${name}.onnx`);
  return options ? InferenceSession.create(path, options) : InferenceSession.create(path);
}

/** A transformers.js int64 tensor (token ids, masks) as an onnxruntime-node one. */
export const int64 = (t: Tensor) => new OrtTensor('int64', t.data as BigInt64Array, t.dims);

/**
 * The scenes drawn as `v`, shrunk to the model's size by the app's downscaler and preprocessed
 * by transformers.js, one after another in a batch [scenes, 3, S, S].
 */
export async function pixelValues(processor: Processor, scenes: readonly Scene[], v: Variant): Promise<Float32Array> {
  const plane = 3 * spec.imageSize * spec.imageSize;
  const batch = new Float32Array(scenes.length * plane);
  for (const [i, scene] of scenes.entries()) {
    const drawn = renderScene(v.plain ? { ...scene, background: [255, 255, 255] } : scene, v.size, { antialias: v.antialias });
    // Square renders shrink to S × S exactly, so the processor's resize is a no-op here.
    const small = shrinkShortestEdge({ ...drawn, channels: 3 }, spec.imageSize);
    const { pixel_values } = await processor(new RawImage(small.data, small.width, small.height, 3));
    batch.set(pixel_values.data as Float32Array, i * plane);
  }
  return batch;
}
