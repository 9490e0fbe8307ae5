/**
 * Draws one architecture's view of the image on a canvas: the resized canvas with the picture
 * on it (padding shown as padding, a crop's outside dimmed), the tiles with their row and
 * column, the global view or thumbnail beside it at the same scale, the patch grid where it is
 * wide enough to see, and an enlarged corner of the first tile showing how patches become
 * tokens (k × k merged, pooled, or read by a resampler's queries).
 */
import type { Budget } from '../../lib/budget/types';

export interface TilingLayout {
  readonly width: number;
  readonly height: number;
  /** Pixels of the figure per pixel of the resized canvas. */
  readonly scale: number;
  readonly canvasBox: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly globalBox: { readonly x: number; readonly y: number; readonly width: number; readonly height: number } | null;
  readonly insetBox: { readonly x: number; readonly y: number; readonly size: number };
}

const MAIN = { width: 420, height: 320 };
const MARGIN = 18;
const INSET = 168;
const TILE_COLOURS = ['#1e88e5', '#e53935', '#43a047', '#fb8c00', '#8e24aa', '#00897b'];

export function layoutTiling(budget: Budget): TilingLayout {
  const { resized, global } = budget;
  const scale = Math.min(MAIN.width / resized.width, MAIN.height / resized.height);
  const canvasBox = { x: MARGIN, y: MARGIN + 14, width: resized.width * scale, height: resized.height * scale };
  let right = canvasBox.x + canvasBox.width;
  let globalBox = null;
  if (global) {
    // The same scale as the canvas, so the global view's size compares; never below 40 px.
    const s = Math.max(scale, 40 / Math.max(global.width, global.height));
    globalBox = { x: right + MARGIN * 2, y: canvasBox.y, width: global.width * s, height: global.height * s };
    right = globalBox.x + globalBox.width;
  }
  const insetBox = { x: MARGIN, y: canvasBox.y + Math.max(canvasBox.height, globalBox?.height ?? 0) + 40, size: INSET };
  return {
    // Room for the global view's label and the inset's text beside it.
    width: Math.max(right + MARGIN + (globalBox ? 90 : 0), insetBox.x + INSET + 480),
    height: insetBox.y + INSET + MARGIN,
    scale,
    canvasBox,
    globalBox,
    insetBox,
  };
}

function label(context: CanvasRenderingContext2D, text: string, x: number, y: number, colour = '#333'): void {
  context.fillStyle = colour;
  context.fillText(text, x, y);
}

function drawPicture(context: CanvasRenderingContext2D, picture: CanvasImageSource | null, x: number, y: number, w: number, h: number): void {
  if (picture) context.drawImage(picture, x, y, w, h);
  else {
    context.fillStyle = '#f1f3f6';
    context.fillRect(x, y, w, h);
  }
}

/** Lines every `step` figure pixels inside a box (skipped when closer than 4 px: they would be a grey smear). */
function gridLines(context: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, step: number): void {
  if (step < 4) return;
  context.beginPath();
  for (let gx = x + step; gx < x + w - 0.5; gx += step) context.moveTo(gx, y), context.lineTo(gx, y + h);
  for (let gy = y + step; gy < y + h - 0.5; gy += step) context.moveTo(x, gy), context.lineTo(x + w, gy);
  context.stroke();
}

