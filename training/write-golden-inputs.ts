/**
 * Writes the fixed inputs of the goldens: the first sample images, shrunk to model size
 * by the playground's own downscaler, and the default captions tokenized.
 *
 *   tsx training/write-golden-inputs.ts training/data/golden-inputs.json
 */
import { writeFileSync } from 'node:fs';
import { GOLDEN_CAPTIONS, encodeCaption, sampleImage, sampleSeed, spec } from '../src/lib/shapes/index.ts';
import { areaResize } from '../src/lib/image/resample.ts';

const GOLDEN_IMAGES = 8;

const images = Array.from({ length: GOLDEN_IMAGES }, (_, k) => {
  const image = sampleImage(k);
  const pixels = areaResize({ ...image, channels: 3 }, spec.imageSize, spec.imageSize);
  return { seed: sampleSeed(k), pixels: Array.from(pixels.data) };
});
const captions = GOLDEN_CAPTIONS.map((text) => ({ text, ids: encodeCaption(text) }));
writeFileSync(process.argv[2] ?? 'training/data/golden-inputs.json', JSON.stringify({ imageSize: spec.imageSize, images, captions }));
