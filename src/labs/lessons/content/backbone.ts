/** How an image becomes tokens in a language model: pretrained backbones and their token budgets. */
import { linkTo } from '../../../lib/link/labs';
import { readText } from '../course/readings';
import type { Check, Lesson } from '../course/types';
import { scene } from './scenes';

const budget = (w: number, h: number, arch = 'llava-1.5') => linkTo('budget', { w: String(w), h: String(h), arch });
const QUESTION = 'What colour is the circle?';
const inputs = { img: [scene(['circle', 'red', 0.5, 0.5, 0.3])], cap: ['a red circle'] };
const ask = linkTo('backbone', { model: 'shapes-smolvlm', image: 0, question: QUESTION, decoding: 'greedy', token: 0, layer: 'mean', head: 'mean' }, inputs);

/** Visual tokens per architecture, from the explorer's table, once it shows this size. */
function tokens(root: HTMLElement, w: number, h: number): Map<string, number> | null {
  if (root.querySelector('[data-testid="budget-view"]')?.getAttribute('data-size') !== `${w}x${h}`) return null;
  const rows = [...root.querySelectorAll<HTMLElement>('[data-testid="budget-table"] tbody tr[data-id]')];
  return rows.length ? new Map(rows.map((tr) => [tr.dataset.id!, Number(tr.dataset.tokens)])) : null;
}

/** The answer shown, once it is the answer to this question and finished. */
function answer(root: HTMLElement, question: string): string | null {
  const section = root.querySelector('[data-testid="answer"]');
  if (section?.getAttribute('data-status') !== 'done') return null;
  try {
    if ((JSON.parse(section.getAttribute('data-for') ?? '') as { question?: string }).question !== question) return null;
  } catch {
    return null;
  }
  return readText(root, 'answer-text');
}

const fixed576: Check = {
  claim: 'LLaVA-1.5 spends 576 visual tokens on a 1920 × 1080 photo; Qwen2-VL, which keeps the resolution, more than 2000.',
  test: (root) => {
    const t = tokens(root, 1920, 1080);
    return t && { holds: t.get('llava-1.5') === 576 && (t.get('qwen2-vl') ?? 0) > 2000, reading: `LLaVA-1.5 ${t.get('llava-1.5')}, Qwen2-VL ${t.get('qwen2-vl')}` };
  },
};

export const backbone: Lesson = {
  id: 'backbone',
  title: 'How an image becomes tokens in a language model',
  summary: 'Pretrained backbones: an image encoder, a connector, and a token budget per image.',
  family: 'backbones',
  steps: [
    {
      title: 'The image as the language model reads it',
      link: budget(1920, 1080),
      figure: 'budget-table',
      text: `Training a VLM from scratch is expensive, so most open models join a pretrained image encoder to a pretrained language model and learn only the mapping between them. The language model then reads the image as tokens between its words, and how many tokens an image costs is a design choice.

LLaVA-1.5 resizes every image to 336 × 336 and always spends 576 tokens. Qwen2-VL cuts the image at its own resolution into 28-pixel cells, so a large photo costs thousands.`,
      checks: [fixed576],
    },
    {
      title: 'A small image',
      link: budget(1920, 1080),
      figure: 'budget-table',
      text: `Now a 336 × 336 image, LLaVA-1.5's own input size.`,
      predict: {
        question: 'At 336 × 336, will Qwen2-VL spend more tokens than LLaVA-1.5, or fewer?',
        choices: ['More', 'The same 576', 'Fewer'],
        reveal: budget(336, 336),
        answer: (root) => {
          const t = tokens(root, 336, 336);
          if (!t) return null;
          const [q, l] = [t.get('qwen2-vl')!, t.get('llava-1.5')!];
          return q > l ? 0 : q === l ? 1 : 2;
        },
      },
      checks: [
        {
          claim: 'At 336 × 336 Qwen2-VL spends fewer visual tokens than LLaVA-1.5.',
          test: (root) => {
            const t = tokens(root, 336, 336);
            return t && { holds: t.get('qwen2-vl')! < t.get('llava-1.5')!, reading: `Qwen2-VL ${t.get('qwen2-vl')}, LLaVA-1.5 ${t.get('llava-1.5')}` };
          },
        },
      ],
    },
    {
      title: 'Tiles, a global view, and a pixel shuffle',
      link: budget(1920, 1080, 'smolvlm'),
      figure: 'budget-detail',
      text: `SmolVLM (after Idefics3) cuts a large image into tiles the encoder's size, adds the whole image shrunk as a global view, and folds each 2 × 2 block of patch features into one token with a pixel shuffle (4 × 4 in SmolVLM-256M). The article's Idefics2 finding is this trade: fewer visual tokens, more compute left for the text.`,
      checks: [
        {
          claim: 'SmolVLM-256M spends 64 tokens per frame: its count for 1920 × 1080 is a multiple of 64.',
          test: (root) => {
            const t = tokens(root, 1920, 1080)?.get('smolvlm');
            return t === undefined ? null : { holds: t % 64 === 0 && t > 0, reading: `${t} tokens = ${t / 64} frames × 64` };
          },
        },
      ],
    },
    {
      title: 'A small VLM built the same way',
      link: ask,
      figure: 'prompt-view',
      text: `The Backbone lab's model was built by this project like SmolVLM: the vision tower of the small CLIP, a pixel-shuffle connector, and a small language model pretrained on ShapesWorld text. Its prompt shows the image placeholder expanded into tiles, markers and visual tokens.`,
      checks: [
        {
          claim: 'The prompt carries 16 visual tokens per frame, for 2 × 2 tiles and the global image (5 frames).',
          test: (root) => {
            const counts = root.querySelector<HTMLElement>('[data-testid="prompt-counts"]');
            if (!counts || answer(root, QUESTION) === null) return null;
            const [visual, frames] = [Number(counts.dataset.visual), Number(counts.dataset.frames)];
            return { holds: frames === 5 && visual === frames * 16, reading: `${visual} visual tokens in ${frames} frames` };
          },
        },
      ],
    },
    {
      title: 'Asking about the image',
      link: ask,
      figure: 'answer',
      text: `The language model answers token by token, reading the visual tokens like words. Pick an answer token to see where it looked, split between the image's tiles and the text.`,
      checks: [
        {
          claim: 'Asked the colour of the circle, the model answers “red”.',
          test: (root) => {
            const text = answer(root, QUESTION);
            return text === null ? null : { holds: /\bred\b/.test(text), reading: `“${text}”` };
          },
        },
      ],
    },
  ],
};
