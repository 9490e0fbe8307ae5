/** Rebuilding from the other modality: MaskVLM. */
import { linkTo } from '../../../lib/link/labs';
import { readNumber, show } from '../course/readings';
import type { Check, Lesson } from '../course/types';
import { scene } from './scenes';

const PATCHES = 64;
const inputs = { img: [scene(['circle', 'red', 0.5, 0.5, 0.32])], cap: ['a red circle'] };
const none = Array.from({ length: PATCHES }, () => 0);
const all = Array.from({ length: PATCHES }, () => 1);
/** Every caption here has three words between [BOS] and [EOS]; 0 keeps a word, 1 masks it. */
const view = (caption: string, patches: number[], words: number[] = [0, 0, 0, 0, 0]) =>
  linkTo('masking', { image: 0, caption, patches, words, patch: 'none', token: 'none', layer: 'mean', head: 'mean' }, inputs);

/** The result shown is for this caption and this patch mask (the lab marks its result with both). */
function settled(root: HTMLElement, caption: string, masked: number[]): boolean {
  const figure = root.querySelector('[data-testid="reconstruction"]');
  return figure?.getAttribute('data-caption') === caption && figure.getAttribute('data-masked') === masked.join('');
}

/**
 * The tint of the rebuilt patches: their mean colour, and which channel stands above the other
 * two. Rebuilt from words alone, the small model draws a pale, blurred disc, so a tint is what
 * there is to read.
 */
function rebuiltColour(root: HTMLElement): { name: 'red' | 'blue' | 'green' | 'none'; rgb: number[] } | null {
  const rows = [...root.querySelectorAll<HTMLElement>('[data-testid="masked-patches"] tbody tr')];
  if (rows.length === 0) return null;
  const rgb = rows.map((tr) => ['r', 'g', 'b'].map((c) => Number(tr.dataset[c])));
  const mean = [0, 1, 2].map((k) => rgb.reduce((s, c) => s + c[k], 0) / rgb.length);
  const above = (k: number) => mean[k] - Math.max(...mean.filter((_, j) => j !== k));
  const name = above(0) > 8 ? 'red' : above(2) > 5 ? 'blue' : above(1) > 5 ? 'green' : 'none';
  return { name, rgb: mean.map((v) => Math.round(v)) };
}

const rebuiltAs = (caption: string, colour: 'red' | 'blue'): Check => ({
  claim: `With every patch hidden and the caption “${caption}”, the rebuilt patches lean ${colour}.`,
  test: (root) => {
    if (!settled(root, caption, all)) return null;
    const c = rebuiltColour(root);
    return c && { holds: c.name === colour, reading: `mean rebuilt colour (${c.rgb.join(', ')}): ${c.name === 'none' ? 'no tint' : c.name}` };
  },
});

const itm = (caption: string, above: boolean): Check => ({
  claim: above ? `Nothing hidden, the model says “${caption}” matches the image (probability above 0.5).` : `It says “${caption}” does not match (probability below 0.5).`,
  test: (root) => {
    if (!settled(root, caption, none)) return null;
    const p = readNumber(root, 'itm');
    return p === null ? null : { holds: above ? p > 0.5 : p < 0.5, reading: `ITM ${show(p)}` };
  },
});

export const masking: Lesson = {
  id: 'masking',
  title: 'Rebuilding from the other modality (MaskVLM)',
  summary: 'Hide a word or the whole image, and watch the model fill it in from the other side.',
  family: 'masking',
  steps: [
    {
      title: 'An image, a caption, and a match score',
      link: view('a red circle', none),
      figure: 'itm',
      text: `MaskVLM has an image encoder and a text encoder whose features cross-attend to each other. One of its heads, image–text matching (ITM), answers a yes-or-no question: does this caption describe this image?`,
      checks: [itm('a red circle', true)],
    },
    {
      title: 'Hide a word',
      link: view('a red circle', none, [0, 0, 1, 0, 0]),
      figure: 'word-predictions',
      text: `Now the word “red” is masked. Like BERT, the text side must predict the hidden word; unlike BERT, it can look at the image to do it. The colour is not in the rest of the sentence, only in the pixels.`,
      checks: [
        {
          claim: 'The most probable word for the hidden one is “red”.',
          test: (root) => {
            if (!settled(root, 'a red circle', none)) return null;
            const first = root.querySelector<HTMLElement>('[data-testid="word-predictions"] li .candidate');
            if (!first) return null;
            return { holds: first.dataset.piece === 'red', reading: `top word “${first.dataset.piece}” at ${show(Number(first.dataset.probability))}` };
          },
        },
      ],
    },
    {
      title: 'Hide the whole image',
      link: view('a red circle', all),
      figure: 'reconstruction',
      text: `Every patch is masked: the image side sees nothing at all. What it rebuilds can only come from the caption, through the cross-attention. This is the article's point about MaskVLM: reconstructing one modality with help from the other makes the model align words with patches.

This small model hedges: without a single visible pixel it paints a pale, blurred disc, but its tint comes from the colour word.`,
      checks: [rebuiltAs('a red circle', 'red')],
    },
    {
      title: 'Change one word',
      link: view('a red circle', all),
      figure: 'reconstruction',
      text: `Same empty image, same mask. Only the colour word of the caption changes.`,
      predict: {
        question: 'With the caption “a blue circle”, which way will the rebuilt patches lean?',
        choices: ['Still red: the model remembers the image', 'Blue', 'No tint: it cannot tell'],
        reveal: view('a blue circle', all),
        answer: (root) => {
          if (!settled(root, 'a blue circle', all)) return null;
          const c = rebuiltColour(root);
          return c === null ? null : c.name === 'red' ? 0 : c.name === 'blue' ? 1 : 2;
        },
      },
      checks: [rebuiltAs('a blue circle', 'blue')],
    },
    {
      title: 'A caption that does not fit',
      link: view('a green square', none),
      figure: 'itm',
      text: `Back to the full image, with a caption that describes something else. The match head was trained on right and wrong pairs, as the contrastive models were.`,
      checks: [itm('a green square', false)],
    },
  ],
};
