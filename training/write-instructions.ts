/**
 * Writes the instruction data of shapes-lm and shapes-smolvlm from the ShapesWorld generator:
 * scenes of one to four shapes, each drawn at a random size and style and shrunk to the
 * processor's 64 × 64 by the app's downscaler, and conversations in SmolVLM's chat format,
 * tokenized as the exported tokenizer does (src/lib/shapes/chat.ts).
 *
 *   tsx training/write-instructions.ts --out training/data-instruct --images 12000 --seed 11
 *
 * Three sources of conversation:
 *   image   a question about the image (its <image> placeholder is expanded by the forge, as the
 *           processor does), one of each kind per image: colour, shape, size, position, count,
 *           exists, relation, describe
 *   text    the same question with the scene described in words instead of the image: the
 *           language model's pretraining text (no pixels)
 *   prior   the question alone, no image, no description: what a model without the image can
 *           only guess
 * Text-only scenes (--text-scenes, never drawn) add to the text and prior conversations.
 * --extra position=2,relation=3 asks that many more questions of those kinds about every drawn image
 * (each drawn anew: often another shape or pair), after its usual ones; without it the random stream,
 * and so the data of a seed, is what it always was.
 *
 * Files (little-endian, row-major; golden-inputs.json: the goldens' images and questions):
 *   images.u8          [images, 64, 64, 3]
 *   tokens.i32         [conversations, width]  ids, padded with [PAD]
 *   conversations.i32  [conversations, 5]      image (-1: none), source, kind, answer start, length
 *   meta.json          vocabulary, special ids, kinds, sources, sizes
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CHAT_IDS, CHAT_TEMPLATE, GOLDEN_QUESTIONS, sampleImage, sampleSeed, CHAT_TOKENS, QUESTION_KINDS, SPECIAL_CHAT_TOKENS, TILE_TOKENS, askQuestion, chatAnswer, chatPrompt,
  chatVocabulary, describeScene, encodeChat, generateScene, pick, renderScene, seededRandom, spec, uniform, type Random, type Scene,
} from '../src/lib/shapes/index.ts';
import { areaResize } from '../src/lib/image/resample.ts';
import { flag } from './arguments.ts';

/** The processor's input size (size.longest_edge): 2 × 2 tiles of the vision encoder's 32 pixels. */
export const INSTRUCT_IMAGE_SIZE = 64;
const RENDER_SIZES = [64, 64, 80, 96, 128, 160, 224, 256];
const WIDTH = 120;
const GOLDEN_IMAGES = 4;
export const SOURCES = ['image', 'text', 'prior'] as const;

/** Scenes of one to four shapes: one 35%, two 30%, three 20%, four 15%. */
export function instructionScene(random: Random): Scene {
  const r = random();
  const count = r < 0.35 ? 1 : r < 0.65 ? 2 : r < 0.85 ? 3 : 4;
  return generateScene(random, { count, plainBackground: random() < 0.2 });
}

/** One image: the scene drawn at a random size and style, shrunk to 64 × 64 by area averaging. */
export function instructionPixels(scene: Scene, random: Random): Uint8ClampedArray {
  const size = pick(random, RENDER_SIZES);
  const antialias = random() < 0.7;
  const noise = random() < 0.5 ? uniform(random, 0, 0.06) : 0;
  const image = renderScene(scene, size, { antialias, noise, noiseSeed: Math.floor(random() * 2 ** 31) });
  return areaResize({ ...image, channels: 3 }, INSTRUCT_IMAGE_SIZE, INSTRUCT_IMAGE_SIZE).data;
}

/** The user turn of each source: with the image, with the scene in words, or with neither. */
export function userText(source: (typeof SOURCES)[number], scene: Scene, question: string): string {
  if (source === 'image') return chatPrompt(question, true);
  if (source === 'text') return chatPrompt(`${describeScene(scene)} ${question}`, false);
  return chatPrompt(question, false);
}

