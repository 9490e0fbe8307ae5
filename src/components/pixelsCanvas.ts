/**
 * Packed RGB pixels on a canvas, for drawImage (scaled, onto another canvas) or toDataURL.
 * One canvas per size, reused: a new canvas per picture creates a new 2-D context, which costs
 * more than the drawing, and pictures are redrawn at every answer while a shape is dragged or a
 * slider moves. The canvas is overwritten by the next call: draw or encode it at once.
 */
import { rgbToRgba } from '../lib/image/pixels';

const scratches = new Map<number, CanvasRenderingContext2D>();

/**
 * @example context.drawImage(pixelsCanvas(modelInput, 32), x, y, 48, 48) // modelInput: [32, 32, 3]
 */
export function pixelsCanvas(pixels: ArrayLike<number>, size: number): HTMLCanvasElement {
  let scratch = scratches.get(size);
  if (!scratch) {
    scratch = Object.assign(document.createElement('canvas'), { width: size, height: size }).getContext('2d')!;
    scratches.set(size, scratch);
  }
  scratch.putImageData(new ImageData(rgbToRgba(pixels, size * size), size, size), 0, 0);
  return scratch.canvas;
}
