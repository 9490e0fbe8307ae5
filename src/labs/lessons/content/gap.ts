/** The modality gap: images and captions live in different parts of the shared space. */
import { linkTo } from '../../../lib/link/labs';
import { readNumber, settledMatrix, show } from '../course/readings';
import type { Lesson } from '../course/types';
import { SAMPLE_CAPTIONS, SAMPLES } from './scenes';

const inputs = { img: SAMPLES, cap: SAMPLE_CAPTIONS };
const view = (mode: 'cosine' | 'logits' | 'softmax-rows') => linkTo('contrastive', { model: 'shapes-clip', mode, scale: 'learned', pair: [] }, inputs);
const cosines = (root: HTMLElement) => (root.querySelector('[data-testid="matrix-table"] caption')?.textContent?.startsWith('Cosine') ? settledMatrix(root, { captions: SAMPLE_CAPTIONS, rows: 4 }) : null);
const logits = (root: HTMLElement) => (root.querySelector('[data-testid="matrix-table"] caption')?.textContent?.startsWith('Logits') ? settledMatrix(root, { captions: SAMPLE_CAPTIONS, rows: 4 }) : null);

export const gap: Lesson = {
  id: 'gap',
  title: 'The modality gap',
  summary: 'A shared space, yet images and captions keep to their own regions of it.',
  family: 'contrastive',
  steps: [
    {
      title: 'How close is an image to its own caption?',
      link: view('softmax-rows'),
      figure: 'heatmap',
      text: `The softmax says each image is nearly certain of its caption. That is a statement about ranking. How close are the vectors themselves?`,
      predict: {
        question: 'In cosine (1 means the same direction), how close is each image to its own caption?',
        choices: ['Above 0.9: nearly the same vector', 'Between 0.3 and 0.6', 'Below 0'],
        reveal: view('cosine'),
        answer: (root) => {
          const m = cosines(root);
          if (!m) return null;
          const d = m.values.map((row, i) => row[i]);
          return d.every((v) => v > 0.9) ? 0 : d.every((v) => v >= 0.3 && v <= 0.6) ? 1 : d.every((v) => v < 0) ? 2 : null;
        },
      },
      checks: [
        {
          claim: 'Every right pair has a cosine between 0.3 and 0.6.',
          test: (root) => {
            const m = cosines(root);
            if (!m) return null;
            const d = m.values.map((row, i) => row[i]);
            return { holds: d.every((v) => v >= 0.3 && v <= 0.6), reading: `right pairs ${d.map(show).join(', ')}` };
          },
        },
      ],
    },
    {
      title: 'Two clouds, one space',
      link: view('cosine'),
      figure: 'embedding-map',
      text: `The map projects the images and captions together to two dimensions; a line joins each image to its caption. Image points gather with image points, caption points with caption points, and the lines bridge the two. This separation is the modality gap: the two encoders never put an image and its caption in the same place.

It is not a flaw of this small model. Large CLIPs show it too: the contrastive loss only asks the right pair to be closer than the wrong ones, never to coincide.`,
    },
    {
      title: 'Why the ranking still works',
      link: view('logits'),
      figure: 'heatmap',
      text: `The logits are the cosines times the learned scale s. A difference of a few tenths in cosine becomes several units in logits, and the softmax turns a few units into near certainty (e⁵ ≈ 150).`,
      checks: [
        {
          claim: 'In logits, each right pair beats every other caption of its row by more than 4.',
          test: (root) => {
            const m = logits(root);
            if (!m || readNumber(root, 'scale-value') === null) return null;
            const margins = m.values.map((row, i) => row[i] - Math.max(...row.filter((_, j) => j !== i)));
            const low = Math.min(...margins);
            return { holds: low > 4, reading: `smallest margin ${show(low)}` };
          },
        },
      ],
    },
  ],
};
