/** One image, many captions: Llip's caption-conditioned mixture tokens. */
import { linkTo } from '../../../lib/link/labs';
import { argmax, readTable, show } from '../course/readings';
import type { Lesson } from '../course/types';
import { scene } from './scenes';

const CAPTIONS = ['a yellow triangle', 'a green triangle', 'a yellow triangle to the right of a green triangle', 'a green square'];
const inputs = { img: [scene(['triangle', 'green', 0.25, 0.7, 0.22], ['triangle', 'yellow', 0.75, 0.35, 0.22])], cap: CAPTIONS };
const view = (head: number | 'mean' = 'mean') => linkTo('llip', { image: 0, head, layer: 'last' }, inputs);

/** The weights table grouped by caption, averaged over the heads it lists: caption → 8 weights. */
function weights(root: HTMLElement): Map<string, number[]> | null {
  const table = readTable(root, 'llip-weights');
  if (!table) return null;
  const sums = new Map<string, { total: number[]; n: number }>();
  table.rows.forEach((caption, r) => {
    const row = table.values[r];
    const entry = sums.get(caption) ?? { total: row.map(() => 0), n: 0 };
    row.forEach((v, m) => (entry.total[m] += v));
    entry.n++;
    sums.set(caption, entry);
  });
  if (CAPTIONS.some((c) => !sums.has(c))) return null;
  return new Map([...sums].map(([c, { total, n }]) => [c, total.map((v) => v / n)]));
}

const l1 = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, k) => s + Math.abs(v - b[k]), 0);

export const llip: Lesson = {
  id: 'llip',
  title: 'One image, many captions (Llip)',
  summary: 'Llip lets each caption choose which parts of the image it describes.',
  family: 'contrastive',
  steps: [
    {
      title: 'A thousand ways to caption an image',
      link: view(),
      figure: 'llip-weights-figure',
      text: `CLIP gives an image one vector, so "a yellow triangle" and "a green triangle" must both match that one vector. Llip's image encoder ends instead in a few mixture tokens (8 here), each free to capture a different aspect of the image.

A cross-attention head, queried by the caption, weighs the tokens; the weighted mix is the image's vector for that caption. Each row of the figure is one caption's weights: a softmax over the tokens.`,
      checks: [
        {
          claim: "Each caption's weights over the 8 tokens sum to 1.",
          test: (root) => {
            const table = readTable(root, 'llip-weights');
            if (!table || !weights(root)) return null;
            const sums = table.values.map((row) => row.reduce((a, v) => a + v, 0));
            const worst = Math.max(...sums.map((s) => Math.abs(s - 1)));
            return { holds: worst < 1e-3 && table.values.every((row) => row.length === 8), reading: `largest distance from 1: ${worst.toExponential(1)}` };
          },
        },
      ],
    },
    {
      title: 'Different captions, different mixtures',
      link: view(),
      figure: 'llip-weights-figure',
      text: `The image holds two triangles. Ask about one, then the other.`,
      predict: {
        question: 'Will "a yellow triangle" and "a green triangle" weigh the mixture tokens the same way?',
        choices: ['Yes: it is the same image', 'No: each caption picks its own mix'],
        answer: (root) => {
          const w = weights(root);
          if (!w) return null;
          return l1(w.get(CAPTIONS[0])!, w.get(CAPTIONS[1])!) > 0.1 ? 1 : 0;
        },
        hideFigure: true,
      },
      checks: [
        {
          claim: 'The two captions\' mean weights differ by more than 0.1 in total (L1).',
          test: (root) => {
            const w = weights(root);
            if (!w) return null;
            const d = l1(w.get(CAPTIONS[0])!, w.get(CAPTIONS[1])!);
            return { holds: d > 0.1, reading: `L1 distance ${show(d)}` };
          },
        },
      ],
    },
    {
      title: 'Where each token looks',
      link: view(),
      figure: 'token-maps',
      text: `Hover a weight to see where its mixture token attends in the image. The token a caption leans on most is the one its vector is mostly made of: the caption has, in effect, chosen a view of the image.

This one-to-many mapping is what the article means by modelling caption diversity: the image is no longer forced into one compromise vector.`,
      checks: [
        {
          claim: 'The full caption leans most on a token that one of the short captions does not lean on most.',
          test: (root) => {
            const w = weights(root);
            if (!w) return null;
            const top = CAPTIONS.slice(0, 3).map((c) => argmax(w.get(c)!) + 1);
            return { holds: top[2] !== top[0] || top[2] !== top[1], reading: `most-weighted tokens m${top[0]}, m${top[1]}, m${top[2]}` };
          },
        },
      ],
    },
  ],
};
