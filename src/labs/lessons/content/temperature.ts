/** What a contrastive loss does, and what the temperature changes. */
import { argmax, settledMatrix, readNumber, show } from '../course/readings';
import type { Lesson } from '../course/types';

export const temperature: Lesson = {
  id: 'temperature',
  title: 'A contrastive loss, and what the temperature changes',
  summary: 'CLIP scores every image against every caption; the temperature decides how sharply.',
  family: 'contrastive',
  steps: [
    {
      title: 'Every image against every caption',
      link: '#contrastive',
      figure: 'heatmap',
      text: `CLIP has two encoders: one turns an image into a vector, the other a caption. The matrix compares every image (rows) with every caption (columns) of the batch.

Here each row is a softmax: the probabilities the model gives each caption for that image. Training showed it these four kinds of pair and pushed each image towards its own caption.`,
      checks: [
        {
          claim: 'Each image gives its own caption (the diagonal) the highest probability of its row.',
          test: (root) => {
            const m = settledMatrix(root, { rows: 4 });
            if (!m || m.columns.length !== 4) return null;
            const best = m.values.map(argmax);
            return { holds: best.every((j, i) => j === i), reading: `best captions ${best.map((j) => j + 1).join(', ')}` };
          },
        },
      ],
    },
  ],
};
