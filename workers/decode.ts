/**
 * Turns an image input into RGB pixels, inside the worker: files are inspected before they
 * are decoded, so bad ones get a message a person can act on instead of an exception.
 */
import type { ImageInput } from '../src/lib/runtime/protocol';
import { inspectImage } from '../src/lib/image/inspect';
import { rgbaToRgb, type PixelImage } from '../src/lib/image/resample';

export type Decoded =
  | { ok: true; image: PixelImage; /** The file's own size, before any decode-time shrink. */ original: { width: number; height: number }; notes: string[] }
  | { ok: false; message: string };

/**
 * @param keepShortestEdge a large image is decoded straight to about this shorter side (the
 *   browser's high-quality resize), so a 7000-px photo never sits in memory at full size; the
 *   caller's area downscale then takes it the rest of the way.
 */
export async function decodeImage(input: ImageInput, keepShortestEdge = Infinity): Promise<Decoded> {
  if (input.kind === 'pixels') {
    return { ok: true, image: rgbaToRgb(input), original: { width: input.width, height: input.height }, notes: [] };
  }
  const bytes = new Uint8Array(await input.blob.arrayBuffer());
  const inspection = inspectImage(bytes);
  if (!inspection.ok) return inspection;
  const { facts } = inspection;
  let bitmap: ImageBitmap;
  const shrink = Math.min(1, keepShortestEdge / Math.min(facts.width, facts.height));
  const size = shrink < 1 ? { resizeWidth: Math.round(facts.width * shrink), resizeHeight: Math.round(facts.height * shrink), resizeQuality: 'high' as const } : {};
  try {
    bitmap = await createImageBitmap(new Blob([bytes], { type: `image/${facts.format}` }), size);
  } catch {
    return { ok: false, message: `This ${facts.format.toUpperCase()} could not be decoded: the file is damaged. Save it again or try another.` };
  }
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) return { ok: false, message: 'The browser could not give a canvas to read this image.' };
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    const notes = facts.animated ? [`Animated ${facts.format.toUpperCase()}: the model sees its first frame.`] : [];
    return { ok: true, image: rgbaToRgb({ width: bitmap.width, height: bitmap.height, channels: 4, data }), original: { width: facts.width, height: facts.height }, notes };
  } finally {
    bitmap.close();
  }
}