function main(): void {
  const out = flag(process.argv, 'out', 'training/data-instruct');
  const imageCount = Number(flag(process.argv, 'images', '12000'));
  const textScenes = Number(flag(process.argv, 'text-scenes', String(imageCount * 2)));
  const random = seededRandom(Number(flag(process.argv, 'seed', '11')));
  const extra = extraQuestions(flag(process.argv, 'extra', ''));
  const plane = INSTRUCT_IMAGE_SIZE * INSTRUCT_IMAGE_SIZE * 3;
  const images = new Uint8Array(imageCount * plane);
  const rows: number[][] = [];
  const tokens: number[][] = [];
  const add = (image: number, source: number, scene: Scene, kindIndex: number) => {
    const qa = askQuestion(QUESTION_KINDS[kindIndex], scene, random);
    if (!qa) return;
    const prompt = encodeChat(userText(SOURCES[source], scene, qa.question));
    const ids = [...prompt, ...encodeChat(chatAnswer(qa.answer))];
    if (ids.length > WIDTH) throw new Error(`conversation of ${ids.length} tokens > ${WIDTH}`);
    rows.push([image, source, kindIndex, prompt.length, ids.length]);
    tokens.push(ids);
  };
  for (let i = 0; i < imageCount + textScenes; i++) {
    const scene = instructionScene(random);
    const drawn = i < imageCount;
    if (drawn) images.set(instructionPixels(scene, random), i * plane);
    QUESTION_KINDS.forEach((_, k) => {
      if (drawn) add(i, 0, scene, k);
      add(-1, 1, scene, k);
    });
    if (drawn) for (const [k, n] of extra) for (let j = 0; j < n; j++) add(i, 0, scene, k);
    add(-1, 2, scene, Math.floor(random() * QUESTION_KINDS.length));
  }
  const flat = new Int32Array(tokens.length * WIDTH);
  tokens.forEach((ids, r) => flat.set(ids, r * WIDTH));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'images.u8'), images);
  writeFileSync(join(out, 'tokens.i32'), new Uint8Array(flat.buffer));
  writeFileSync(join(out, 'conversations.i32'), new Uint8Array(Int32Array.from(rows.flat()).buffer));
  writeFileSync(join(out, 'meta.json'), JSON.stringify({
    specVersion: spec.version, images: imageCount, conversations: rows.length, width: WIDTH,
    imageSize: INSTRUCT_IMAGE_SIZE, tileSize: spec.imageSize, vocabulary: chatVocabulary,
    specialTokens: SPECIAL_CHAT_TOKENS, tileTokens: TILE_TOKENS, chatTokens: CHAT_TOKENS, ids: CHAT_IDS,
    kinds: QUESTION_KINDS, sources: SOURCES, chatTemplate: CHAT_TEMPLATE,
  }, null, 1));
  writeFileSync(join(out, 'golden-inputs.json'), JSON.stringify(goldenInputs()));
  console.log(`wrote ${imageCount} images and ${rows.length} conversations to ${out}`);
}

/** "position=2,relation=3" -> [kind index, count] pairs. */
export function extraQuestions(text: string): [number, number][] {
  return text.split(',').filter(Boolean).map((part) => {
    const [name, count] = part.split('=');
    const k = QUESTION_KINDS.indexOf(name as (typeof QUESTION_KINDS)[number]);
    if (k < 0 || !(Number(count) >= 0)) throw new Error(`--extra: "${part}" (kinds: ${QUESTION_KINDS.join(', ')})`);
    return [k, Number(count)];
  });
}

/** The goldens' inputs: the first sample images at the processor's size and the golden questions, with and without the image. */
export function goldenInputs() {
  const images = Array.from({ length: GOLDEN_IMAGES }, (_, k) => ({
    seed: sampleSeed(k),
    pixels: Array.from(areaResize({ ...sampleImage(k), channels: 3 }, INSTRUCT_IMAGE_SIZE, INSTRUCT_IMAGE_SIZE).data),
  }));
  const withImage = images.flatMap((_, image) => GOLDEN_QUESTIONS.map((question) => ({ image, question, ids: encodeChat(chatPrompt(question, true)) })));
  const withoutImage = GOLDEN_QUESTIONS.map((question) => ({ image: null, question, ids: encodeChat(chatPrompt(question, false)) }));
  return { imageSize: INSTRUCT_IMAGE_SIZE, images, cases: [...withImage, ...withoutImage] };
}

if (process.argv[1]?.endsWith('write-instructions.ts')) main();
