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
  // Thumbnails of what the model saw, left of their rows.
  const thumb = Math.min(cell - 2, 48);
  context.imageSmoothingEnabled = false;
  figure.thumbnails.forEach((t, i) => context.drawImage(pixelsCanvas(t.pixels, t.size), left - thumb - 6, top + i * cell + (cell - thumb) / 2, thumb, thumb));
  // Cells, values and argmax marks.
  const rowBest = argmaxRows(shown);
  const columnBest = argmaxColumns(shown);
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  context.font = `${Math.max(9, Math.min(12, cell / 4))}px system-ui, sans-serif`;
  for (let i = 0; i < shown.rows; i++) {
    for (let j = 0; j < shown.columns; j++) {
      const v = shown.values[i * shown.columns + j];
      const x = left + j * cell;
      const y = top + i * cell;
      context.fillStyle = colour(v);
      context.fillRect(x, y, cell - 1, cell - 1);
      const t = (v - domain[0]) / (domain[1] - domain[0] || 1);
      if (cell >= 40) {
        context.fillStyle = t > 0.6 ? '#111' : '#fff';
        context.fillText(format(v), x + cell / 2, y + cell / 2);
      }
      if (rowBest[i] === j) {
        // Row argmax: an outlined cell.
        context.strokeStyle = '#ff2d55';
        context.lineWidth = 2;
        context.strokeRect(x + 1.5, y + 1.5, cell - 4, cell - 4);
      }
      if (columnBest[j] === i) {
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
