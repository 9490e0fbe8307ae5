/** What a contrastive loss does, and what the temperature changes. */
import { linkTo } from '../../../lib/link/labs';
import { argmax, readNumber, settledMatrix, show } from '../course/readings';
import type { Check, Lesson } from '../course/types';
import { SAMPLE_CAPTIONS, SAMPLES } from './scenes';

const inputs = { img: SAMPLES, cap: SAMPLE_CAPTIONS };
const at = (scale: number | 'learned', mode: 'softmax-rows' | 'cosine' = 'softmax-rows') => linkTo('contrastive', { model: 'shapes-clip', mode, scale, pair: [] }, inputs);
const settled = (root: HTMLElement, scale?: number) => settledMatrix(root, { captions: SAMPLE_CAPTIONS, rows: 4, scale });

/** The diagonal: each image's probability (or cosine) for its own caption. */
const diagonal = (values: readonly (readonly number[])[]) => values.map((row, i) => row[i]);

export const diagonalWins: Check = {
  claim: 'Each image gives its own caption (the diagonal) the highest value of its row.',
  test: (root) => {
    const m = settled(root);
    if (!m) return null;
    const best = m.values.map(argmax);
    return { holds: best.every((j, i) => j === i), reading: `row winners: captions ${best.map((j) => j + 1).join(', ')}` };
  },
};

export const temperature: Lesson = {
  id: 'temperature',
  title: 'A contrastive loss, and what the temperature changes',
  summary: 'CLIP scores every image against every caption; the temperature decides how sharply.',
  family: 'contrastive',
  steps: [
    {
      title: 'Every image against every caption',
      link: at('learned'),
      figure: 'heatmap',
      text: `CLIP has two encoders: one turns an image into a vector, the other a caption. The matrix compares every image of the batch (rows) with every caption (columns).

Each row here is a softmax: how the model shares one image's probability among the captions. Training showed the model such pairs and pushed each image towards its own caption and away from the others.`,
      checks: [diagonalWins],
    },
    {
      title: 'Underneath: cosine similarity',
      link: at('learned', 'cosine'),
      figure: 'heatmap',
      text: `Before any softmax, the model only measures angles: the cosine between an image's vector and a caption's, from −1 (opposite) to 1 (the same direction).

The right pairs are the highest of their rows, but look how far from 1 they are. Everything the loss does, it does with these modest differences.`,
      checks: [
        diagonalWins,
        {
          claim: 'Every cosine, the right pairs included, stays below 0.6.',
          test: (root) => {
            const m = settled(root);
            if (!m || readNumber(root, 'scale-value') === null) return null;
            const top = Math.max(...m.values.flat());
            return { holds: top < 0.6 && top > -1, reading: `largest cosine ${show(top)}` };
          },
        },
      ],
    },
    {
      title: 'Temperature up: s = 1',
      link: at(1),
      figure: 'heatmap',
      text: `The softmax is taken over the cosines multiplied by a logit scale s, the inverse of a temperature τ (s = 1/τ). At s = 1 the cosines go in almost as they are, and since they differ by less than one, the probabilities come out flat.

The loss, the mean of −log(probability of the right caption) over rows and columns, is high even though every row still ranks its own caption first.`,
      checks: [
        {
          claim: 'At s = 1, no image gives any caption more than half its probability.',
          test: (root) => {
            const m = settled(root, 1);
            if (!m) return null;
            const top = Math.max(...m.values.flat());
            return { holds: top < 0.5, reading: `largest probability ${show(top)}` };
          },
        },
        {
          claim: 'At s = 1 the loss is above 0.5.',
          test: (root) => {
            if (!settled(root, 1)) return null;
            const loss = readNumber(root, 'loss-total');
            return loss === null ? null : { holds: loss > 0.5, reading: `L = ${show(loss)}` };
          },
        },
      ],
    },
    {
      title: 'Temperature down: s = 100',
      link: at(1),
      figure: 'heatmap',
      text: `Now multiply the same cosines by 100 before the softmax. Nothing about the embeddings changes, only how sharply their differences are read.`,
      predict: {
        question: 'At s = 100, how much probability will each image give its own caption?',
        choices: ['About the same as at s = 1', 'More than 0.9 for every image', 'Less than 0.1'],
        reveal: at(100),
        answer: (root) => {
          const m = settled(root, 100);
          if (!m) return null;
          const d = diagonal(m.values);
          return Math.min(...d) > 0.9 ? 1 : Math.max(...d) < 0.1 ? 2 : 0;
        },
      },
      checks: [
        {
          claim: 'At s = 100 every image gives its own caption more than 0.9.',
          test: (root) => {
            const m = settled(root, 100);
            if (!m) return null;
            const low = Math.min(...diagonal(m.values));
            return { holds: low > 0.9, reading: `smallest diagonal ${show(low)}` };
          },
        },
        {
          claim: 'At s = 100 the loss is below 0.01: a low temperature rewards a right ranking with a near-zero loss.',
          test: (root) => {
            if (!settled(root, 100)) return null;
            const loss = readNumber(root, 'loss-total');
            return loss === null ? null : { holds: loss < 0.01, reading: `L = ${show(loss)}` };
          },
        },
      ],
    },
    {
      title: 'The temperature the model learned',
      link: at('learned'),
      figure: 'loss-panel',
      text: `CLIP does not fix the temperature: s is a parameter trained with the rest. Too low and the loss cannot tell a good ranking from a great one; too high and a single wrong pair costs enormously.

This model settled between the two. Try the slider: a wrong ranking (change an image's pair in the loss table) costs more the higher s goes.`,
      checks: [
        {
          claim: 'The learned logit scale is between 10 and 100.',
          test: (root) => {
            if (!settled(root)) return null;
            const s = readNumber(root, 'scale-value');
            return s === null ? null : { holds: s > 10 && s < 100, reading: `s = ${show(s)}` };
          },
        },
        {
          claim: 'At the learned scale the loss is below 0.05.',
          test: (root) => {
            if (!settled(root)) return null;
            const loss = readNumber(root, 'loss-total');
            return loss === null ? null : { holds: loss < 0.05, reading: `L = ${show(loss)}` };
          },
        },
      ],
    },
  ],
};
