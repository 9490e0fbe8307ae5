/**
 * The browser side of the embedding map's figure: thumbnails as data URLs, and the SVG
 * saved as SVG or PNG. (The numbers' CSV is pure: src/lib/projection/joint.ts.)
 */
import { pixelsCanvas } from '../../components/pixelsCanvas';

// Keyed by the pixel array itself: a thumbnail is encoded once however often the map redraws,
// and dropped with its image.
const thumbnailUrls = new WeakMap<Uint8ClampedArray, string>();

/**
 * Packed RGB `[size, size, 3]` as a PNG data URL. A data URL, not a blob URL: it lives inside
 * the serialised SVG, so the exported file and the PNG drawn from it keep their thumbnails,
 * and there is nothing to revoke. A plain canvas because only it encodes synchronously
 * (OffscreenCanvas has only the asynchronous convertToBlob).
 */
export function thumbnailUrl(pixels: Uint8ClampedArray, size: number): string {
  const cached = thumbnailUrls.get(pixels);
  if (cached) return cached;
  const url = pixelsCanvas(pixels, size).toDataURL('image/png');
  thumbnailUrls.set(pixels, url);
  return url;
}

/** The `<svg>` as a standalone file. Everything it shows is in attributes, not page CSS, so it looks the same outside the page. */
export function svgBlob(svg: SVGSVGElement): Blob {
  return new Blob([new XMLSerializer().serializeToString(svg)], { type: 'image/svg+xml' });
}

/** The `<svg>` drawn into a canvas at `scale`× its size (sharp on high-DPI screens and in print), as PNG. */
export function pngBlob(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const { width, height } = svg.viewBox.baseVal;
  const url = URL.createObjectURL(svgBlob(svg));
  return new Promise<Blob>((resolve, reject) => {
    const image = new Image();
    image.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      canvas.getContext('2d')?.drawImage(image, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(url);
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The browser could not encode the PNG.'))), 'image/png');
    };
    image.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error('The browser could not draw the SVG.'));
    };
    image.src = url;
  });
}

export function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
