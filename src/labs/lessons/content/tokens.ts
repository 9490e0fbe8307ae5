/** Images as tokens: a VQ tokenizer and a CM3leon-style decoder over words and codes. */
import { show } from '../course/readings';
import type { Lesson } from '../course/types';

/** The Token lab's link is its route: the images are whatever the shared inputs hold. */
const LINK = '#tokens';

/** The codes of the image shown, once tokenized. */
function codes(root: HTMLElement): number[] | null {
  const raw = root.querySelector('[data-testid="tokenized"]')?.getAttribute('data-codes');
  return raw ? raw.split(',').map(Number) : null;
}

export const tokens: Lesson = {
  id: 'tokens',
  title: 'Images as tokens (CM3leon)',
  summary: 'Cut an image into a grid of codes, and one decoder can read and write pictures like words.',
  family: 'generative',
  steps: [
    {
      title: 'An image as a sentence of codes',
      link: LINK,
      figure: 'tokenized',
      text: `CM3leon's language model does not see pixels. A VQ tokenizer first cuts the image into a grid and replaces each cell by the nearest of a fixed set of learned vectors, the codebook; the image becomes a short sequence of code numbers, tokens like words. CM3 turns an image into 1024 of them; this lab's shapes-vq into 8 × 8 = 64, from a codebook of 128.`,
      checks: [
        {
          claim: 'The image is 64 codes, each a number from 0 to 127.',
          test: (root) => {
            const c = codes(root);
            return c && { holds: c.length === 64 && c.every((v) => Number.isInteger(v) && v >= 0 && v < 128), reading: `${c.length} codes, ${new Set(c).size} distinct` };
          },
        },
      ],
    },
    {
      title: 'What the codes keep',
      link: LINK,
      figure: 'tokenized',
      text: `Decoding the codes back gives the picture the language model works with. Compare it with the original: shape, colour and place survive, fine edges do not. Whatever a model draws through these tokens can be no sharper than this.`,
      checks: [
        {
          claim: 'Rebuilt from its 64 codes, the image is within 30 of 255 levels of the original on average.',
          test: (root) => {
            const error = Number(root.querySelector('[data-testid="tokenized"]')?.getAttribute('data-error'));
            return codes(root) && Number.isFinite(error) ? { holds: error < 30, reading: `mean error ${show(error)} levels` } : null;
          },
        },
      ],
    },
    {
      title: 'One decoder for words and pictures',
      link: LINK,
      figure: 'codebook',
      text: `Once an image is tokens, text and images are one stream: the decoder, trained on caption-then-image and image-then-caption sequences, draws an image by writing codes after a caption, and captions an image by writing words after its codes. Try both below. The bundled model is tiny, trained for three and a half hours on a shared two-core CPU, on scenes of one shape: it captions almost every such scene right and mostly draws what a caption names; its card says how often, as judged by another model.

The codebook lists every code and how often this image uses it.`,
      checks: [
        {
          claim: 'The codebook has 128 entries.',
          test: (root) => {
            const n = root.querySelectorAll('[data-testid="codebook"] > li').length;
            return n === 0 ? null : { holds: n === 128, reading: `${n} codes` };
          },
        },
      ],
    },
  ],
};
