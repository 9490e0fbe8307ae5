/** The forge's PyTorch goldens (static/models/<model>/goldens.json) as the browser tests read them. */
import { expect } from 'vitest';

/** A tensor of the goldens: its shape and its values, flat in row-major order. */
export interface GoldenTensor { dims: number[]; data: number[] }

/** The largest |actual − expected| over a `[rows, columns]` golden, after checking the shape. */
export function worstDifference(actual: number[][], expected: GoldenTensor): number {
  const [rows, columns] = expected.dims;
  expect(actual.length).toBe(rows);
  let worst = 0;
  for (let i = 0; i < rows; i++) {
    expect(actual[i].length).toBe(columns);
    for (let j = 0; j < columns; j++) worst = Math.max(worst, Math.abs(actual[i][j] - expected.data[i * columns + j]));
  }
  return worst;
}
