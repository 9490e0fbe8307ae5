/** Wrong captions sorted by what they get wrong, for the captioning evals. */
import { captionText, type Meaning } from '../../src/lib/shapes/index.ts';

/** Per slot of a full caption, how many written captions name it unlike the truth; `other`: not a full caption at all. */
export type WrongSlots = Readonly<Record<'size' | 'colour' | 'shape' | 'cell' | 'other', number>>;

/** How the wrong ones of `written` differ from `truths` (full meanings, in the same order), slot by slot. */
export function wrongSlots(written: readonly string[], truths: readonly Meaning[], full: readonly Meaning[]): WrongSlots {
  const byText = new Map(full.map((m) => [captionText(m), m]));
  const wrong = { size: 0, colour: 0, shape: 0, cell: 0, other: 0 };
  written.forEach((caption, i) => {
    if (caption === captionText(truths[i])) return;
    const meaning = byText.get(caption);
    if (!meaning) wrong.other++;
    else for (const slot of ['size', 'colour', 'shape', 'cell'] as const) wrong[slot] += Number(meaning.slots[slot] !== truths[i].slots[slot]);
  });
  return wrong;
}
