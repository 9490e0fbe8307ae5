/** Where VLMs fail: word order and relations, and answers about things that are not there. */
import { linkTo } from '../../../lib/link/labs';
import { readText, settledMatrix, show } from '../course/readings';
import type { Check, Lesson } from '../course/types';
import { scene } from './scenes';

const RELATION = ['a yellow triangle to the right of a green triangle', 'a green triangle to the right of a yellow triangle'];
const BINDING = ['a red circle and a blue square', 'a blue circle and a red square'];
const relation = { img: [scene(['triangle', 'green', 0.25, 0.5, 0.2], ['triangle', 'yellow', 0.75, 0.5, 0.2])], cap: RELATION };
const binding = { img: [scene(['circle', 'red', 0.25, 0.5, 0.2], ['square', 'blue', 0.75, 0.5, 0.18])], cap: BINDING };
const contrastive = (inputs: { img: typeof relation.img; cap: string[] }) => linkTo('contrastive', { model: 'shapes-clip', mode: 'softmax-rows', scale: 'learned', pair: [] }, inputs);
const QUESTION = 'What colour is the circle?';
const ask = linkTo('backbone', { model: 'shapes-smolvlm', image: 0, question: QUESTION, decoding: 'greedy', token: 0, layer: 'mean', head: 'mean' }, { img: [scene(['square', 'green', 0.5, 0.5, 0.3])], cap: ['a green square'] });

/** The probability the one image gives the first (true) caption of the pair. */
function truth(root: HTMLElement, captions: string[]): number | null {
  const m = settledMatrix(root, { captions, rows: 1 });
  return m ? m.values[0][0] : null;
}

/** The true caption (the first) wins its swapped twin, but the model is far from sure. */
const winsUnsure = (captions: string[], claim: string): Check => ({
  claim,
  test: (root) => {
    const p = truth(root, captions);
    return p === null ? null : { holds: p > 0.5 && p < 0.9, reading: `true caption ${show(p)}, swapped ${show(1 - p)}` };
  },
});

export const failures: Lesson = {
  id: 'failures',
  title: 'Where VLMs fail',
  summary: 'Relations and attribute binding, an answer about something that is not there, and probes that measure it all.',
  family: 'failures',
  steps: [
    {
      title: 'Which triangle is on the right?',
      link: contrastive(relation),
      figure: 'heatmap',
      text: `The article lists what VLMs are bad at: spatial relations, counting, binding attributes to the right objects, and parts of the prompt they ignore. A caption and its swapped twin use the same words; only the order says which is true.`,
      predict: {
        question: 'The yellow triangle is on the right. Will the model clearly prefer the true caption (probability above 0.9)?',
        choices: ['Yes, clearly', 'No: it barely tells them apart, or prefers the wrong one'],
        answer: (root) => {
          const p = truth(root, RELATION);
          return p === null ? null : p > 0.9 ? 0 : 1;
        },
        hideFigure: true,
      },
      checks: [winsUnsure(RELATION, 'The true caption wins, but with less than 0.9: far from the near-certainty the model has for the single-shape captions of the first lesson.')],
    },
    {
      title: 'Which shape has which colour?',
      link: contrastive(binding),
      figure: 'heatmap',
      text: `Attribute binding: a red circle and a blue square, against a blue circle and a red square. Both captions name the same two colours and the same two shapes. A model that only notices which words are present cannot choose; one that binds each colour to its shape can.`,
      checks: [winsUnsure(BINDING, 'Here too the true caption wins with less than 0.9.')],
    },
    {
      title: 'An answer about a circle that is not there',
      link: ask,
      figure: 'answer',
      text: `Hallucination: the image holds one green square and no circle, and the question asks for the circle's colour. A careful answer would say there is none. The small VLM was never shown a question about a missing shape, so it answers with what it sees.`,
      checks: [
        {
          claim: 'The model names a colour for the missing circle instead of saying there is none.',
          test: (root) => {
            const section = root.querySelector('[data-testid="answer"]');
            if (section?.getAttribute('data-status') !== 'done' || !section.getAttribute('data-for')?.includes(QUESTION)) return null;
            const text = readText(root, 'answer-text') ?? '';
            const colour = /\b(red|green|blue|yellow|purple|orange|white|black|grey)\b/.exec(text)?.[1];
            return { holds: colour !== undefined && !/\b(no|none|not)\b/.test(text), reading: `“${text}”` };
          },
        },
      ],
    },
    {
      title: 'Many minimal pairs at once',
      link: '#probes?seed=7&n=24',
      figure: 'probe-status',
      text: `One pair proves little. The Probe lab builds seeded suites of such minimal pairs from ShapesWorld (spatial relations, attribute binding, word order, counting, things that are not there) and scores every model of the playground on them, with chance levels and intervals, so a weakness is measured rather than anecdotal.

Press “Run the probes”, then open a failed item in its lab to see it the way this lesson did.`,
    },
  ],
};
