/**
 * A canvas's 2-D context for drawing `width` × `height` CSS pixels at the device's pixel
 * density, so lines and text stay sharp on high-DPI screens. The canvas is resized only when the
 * size changes: setting its size, even to the same value, throws away its pixels and context
 * state. Returns null where the browser gives no 2-D context.
 */
export function densityContext(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D | null {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.round(width * ratio);
  const h = Math.round(height * ratio);
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const context = canvas.getContext('2d');
  context?.setTransform(ratio, 0, 0, ratio, 0, 0);
  return context;
}
