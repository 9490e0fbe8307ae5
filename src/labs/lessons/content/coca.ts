/** Captioning and where each word looks: CoCa. */
import { linkTo } from '../../../lib/link/labs';
import { readText, show } from '../course/readings';
import type { Lesson } from '../course/types';
import { scene } from './scenes';

const inputs = { img: [scene(['circle', 'red', 0.3, 0.35, 0.25])], cap: ['a red circle'] };
type Decoding = { decoding: 'greedy' | 'sample'; temperature?: number; topk?: number; seed?: number };
const view = (prefix: string, token: number, decoding: Decoding = { decoding: 'greedy' }) =>
  linkTo('generative', { image: 0, prefix, token, layer: 'mean', head: 'mean', ...decoding }, inputs);

/** The caption shown, once it answers this prefix with this decoding (the lab marks its result with both). */
function caption(root: HTMLElement, prefix: string, kind: Decoding['decoding'] = 'greedy'): string | null {
  const raw = root.querySelector('[data-testid="caption-result"]')?.getAttribute('data-for');
  if (!raw) return null;
  try {
    const asked = JSON.parse(raw) as { prefix?: string; sampling?: { kind?: string } };
    if (asked.prefix !== prefix || asked.sampling?.kind !== kind) return null;
  } catch {
    return null;
  }
  return readText(root, 'caption-text');
}
const words = (text: string) => text.split(/\s+/);

export const coca: Lesson = {
  id: 'coca',
  title: 'Captioning, and where each word looks (CoCa)',
  summary: 'A contrastive captioner writes a caption token by token, looking at the image for each.',
  family: 'generative',
  steps: [
    {
      title: 'A caption, one token at a time',
      link: view('', 0),
      figure: 'caption-tokens',
      text: `CoCa trains a CLIP-like contrastive loss and a captioning loss together. Its decoder writes the caption one token at a time, each time choosing from a probability over the vocabulary; greedy decoding takes the most probable token every time.

Each token shows its probability; pick one to see the alternatives the model weighed.`,
      checks: [
        {
          claim: 'The greedy caption names the colour and the shape: “red” and “circle”.',
          test: (root) => {
            const text = caption(root, '');
            return text === null ? null : { holds: words(text).includes('red') && words(text).includes('circle'), reading: `“${text}”` };
          },
        },
      ],
    },
    {
      title: 'Where a word looks',
      link: view('', 2),
      figure: 'token-attention',
      text: `The decoder's first layers read only the text so far (they also give CoCa its text embedding). The later layers cross-attend to the image's patch tokens. The map shows that attention for the selected token, averaged over layers and heads: where the model looked when it chose that word.

Scrub through the tokens: the colour and shape words tend to look at the shape, the little words anywhere.`,
      checks: [
        {
          claim: "The selected token's attention over the patches sums to 1.",
          test: (root) => {
            if (caption(root, '') === null) return null;
            const sum = Number(root.querySelector('[data-testid="token-attention"]')?.getAttribute('data-sum'));
            return Number.isFinite(sum) ? { holds: Math.abs(sum - 1) < 1e-3, reading: `sum ${sum.toFixed(5)}` } : null;
          },
        },
      ],
    },
    {
      title: 'Force the start',
      link: view('', 0),
      figure: 'caption-tokens',
      text: `A prefix forces the first words; the model continues from there, still looking at the image. What happens when the forced words are wrong?`,
      predict: {
        question: 'Forced to start with “a blue”, what will CoCa write next?',
        choices: ['“circle”: it still follows the shape it sees', 'Another shape', 'It stops at once'],
        reveal: view('a blue', 0),
        answer: (root) => {
          const text = caption(root, 'a blue');
          if (text === null) return null;
          const next = words(text)[2];
          return next === 'circle' ? 0 : next === undefined ? 2 : 1;
        },
      },
      checks: [
        {
          claim: 'After the forced “a blue”, the next word is “circle”.',
          test: (root) => {
            const text = caption(root, 'a blue');
            return text === null ? null : { holds: words(text)[2] === 'circle', reading: `“${text}”` };
          },
        },
      ],
    },
    {
      title: 'Sampling instead of the best token',
      link: view('', 0, { decoding: 'sample', temperature: 2, topk: 20, seed: 1 }),
      figure: 'caption-tokens',
      text: `Greedy decoding always writes the same caption. Sampling draws each token from the probabilities instead: a temperature above 1 flattens them, top-k keeps the k most probable, and the seed makes a draw repeatable, so this link shows the same caption everywhere.

At temperature 2 the draw sometimes takes a token the model itself thought very unlikely (its probability is shown under it), and the rest of the caption has to make do with it.`,
      checks: [
        {
          claim: 'At least one sampled token is one the model gave less than even odds (probability below 0.5).',
          test: (root) => {
            const text = caption(root, '', 'sample');
            if (text === null) return null;
            const probabilities = [...root.querySelectorAll('[data-testid="caption-tokens"] [data-probability]')].map((b) => Number(b.getAttribute('data-probability')));
            const low = Math.min(...probabilities);
            return { holds: low < 0.5, reading: `“${text}”; least probable token ${show(low)}` };
          },
        },
      ],
    },
  ],
};
