/**
 * The contrastive lab's math, on embeddings the model produced. Matrices are row-major
 * `[images, texts]` Float64Arrays: row i is image i, column j is text j.
 */

export interface Matrix {
  readonly rows: number;
  readonly columns: number;
  readonly values: Float64Array;
}

export function matrixAt(m: Matrix, row: number, column: number): number {
  return m.values[row * m.columns + column];
}

/** Each row of `[count, dim]` divided by its L2 norm (zero rows stay zero). */
export function normalizeRows(data: ArrayLike<number>, count: number, dim: number): Float64Array {
  const out = new Float64Array(count * dim);
  for (let r = 0; r < count; r++) {
    let norm = 0;
    for (let k = 0; k < dim; k++) norm += data[r * dim + k] ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let k = 0; k < dim; k++) out[r * dim + k] = data[r * dim + k] * scale;
  }
  return out;
}

/**
 * Cosine similarity of every image embedding with every text embedding.
 * @example cosineMatrix(imageEmbeds, 8, textEmbeds, 5, 64) // Matrix 8 × 5, values in [-1, 1]
 */
export function cosineMatrix(images: ArrayLike<number>, imageCount: number, texts: ArrayLike<number>, textCount: number, dim: number): Matrix {
  const a = normalizeRows(images, imageCount, dim);
  const b = normalizeRows(texts, textCount, dim);
  const values = new Float64Array(imageCount * textCount);
  for (let i = 0; i < imageCount; i++) {
    for (let j = 0; j < textCount; j++) {
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += a[i * dim + k] * b[j * dim + k];
      values[i * textCount + j] = dot;
    }
  }
  return { rows: imageCount, columns: textCount, values };
}

/** Logits: similarity times the logit scale (1 / temperature). */
export function scaleMatrix(m: Matrix, scale: number): Matrix {
  return { ...m, values: m.values.map((v) => v * scale) };
}

function logSumExp(values: readonly number[]): number {
  const max = Math.max(...values);
  if (!Number.isFinite(max)) return max;
  return max + Math.log(values.reduce((sum, v) => sum + Math.exp(v - max), 0));
}

function row(m: Matrix, i: number): number[] {
  return Array.from(m.values.subarray(i * m.columns, (i + 1) * m.columns));
}

function column(m: Matrix, j: number): number[] {
  return Array.from({ length: m.rows }, (_, i) => m.values[i * m.columns + j]);
}

/** Softmax over each row: for each image, a distribution over the texts (image → text). */
export function softmaxRows(logits: Matrix): Matrix {
  const values = new Float64Array(logits.values.length);
  for (let i = 0; i < logits.rows; i++) {
    const r = row(logits, i);
    const lse = logSumExp(r);
    r.forEach((v, j) => (values[i * logits.columns + j] = Math.exp(v - lse)));
  }
  return { ...logits, values };
}

/** Softmax over each column: for each text, a distribution over the images (text → image). */
export function softmaxColumns(logits: Matrix): Matrix {
  const values = new Float64Array(logits.values.length);
  for (let j = 0; j < logits.columns; j++) {
    const c = column(logits, j);
    const lse = logSumExp(c);
    c.forEach((v, i) => (values[i * logits.columns + j] = Math.exp(v - lse)));
  }
  return { ...logits, values };
}

/** Index of the largest value of each row. */
export function argmaxRows(m: Matrix): number[] {
  return Array.from({ length: m.rows }, (_, i) => argmax(row(m, i)));
}

/** Index of the largest value of each column. */
export function argmaxColumns(m: Matrix): number[] {
  return Array.from({ length: m.columns }, (_, j) => argmax(column(m, j)));
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k] > values[best]) best = k;
  return best;
}

export interface InfoNceLoss {
  /** Per image: −log softmax over its row at its paired text; null when the image has no pair. */
  readonly rows: readonly (number | null)[];
  /** Per text: −log softmax over its column at its paired image; null when unpaired. */
  readonly columns: readonly (number | null)[];
  readonly imageToText: number;
  readonly textToImage: number;
  /** (image→text + text→image) / 2, each the mean over paired rows or columns. */
  readonly total: number;
}

/**
 * The symmetric InfoNCE loss of CLIP, for the pairs given: `pairs[i]` is the text paired
 * with image i (or null). The usual batch pairs image i with text i.
 * @example infoNce(logits, [0, 1, 2]).total
 */
export function infoNce(logits: Matrix, pairs: readonly (number | null)[]): InfoNceLoss {
  const rows = Array.from({ length: logits.rows }, (_, i) => {
    const j = pairs[i];
    if (j === null || j === undefined || j >= logits.columns) return null;
    const r = row(logits, i);
    return logSumExp(r) - r[j];
  });
  const pairedImage = new Map<number, number>();
  pairs.forEach((j, i) => {
    if (j !== null && j !== undefined && j < logits.columns && !pairedImage.has(j)) pairedImage.set(j, i);
  });
  const columns = Array.from({ length: logits.columns }, (_, j) => {
    const i = pairedImage.get(j);
    if (i === undefined) return null;
    const c = column(logits, j);
    return logSumExp(c) - c[i];
  });
  const mean = (xs: readonly (number | null)[]) => {
    const present = xs.filter((x): x is number => x !== null);
    return present.length ? present.reduce((s, x) => s + x, 0) / present.length : NaN;
  };
  const imageToText = mean(rows);
  const textToImage = mean(columns);
  return { rows, columns, imageToText, textToImage, total: (imageToText + textToImage) / 2 };
}

/** Default pairing: image i with text i, where both exist. */
export function diagonalPairs(images: number, texts: number): (number | null)[] {
  return Array.from({ length: images }, (_, i) => (i < texts ? i : null));
}

/** Logits of a sigmoid (SigLIP) model: scale × cosine + bias. */
export function affineMatrix(m: Matrix, scale: number, bias: number): Matrix {
  return { ...m, values: m.values.map((v) => v * scale + bias) };
}

/** σ of every logit: SigLIP's probability that an image and a caption belong together. */
export function sigmoidMatrix(logits: Matrix): Matrix {
  return { ...logits, values: logits.values.map((v) => 1 / (1 + Math.exp(-v))) };
}

/** −log σ(x), computed without overflow for large |x|. */
function negativeLogSigmoid(x: number): number {
  return x >= 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x));
}

export interface SigmoidLoss {
  /** Per image: Σ over its row of −log σ(z·logit), z = +1 for its paired text, −1 otherwise. */
  readonly rows: readonly number[];
  /** Per text: the same sum down its column. */
  readonly columns: readonly number[];
  /** The SigLIP loss: the sum over all pairs divided by the number of images. */
  readonly total: number;
}

/**
 * SigLIP's pairwise sigmoid loss: every image–text pair is its own binary classification,
 * positive for the paired text of each image (`pairs[i]`), negative for every other pair.
 * @example sigmoidLoss(affineMatrix(cosine, 10, -10), [0, 1]).total
 */
export function sigmoidLoss(logits: Matrix, pairs: readonly (number | null)[]): SigmoidLoss {
  const rows = new Array<number>(logits.rows).fill(0);
  const columns = new Array<number>(logits.columns).fill(0);
  let sum = 0;
  for (let i = 0; i < logits.rows; i++) {
    for (let j = 0; j < logits.columns; j++) {
      const z = pairs[i] === j ? 1 : -1;
      const term = negativeLogSigmoid(z * logits.values[i * logits.columns + j]);
      rows[i] += term;
      columns[j] += term;
      sum += term;
    }
  }
  return { rows, columns, total: logits.rows ? sum / logits.rows : NaN };
}
