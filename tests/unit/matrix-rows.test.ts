/**
 * Which rows of the drawn matrix an answer changes (Heatmap.canvas.svelte redraws only those):
 * the rows whose numbers or thumbnail changed and the rows a column's argmax mark moved between;
 * the whole figure when the domain, the format, the captions or every row changed.
 */
import { describe, expect, it } from 'vitest';
import { changedRows, type MatrixFigure } from '../../src/labs/contrastive/drawMatrix';
import { softmaxColumns, softmaxRows, type Matrix } from '../../src/lib/contrastive/similarity';

const format = (v: number) => v.toFixed(4);
const thumbnails = [0, 1, 2].map(() => ({ pixels: new Uint8ClampedArray(12), size: 2 }));
const captions = ['a', 'b'];
const logits: Matrix = { rows: 3, columns: 2, values: Float64Array.from([3, 1, 1, 2, 0.5, 0.2]) };

function figure(shown: Matrix, overrides: Partial<MatrixFigure> = {}): MatrixFigure {
  return { shown, domain: [0, 1], format, thumbnails, captions, ...overrides };
}

/** The logits with row `i` replaced. */
function withRow(m: Matrix, i: number, row: readonly number[]): Matrix {
  const values = Float64Array.from(m.values);
  values.set(row, i * m.columns);
  return { ...m, values };
}

describe('changedRows', () => {
  it('names only the row whose numbers changed, under a softmax over rows', () => {
    const before = figure(softmaxRows(logits));
    const after = figure(softmaxRows(withRow(logits, 2, [0.6, 0.1])));
    expect(changedRows(before, after)).toEqual([2]);
  });

  it('adds the rows a column argmax mark left and moved to', () => {
    // Column 1's best image was row 1 (2); row 2 now beats it (5): rows 1 and 2.
    const before = figure(logits, { domain: [0, 10] });
    const after = figure(withRow(logits, 2, [0.5, 5]), { domain: [0, 10] });
    expect(changedRows(before, after)).toEqual([1, 2]);
  });

  it('names a row whose thumbnail changed though its numbers did not', () => {
    const moved = thumbnails.map((t, i) => (i === 1 ? { ...t, pixels: new Uint8ClampedArray(12) } : t));
    expect(changedRows(figure(logits), figure(logits, { thumbnails: moved }))).toEqual([1]);
  });

  it('asks for the whole figure when a softmax over columns spreads one row\'s change over all', () => {
    const before = figure(softmaxColumns(logits));
    const after = figure(softmaxColumns(withRow(logits, 2, [0.6, 0.1])));
    expect(changedRows(before, after)).toBeNull();
  });

  it('asks for the whole figure when the domain, the format, the captions or the shape changed', () => {
    const shown = softmaxRows(logits);
    const before = figure(shown);
    expect(changedRows(before, figure(shown, { domain: [0, 2] }))).toBeNull();
    expect(changedRows(before, figure(shown, { format: (v) => v.toFixed(2) }))).toBeNull();
    expect(changedRows(before, figure(shown, { captions: ['a', 'c'] }))).toBeNull();
    const twoRows: Matrix = { rows: 2, columns: 2, values: shown.values.slice(0, 4) };
    expect(changedRows(before, figure(twoRows, { thumbnails: thumbnails.slice(0, 2) }))).toBeNull();
  });

  it('names no row when nothing changed', () => {
    expect(changedRows(figure(softmaxRows(logits)), figure(softmaxRows(logits)))).toEqual([]);
  });
});
