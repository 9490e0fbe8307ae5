/**
 * Writes ShapesWorld training data for the forge, from the same TypeScript generator and
 * downscaler the playground uses.
 *
 *   tsx training/write-dataset.ts --out training/data --count 120000 --seed 1
 *
 * Files (all little-endian, row-major):
 *   images.u8   [count, S, S, 3]   S = spec.imageSize
 *   tokens.i32  [count, MAX_TEXT_TOKENS]   padded with PAD_ID
 *   meaning.i32 [count]            index of the caption's meaning in `meanings`
 *   truth.u8    [count, ceil(meanings / 8)]  bit m set when meaning m is true of the scene
 *   meta.json   vocabulary, meanings, spec version, shapes of the arrays
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  captionText, encodeCaption, generateScene, holds, meanings, MAX_TEXT_TOKENS, pick, renderScene, sampleCaption,
  seededRandom, spec, uniform, vocabulary, type Random, type Scene,
} from '../src/lib/shapes/index.ts';
import { areaResize } from '../src/lib/image/resample.ts';
import { flag } from './arguments.ts';

const RENDER_SIZES = [32, 32, 40, 48, 64, 64, 96, 128, 160];

/** One training image: a scene drawn at a random size, style and noise, shrunk to model size. */
export function trainingPixels(scene: Scene, random: Random): Uint8ClampedArray {
  const size = pick(random, RENDER_SIZES);
  const antialias = random() < 0.7;
  const noise = random() < 0.5 ? uniform(random, 0, 0.06) : 0;
  const image = renderScene(scene, size, { antialias, noise, noiseSeed: Math.floor(random() * 2 ** 31) });
  return areaResize({ ...image, channels: 3 }, spec.imageSize, spec.imageSize).data;
}

function main(): void {
  const out = flag(process.argv, 'out', 'training/data');
  const count = Number(flag(process.argv, 'count', '120000'));
  const random = seededRandom(Number(flag(process.argv, 'seed', '1')));
  const pixels = spec.imageSize * spec.imageSize * 3;
  const truthBytes = Math.ceil(meanings.length / 8);
  const images = new Uint8Array(count * pixels);
  const tokens = new Int32Array(count * MAX_TEXT_TOKENS);
  const meaning = new Int32Array(count);
  const truth = new Uint8Array(count * truthBytes);
  for (let i = 0; i < count; i++) {
    const scene = generateScene(random, { plainBackground: random() < 0.2 });
    images.set(trainingPixels(scene, random), i * pixels);
    const m = sampleCaption(scene, random);
    meaning[i] = meanings.indexOf(m);
    encodeCaption(captionText(m, random)).slice(0, MAX_TEXT_TOKENS).forEach((id, k) => (tokens[i * MAX_TEXT_TOKENS + k] = id));
    meanings.forEach((candidate, j) => {
      if (holds(candidate, scene)) truth[i * truthBytes + (j >> 3)] |= 1 << (j & 7);
    });
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'images.u8'), images);
  writeFileSync(join(out, 'tokens.i32'), new Uint8Array(tokens.buffer));
  writeFileSync(join(out, 'meaning.i32'), new Uint8Array(meaning.buffer));
  writeFileSync(join(out, 'truth.u8'), truth);
  writeFileSync(join(out, 'meta.json'), JSON.stringify({
    specVersion: spec.version,
    count,
    imageSize: spec.imageSize,
    maxTextTokens: MAX_TEXT_TOKENS,
    truthBytes,
    vocabulary,
    meanings: meanings.map((m) => ({ id: m.id, text: captionText(m), template: m.template.id })),
  }, null, 1));
  console.log(`wrote ${count} samples to ${out}`);
}

main();
