/**
 * Draws the similarity matrix figure on a 2-D canvas: image thumbnails down the left,
 * captions across the top, one coloured cell per value, argmax marks. The lab's canvas and
 * the PNG export both draw with this, so the export is what the screen shows.
 */
import { scaleSequential } from 'd3-scale';
import { interpolateViridis } from 'd3-scale-chromatic';
import { argmaxColumns, argmaxRows, type Matrix } from '../../lib/contrastive/similarity';
import { pixelsCanvas } from '../../components/pixelsCanvas';

export interface MatrixFigure {
  readonly shown: Matrix;
  readonly domain: readonly [number, number];
  readonly format: (v: number) => string;
  readonly thumbnails: readonly { readonly pixels: Uint8ClampedArray; readonly size: number }[];
  readonly captions: readonly string[];
  readonly title?: string;
}

export interface MatrixLayout {
  readonly cell: number;
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

const CAPTION_SPACE = 150;
/** Viridis is smooth: 16 linear pieces are within a shade of it. */
const LEGEND_STOPS = 16;

export function layoutMatrix(shown: Matrix, maxWidth = 720, titled = false): MatrixLayout {
  const cell = Math.max(10, Math.min(64, Math.floor((maxWidth - 70) / Math.max(shown.columns, 1)), Math.floor(640 / Math.max(shown.rows, 1))));
  const left = Math.min(56, Math.max(cell, 24)) + 8;
  const top = CAPTION_SPACE + (titled ? 28 : 0);
  return { cell, left, top, width: left + cell * shown.columns + 90, height: top + cell * shown.rows + 8 };
}

export function colourScale(domain: readonly [number, number]) {
  return scaleSequential(interpolateViridis).domain(domain as [number, number]);
}

interface RowMarks {
  readonly colour: ReturnType<typeof colourScale>;
  readonly rowBest: readonly number[];
  readonly columnBest: readonly number[];
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function drawMatrix(context: CanvasRenderingContext2D, figure: MatrixFigure, layout: MatrixLayout): void {
  const { shown, domain, format } = figure;
  const { cell, left, top } = layout;
  const colour = colourScale(domain);
  context.save();
  context.fillStyle = '#fff';
  context.fillRect(0, 0, layout.width, layout.height);
  if (figure.title) {
    context.fillStyle = '#111';
    context.font = '600 15px system-ui, sans-serif';
    context.fillText(figure.title, 8, 20);
  }
  // Captions, rotated over their columns.
  context.font = '12px system-ui, sans-serif';
  context.fillStyle = '#222';
  figure.captions.forEach((caption, j) => {
    context.save();
    context.translate(left + j * cell + cell / 2 + 4, top - 6);
    context.rotate(-Math.PI / 4);
    context.fillText(truncate(caption, 26), 0, 0);
    context.restore();
  });
  // Thumbnails of what the model saw, left of their rows, and the rows' cells.
  const marks = { colour, rowBest: argmaxRows(shown), columnBest: argmaxColumns(shown) };
  for (let i = 0; i < shown.rows; i++) drawRow(context, figure, layout, marks, i);
  // Colour legend: one gradient through the scale's colours (a rectangle per pixel row, each
  // with its own colour string to parse, cost as much as the rest of the figure).
  const legendX = left + shown.columns * cell + 16;
  const legendHeight = Math.max(60, Math.min(200, shown.rows * cell));
  const gradient = context.createLinearGradient(0, top, 0, top + legendHeight);
  for (let k = 0; k <= LEGEND_STOPS; k++) gradient.addColorStop(k / LEGEND_STOPS, colour(domain[1] - ((domain[1] - domain[0]) * k) / LEGEND_STOPS));
  context.fillStyle = gradient;
  context.fillRect(legendX, top, 12, legendHeight);
  context.fillStyle = '#222';
  context.textAlign = 'left';
  context.font = '11px system-ui, sans-serif';
  context.fillText(format(domain[1]), legendX + 16, top + 4);
  context.fillText(format(domain[0]), legendX + 16, top + legendHeight - 4);
  context.restore();
}

/**
 * One row: its thumbnail, cells, values and argmax marks, drawn over a cleared strip from the
 * canvas's left edge to the last column. Nothing else of the figure reaches into that strip
 * (captions are above the first row, the legend right of the last column), so a row drawn
 * alone over an older one is what the whole figure's drawing would put there.
 */
function drawRow(context: CanvasRenderingContext2D, figure: MatrixFigure, layout: MatrixLayout, marks: RowMarks, i: number): void {
  const { shown, domain, format } = figure;
  const { cell, left, top } = layout;
  const y = top + i * cell;
  context.fillStyle = '#fff';
  context.fillRect(0, y, left + shown.columns * cell, cell);
  const thumb = Math.min(cell - 2, 48);
  const t = figure.thumbnails[i];
  context.imageSmoothingEnabled = false;
  context.drawImage(pixelsCanvas(t.pixels, t.size), left - thumb - 6, y + (cell - thumb) / 2, thumb, thumb);
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  context.font = `${Math.max(9, Math.min(12, cell / 4))}px system-ui, sans-serif`;
  for (let j = 0; j < shown.columns; j++) {
    const v = shown.values[i * shown.columns + j];
    const x = left + j * cell;
    context.fillStyle = marks.colour(v);
    context.fillRect(x, y, cell - 1, cell - 1);
    const share = (v - domain[0]) / (domain[1] - domain[0] || 1);
    if (cell >= 40) {
      context.fillStyle = share > 0.6 ? '#111' : '#fff';
      context.fillText(format(v), x + cell / 2, y + cell / 2);
    }
    if (marks.rowBest[i] === j) {
      // Row argmax: an outlined cell.
      context.strokeStyle = '#ff2d55';
      context.lineWidth = 2;
      context.strokeRect(x + 1.5, y + 1.5, cell - 4, cell - 4);
    }
    if (marks.columnBest[j] === i) {
      // Column argmax: a corner triangle.
      const s = Math.max(5, cell / 5);
      context.fillStyle = '#ff9500';
      context.beginPath();
      context.moveTo(x + cell - 1 - s, y);
      context.lineTo(x + cell - 1, y);
      context.lineTo(x + cell - 1, y + s);
      context.fill();
    }
  }
}

/**
 * The rows of `next` that differ from `drawn` as drawn: rows whose values or thumbnail
 * changed, and the rows a column's argmax mark left or moved to. Null when more changed than
 * rows (the shape, the colour domain, the number format, the captions) or when every row did:
 * then the whole figure is drawn. A softmax over columns spreads one image's change over every
 * row, so in that mode an answer redraws the whole figure.
 */
export function changedRows(drawn: MatrixFigure, next: MatrixFigure): number[] | null {
  const a = drawn.shown;
  const b = next.shown;
  if (a.rows !== b.rows || a.columns !== b.columns || drawn.format !== next.format || drawn.title !== next.title) return null;
  if (drawn.domain[0] !== next.domain[0] || drawn.domain[1] !== next.domain[1]) return null;
  if (drawn.captions.length !== next.captions.length || drawn.captions.some((c, j) => c !== next.captions[j])) return null;
  const rows = new Set<number>();
  for (let i = 0; i < b.rows; i++) {
    const before = drawn.thumbnails[i];
    const after = next.thumbnails[i];
    if (before.pixels !== after.pixels || before.size !== after.size) rows.add(i);
    for (let j = 0; j < b.columns && !rows.has(i); j++) if (a.values[i * a.columns + j] !== b.values[i * b.columns + j]) rows.add(i);
  }
  const columnBefore = argmaxColumns(a);
  const columnAfter = argmaxColumns(b);
  columnAfter.forEach((i, j) => {
    if (i !== columnBefore[j]) rows.add(i).add(columnBefore[j]);
  });
  if (rows.size === b.rows) return null;
  return [...rows].sort((x, y) => x - y);
}

/** Draws only `rows` of `figure` over a canvas that shows an earlier figure of the same layout. */
export function drawMatrixRows(context: CanvasRenderingContext2D, figure: MatrixFigure, layout: MatrixLayout, rows: readonly number[]): void {
  const marks = { colour: colourScale(figure.domain), rowBest: argmaxRows(figure.shown), columnBest: argmaxColumns(figure.shown) };
  context.save();
  for (const i of rows) drawRow(context, figure, layout, marks, i);
  context.restore();
}