function drawInset(context: CanvasRenderingContext2D, budget: Budget, box: TilingLayout['insetBox']): void {
  const { reduction } = budget;
  const factor = reduction.kind === 'merge' ? reduction.factor : 2;
  const patches = Math.min(4 * factor, 16);
  const cell = box.size / patches;
  context.fillStyle = '#fafafa';
  context.fillRect(box.x, box.y, box.size, box.size);
  context.strokeStyle = '#b0b7c3';
  context.lineWidth = 1;
  gridLines(context, box.x, box.y, box.size, box.size, cell);
  context.strokeStyle = '#999';
  context.strokeRect(box.x, box.y, box.size, box.size);
  if (reduction.kind === 'merge') {
    context.strokeStyle = '#d81b60';
    context.lineWidth = 2.5;
    gridLines(context, box.x, box.y, box.size, box.size, cell * factor);
    context.strokeRect(box.x, box.y, box.size, box.size);
  }
  const tx = box.x + box.size + 14;
  const p = budget.patchSize;
  label(context, `A corner of the first view, enlarged: ${patches} × ${patches} patches of ${p} × ${p} px.`, tx, box.y + 14);
  const perView = (budget.encoderInput.width / p) * (budget.encoderInput.height / p);
  const lines: Record<Budget['reduction']['kind'], string[]> = {
    none: ['One patch = one token.', `${Math.floor(budget.encoderInput.width / p)} × ${Math.floor(budget.encoderInput.height / p)} patches per view.`],
    merge: [reduction.kind === 'merge' ? `${reduction.name}: each ${factor} × ${factor} block` : '', `(thick lines) becomes one token: ${factor * factor}× fewer.`],
    resampler: [reduction.kind === 'resampler' ? `${reduction.name}: up to ${Math.round(perView)} patches` : '', `per view are read by ${reduction.kind === 'resampler' ? reduction.queries : 0} learned queries.`],
    pool: [reduction.kind === 'pool' ? reduction.name : '', 'over the tiles\' features (anyres_max_9).'],
  };
  lines[reduction.kind].forEach((line, k) => label(context, line, tx, box.y + 36 + 18 * k, '#444'));
}

/** Paints the whole figure; `picture` is the image (null: a blank image of the size). */
export function drawTiling(context: CanvasRenderingContext2D, budget: Budget, layout: TilingLayout, picture: CanvasImageSource | null, architecture: string): void {
  const { canvasBox: c, scale } = layout;
  context.clearRect(0, 0, layout.width, layout.height);
  // Set once: parsing a font string at every label costs more than drawing the text.
  context.font = '12px system-ui, sans-serif';
  label(context, `${architecture}: ${budget.resized.width} × ${budget.resized.height}`, c.x, c.y - 6);
  // Padding (anyres) stays visible as padding around the picture.
  const content = budget.content ?? { x: 0, y: 0, width: budget.resized.width, height: budget.resized.height };
  context.fillStyle = '#fff3e0';
  context.fillRect(c.x, c.y, c.width, c.height);
  drawPicture(context, picture, c.x + content.x * scale, c.y + content.y * scale, content.width * scale, content.height * scale);
  const cropped = budget.tiles.length === 1 && (budget.tiles[0].width < budget.resized.width || budget.tiles[0].height < budget.resized.height);
  if (cropped) {
    // What a centre crop drops, dimmed.
    const t = budget.tiles[0];
    context.fillStyle = 'rgba(255,255,255,0.7)';
    context.fillRect(c.x, c.y, t.x * scale, c.height);
    context.fillRect(c.x + (t.x + t.width) * scale, c.y, c.width - (t.x + t.width) * scale, c.height);
    context.fillRect(c.x, c.y, c.width, t.y * scale);
    context.fillRect(c.x, c.y + (t.y + t.height) * scale, c.width, c.height - (t.y + t.height) * scale);
  }
  budget.tiles.forEach((t, k) => {
    const x = c.x + t.x * scale;
    const y = c.y + t.y * scale;
    const colour = TILE_COLOURS[k % TILE_COLOURS.length];
    context.strokeStyle = 'rgba(0,0,0,0.25)';
    context.lineWidth = 1;
    // Idefics2's crops are resized each on its own: their patches are not in canvas pixels.
    if (budget.reduction.kind !== 'resampler' || budget.tiles.length > 4) gridLines(context, x, y, t.width * scale, t.height * scale, budget.patchSize * scale);
    context.strokeStyle = colour;
    context.lineWidth = 2;
    context.strokeRect(x + 1, y + 1, t.width * scale - 2, t.height * scale - 2);
    if (t.width * scale > 36 && t.height * scale > 18) {
      context.fillStyle = 'rgba(255,255,255,0.85)';
      context.fillRect(x + 3, y + 3, 34, 15);
      label(context, `${t.row},${t.col}`, x + 6, y + 15, colour);
    }
  });
  if (layout.globalBox && budget.global) {
    const g = layout.globalBox;
    drawPicture(context, picture, g.x, g.y, g.width, g.height);
    context.strokeStyle = '#555';
    context.lineWidth = 2;
    context.strokeRect(g.x + 1, g.y + 1, g.width - 2, g.height - 2);
    label(context, `${budget.global.label}: ${budget.global.width} × ${budget.global.height}`, g.x, g.y - 6);
  }
  drawInset(context, budget, layout.insetBox);
}
