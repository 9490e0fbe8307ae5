/**
 * Reads what an image file claims to be from its first and last bytes, before anything
 * decodes it: the format, the pixel size, whether a GIF is animated, whether a JPEG or PNG
 * ends early. A 20000×20000 PNG is refused here, not after the browser has tried to
 * allocate 1.6 GB for it.
 */

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp';

export interface ImageFacts {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  /** More than one frame (GIF, WebP): the first is used. */
  readonly animated: boolean;
}

export type Inspection = { readonly ok: true; readonly facts: ImageFacts } | { readonly ok: false; readonly message: string };

/** Largest image, in pixels, the playground decodes (about 7000 × 7000). */
export const MAX_PIXELS = 50_000_000;

const ascii = (bytes: Uint8Array, at: number, length: number) => String.fromCharCode(...bytes.subarray(at, at + length));
const u16be = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
const u16le = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8);
const u32be = (b: Uint8Array, at: number) => ((b[at] << 24) >>> 0) + (b[at + 1] << 16) + (b[at + 2] << 8) + b[at + 3];
const u32le = (b: Uint8Array, at: number) => b[at] + (b[at + 1] << 8) + (b[at + 2] << 16) + ((b[at + 3] << 24) >>> 0);

function refuse(message: string): Inspection {
  return { ok: false, message };
}

function describeNonImage(bytes: Uint8Array): string {
  const head = ascii(bytes, 0, Math.min(bytes.length, 256)).trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) {
    return 'SVG drawings are not supported: export it as PNG and add that instead.';
  }
  if (head.startsWith('%pdf')) return 'This is a PDF, not an image: export the page as PNG or JPEG.';
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'This is a web page, not an image.';
  if (ascii(bytes, 4, 4) === 'ftyp') return 'HEIC/AVIF/MP4 files are not supported here: convert it to PNG or JPEG.';
  return 'This file is not an image the playground can read (PNG, JPEG, GIF, WebP or BMP), whatever its name says.';
}

function pngFacts(b: Uint8Array): Inspection {
  if (b.length < 33 || ascii(b, 12, 4) !== 'IHDR') return refuse('This PNG is damaged: its header is incomplete.');
  // Count animation-control chunks and check the file reaches its IEND chunk.
  let at = 8;
  let animated = false;
  let ended = false;
  while (at + 8 <= b.length) {
    const length = u32be(b, at);
    const type = ascii(b, at + 4, 4);
    if (type === 'acTL') animated = true;
    if (type === 'IEND') { ended = true; break; }
    at += 12 + length;
  }
  if (!ended) return refuse('This PNG is truncated (the file ends early): download or save it again.');
  return { ok: true, facts: { format: 'png', width: u32be(b, 16), height: u32be(b, 20), animated } };
}

function jpegFacts(b: Uint8Array): Inspection {
  let at = 2;
  let size: { width: number; height: number } | null = null;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return refuse('This JPEG is damaged: its markers are out of place.');
    const marker = b[at + 1];
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01 || marker === 0xff) { at += marker === 0xff ? 1 : 2; continue; }
    const length = u16be(b, at + 2);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame && at + 9 <= b.length) size = { height: u16be(b, at + 5), width: u16be(b, at + 7) };
    if (marker === 0xda) break; // start of scan: entropy-coded data follows
    at += 2 + length;
  }
  if (!size) return refuse('This JPEG is damaged or truncated: it has no image header.');
  // A complete JPEG ends with the EOI marker (some writers add padding after it).
  const tail = b.subarray(Math.max(0, b.length - 64));
  let ended = false;
  for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) { ended = true; break; }
  if (!ended) return refuse('This JPEG is truncated (the file ends early): download or save it again.');
  return { ok: true, facts: { format: 'jpeg', ...size, animated: false } };
}

function gifFacts(b: Uint8Array): Inspection {
  if (b.length < 13) return refuse('This GIF is damaged: its header is incomplete.');
  const width = u16le(b, 6);
  const height = u16le(b, 8);
  let at = 13;
  if (b[10] & 0x80) at += 3 * (1 << ((b[10] & 0x07) + 1));
  let frames = 0;
  while (at < b.length) {
    const block = b[at];
    if (block === 0x3b) break; // trailer
    if (block === 0x21) { // extension: label, then sub-blocks
      at += 2;
      while (at < b.length && b[at] !== 0) at += b[at] + 1;
      at += 1;
    } else if (block === 0x2c) { // image descriptor
      frames++;
      const packed = b[at + 9];
      at += 10;
      if (packed & 0x80) at += 3 * (1 << ((packed & 0x07) + 1));
      at += 1; // LZW minimum code size
      while (at < b.length && b[at] !== 0) at += b[at] + 1;
      at += 1;
    } else {
      return frames > 0 ? { ok: true, facts: { format: 'gif', width, height, animated: frames > 1 } } : refuse('This GIF is damaged.');
    }
  }
  if (frames === 0) return refuse('This GIF is damaged or truncated: it holds no picture.');
  return { ok: true, facts: { format: 'gif', width, height, animated: frames > 1 } };
}

function webpFacts(b: Uint8Array): Inspection {
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8X' && b.length >= 30) {
    const width = 1 + (b[24] | (b[25] << 8) | (b[26] << 16));
    const height = 1 + (b[27] | (b[28] << 8) | (b[29] << 16));
    return { ok: true, facts: { format: 'webp', width, height, animated: (b[20] & 0x02) !== 0 } };
  }
  if (chunk === 'VP8 ' && b.length >= 30) {
    return { ok: true, facts: { format: 'webp', width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff, animated: false } };
  }
  if (chunk === 'VP8L' && b.length >= 25) {
    const bits = u32le(b, 21);
    return { ok: true, facts: { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, animated: false } };
  }
  return refuse('This WebP is damaged: its header is incomplete.');
}

function bmpFacts(b: Uint8Array): Inspection {
  if (b.length < 26) return refuse('This BMP is damaged: its header is incomplete.');
  return { ok: true, facts: { format: 'bmp', width: Math.abs(u32le(b, 18) | 0), height: Math.abs(u32le(b, 22) | 0), animated: false } };
}

/**
 * What the bytes of a file are, as an image, or why they cannot be used.
 * @example inspectImage(new Uint8Array(0)) // { ok: false, message: 'The file is empty (0 bytes).' }
 */
export function inspectImage(bytes: Uint8Array): Inspection {
  if (bytes.length === 0) return refuse('The file is empty (0 bytes).');
  let result: Inspection;
  if (bytes[0] === 0x89 && ascii(bytes, 1, 3) === 'PNG') result = pngFacts(bytes);
  else if (bytes[0] === 0xff && bytes[1] === 0xd8) result = jpegFacts(bytes);
  else if (ascii(bytes, 0, 4) === 'GIF8') result = gifFacts(bytes);
  else if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') result = webpFacts(bytes);
  else if (ascii(bytes, 0, 2) === 'BM') result = bmpFacts(bytes);
  else return refuse(describeNonImage(bytes));
  if (!result.ok) return result;
  const { width, height } = result.facts;
  if (width === 0 || height === 0) return refuse('This image has no pixels (width or height is 0).');
  if (width * height > MAX_PIXELS) {
    return refuse(`This image is too large (${width} × ${height} pixels, ${Math.round((width * height) / 1e6)} megapixels; the limit is ${MAX_PIXELS / 1e6}): shrink it and add it again.`);
  }
  return result;
}
