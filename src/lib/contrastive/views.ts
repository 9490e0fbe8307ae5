/**
 * What the Contrastive lab shows for each mode: the matrix, its value domain and how its
 * numbers read, plus the CSV export. Pure functions of the similarity matrix and the scale.
 */
import { affineMatrix, sigmoidMatrix, softmaxColumns, softmaxRows, type Matrix } from './similarity';

export type MatrixMode = 'cosine' | 'logits' | 'softmax-rows' | 'softmax-columns' | 'sigmoid';

export const MODE_LABELS: Readonly<Record<MatrixMode, string>> = {
  cosine: 'Cosine similarity',
  logits: 'Logits (cosine × scale)',
  'softmax-rows': 'Softmax over each row (image → text)',
  'softmax-columns': 'Softmax over each column (text → image)',
  sigmoid: 'Sigmoid per pair (SigLIP)',
};

/** The modes a family offers: SigLIP's logits carry a bias, and its probabilities are sigmoids. */
export function modesFor(sigmoid: boolean): MatrixMode[] {
  return sigmoid ? ['cosine', 'logits', 'sigmoid', 'softmax-rows', 'softmax-columns'] : ['cosine', 'logits', 'softmax-rows', 'softmax-columns'];
}

export function modeLabel(mode: MatrixMode, bias: number | null): string {
  return mode === 'logits' && bias !== null ? 'Logits (cosine × scale + bias)' : MODE_LABELS[mode];
}

/** The matrix a mode shows; `bias` is SigLIP's learned logit bias (0 for CLIP). */
export function matrixForMode(similarity: Matrix, scale: number, mode: MatrixMode, bias = 0): Matrix {
  switch (mode) {
    case 'cosine': return similarity;
    case 'logits': return affineMatrix(similarity, scale, bias);
    case 'softmax-rows': return softmaxRows(affineMatrix(similarity, scale, bias));
    case 'softmax-columns': return softmaxColumns(affineMatrix(similarity, scale, bias));
    case 'sigmoid': return sigmoidMatrix(affineMatrix(similarity, scale, bias));
  }
}

/** Colour-scale domain: fixed for probabilities and cosines, the data's range for logits. */
export function domainForMode(shown: Matrix, mode: MatrixMode): [number, number] {
  if (mode === 'softmax-rows' || mode === 'softmax-columns' || mode === 'sigmoid') return [0, 1];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of shown.values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (mode === 'cosine') return [Math.min(lo, 0), Math.max(hi, 1e-9)];
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

/** Digits shown in cells and in the table. */
export function formatValue(value: number, mode: MatrixMode): string {
  return mode === 'logits' ? value.toFixed(2) : value.toFixed(4);
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The matrix as CSV: a header of captions, then one row per image, full precision.
 * @example toCsv(m, ['img 1'], ['a red circle']) // 'image,a red circle\nimg 1,0.93…\n'
 */
export function toCsv(shown: Matrix, imageLabels: readonly string[], captions: readonly string[]): string {
  const lines = [['image', ...captions].map(csvField).join(',')];
  for (let i = 0; i < shown.rows; i++) {
    const values = Array.from(shown.values.subarray(i * shown.columns, (i + 1) * shown.columns), (v) => String(v));
    lines.push([csvField(imageLabels[i]), ...values].join(','));
  }
  return lines.join('\n') + '\n';
}
