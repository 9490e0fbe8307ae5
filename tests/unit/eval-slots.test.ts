import { describe, expect, it } from 'vitest';
import { captionText, meanings } from '../../src/lib/shapes/index.ts';
import { wrongSlots } from '../../training/eval/slots.ts';

const full = meanings.filter((m) => m.template.id === 'full');
const find = (id: string) => full.find((m) => m.id === id)!;

describe('wrongSlots', () => {
  it('sorts wrong captions by the slots they name unlike the truth, and counts what is no full caption', () => {
    const truths = ['full:small:red:circle:00', 'full:large:blue:square:11', 'full:small:green:triangle:22', 'full:large:yellow:circle:02'].map(find);
    const written = [
      captionText(truths[0]), // right
      captionText(find('full:large:blue:circle:11')), // shape
      captionText(find('full:large:green:square:22')), // size and shape
      'a large yellow circle', // not a full caption
    ];
    expect(wrongSlots(written, truths, full)).toEqual({ size: 1, colour: 0, shape: 2, cell: 0, other: 1 });
  });

  it('counts nothing when every caption is right', () => {
    const truths = full.slice(0, 5);
    expect(wrongSlots(truths.map((m) => captionText(m)), truths, full)).toEqual({ size: 0, colour: 0, shape: 0, cell: 0, other: 0 });
  });
});
