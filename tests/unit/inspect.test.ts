/** What inspectImage makes of a file's bytes, on hand-built fixtures of each format. */
import { describe, expect, it } from 'vitest';
import { inspectImage, MAX_PIXELS } from '../../src/lib/image/inspect';

const text = (s: string) => Array.from(s, (ch) => ch.charCodeAt(0));
const be32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const be16 = (n: number) => [(n >>> 8) & 255, n & 255];
const le16 = (n: number) => [n & 255, (n >>> 8) & 255];
const le24 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255];
const le32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
const bytes = (...parts: number[][]) => new Uint8Array(parts.flat());

/** A PNG chunk: length, type, data, CRC (zeros: inspectImage does not check CRCs). */
const chunk = (type: string, data: number[] = []) => [...be32(data.length), ...text(type), ...data, 0, 0, 0, 0];

function png(width: number, height: number, { end = true, animated = false } = {}): Uint8Array {
  const ihdr = [...be32(width), ...be32(height), 8, 2, 0, 0, 0];
  return bytes(
    [0x89, ...text('PNG'), 0x0d, 0x0a, 0x1a, 0x0a],
    chunk('IHDR', ihdr),
    animated ? chunk('acTL', [...be32(2), ...be32(0)]) : [],
    chunk('IDAT', [0x78, 0x9c, 1, 2, 3, 4]),
    end ? chunk('IEND') : [],
  );
}

function jpeg(width: number, height: number, { end = true } = {}): Uint8Array {
  const app0 = [0xff, 0xe0, ...be16(16), ...text('JFIF'), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const sof0 = [0xff, 0xc0, ...be16(17), 8, ...be16(height), ...be16(width), 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  const sos = [0xff, 0xda, ...be16(12), 3, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3f, 0];
  const scan = [0x12, 0x34, 0xff, 0x00, 0x56, 0x78];
  return bytes([0xff, 0xd8], app0, sof0, sos, scan, end ? [0xff, 0xd9] : []);
}

/** A GIF89a with a 2-colour global table and `frames` image descriptors, each after a graphic control extension. */
function gif(width: number, height: number, frames: number): Uint8Array {
  const frame = [
    0x21, 0xf9, 4, 0, 10, 0, 0, 0, // graphic control extension, one 4-byte sub-block
    0x2c, ...le16(0), ...le16(0), ...le16(width), ...le16(height), 0, // image descriptor, no local table
    2, 2, 0x44, 0x01, 0, // LZW minimum code size, one 2-byte sub-block, terminator
  ];
  const netscape = [0x21, 0xff, 11, ...text('NETSCAPE2.0'), 3, 1, 0, 0, 0];
  return bytes(text('GIF89a'), le16(width), le16(height), [0x80, 0, 0], [0, 0, 0, 255, 255, 255],
    frames > 1 ? netscape : [], ...Array.from({ length: frames }, () => frame), [0x3b]);
}

const riff = (body: number[]) => bytes(text('RIFF'), le32(4 + body.length), text('WEBP'), body);
const vp8x = (width: number, height: number, flags: number) =>
  riff([...text('VP8X'), ...le32(10), flags, 0, 0, 0, ...le24(width - 1), ...le24(height - 1)]);
const vp8 = (width: number, height: number) =>
  riff([...text('VP8 '), ...le32(10), 0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, ...le16(width), ...le16(height)]);
function vp8l(width: number, height: number): Uint8Array {
  const bits = (width - 1) + (height - 1) * 2 ** 14; // 14 bits each, little-endian bit order
  return riff([...text('VP8L'), ...le32(5), 0x2f, ...le32(bits)]);
}
const bmp = (width: number, height: number) =>
  bytes(text('BM'), le32(54), [0, 0, 0, 0], le32(54), le32(40), le32(width), le32(height), [1, 0, 24, 0]);

function facts(b: Uint8Array) {
  const result = inspectImage(b);
  if (!result.ok) throw new Error(`refused: ${result.message}`);
  return result.facts;
}
function refusal(b: Uint8Array): string {
  const result = inspectImage(b);
  if (result.ok) throw new Error(`accepted: ${JSON.stringify(result.facts)}`);
  return result.message;
}

describe('inspectImage: sizes of each format', () => {
  it('reads PNG, JPEG, GIF, WebP (VP8X, VP8, VP8L) and BMP headers', () => {
    expect(facts(png(640, 480))).toEqual({ format: 'png', width: 640, height: 480, animated: false });
    expect(facts(jpeg(1024, 768))).toEqual({ format: 'jpeg', width: 1024, height: 768, animated: false });
    expect(facts(gif(300, 200, 1))).toEqual({ format: 'gif', width: 300, height: 200, animated: false });
    expect(facts(vp8x(640, 480, 0x10))).toEqual({ format: 'webp', width: 640, height: 480, animated: false });
    expect(facts(vp8(321, 123))).toEqual({ format: 'webp', width: 321, height: 123, animated: false });
    expect(facts(vp8l(300, 200))).toEqual({ format: 'webp', width: 300, height: 200, animated: false });
    expect(facts(bmp(123, 45))).toEqual({ format: 'bmp', width: 123, height: 45, animated: false });
  });

  it('reads sizes that need every byte of their field', () => {
    expect(facts(png(70000, 3))).toMatchObject({ width: 70000, height: 3 }); // > 16 bits
    expect(facts(jpeg(4000, 3000))).toMatchObject({ width: 4000, height: 3000 });
    expect(facts(gif(65535, 2, 1))).toMatchObject({ width: 65535, height: 2 });
    expect(facts(vp8x(70000, 1, 0))).toMatchObject({ width: 70000, height: 1 }); // 24-bit field
    expect(facts(vp8l(16384, 3))).toMatchObject({ width: 16384, height: 3 }); // 14-bit maximum
    expect(facts(bmp(640, -480))).toMatchObject({ width: 640, height: 480 }); // top-down BMP
  });
});

describe('inspectImage: animation', () => {
  it('tells animated GIFs from single-frame ones', () => {
    expect(facts(gif(10, 10, 1)).animated).toBe(false);
    expect(facts(gif(10, 10, 2)).animated).toBe(true);
    expect(facts(gif(10, 10, 3)).animated).toBe(true);
  });

  it('reads the animation flag of VP8X and the acTL chunk of APNG', () => {
    expect(facts(vp8x(100, 50, 0x02)).animated).toBe(true);
    expect(facts(vp8x(100, 50, 0x3c)).animated).toBe(false); // ICC, alpha, EXIF, XMP: everything but animation
    expect(facts(png(10, 10, { animated: true })).animated).toBe(true);
  });
});

describe('inspectImage: refusals', () => {
  it('refuses an empty file', () => {
    expect(refusal(new Uint8Array(0))).toBe('The file is empty (0 bytes).');
  });

  it('names what a non-image is', () => {
    expect(refusal(bytes(text('hello, this is a text file renamed to picture.png\n')))).toMatch(/not an image/);
    expect(refusal(bytes(text('<svg xmlns="http://www.w3.org/2000/svg" width="10"/>')))).toMatch(/SVG/);
    expect(refusal(bytes(text('\n  <?xml version="1.0"?>\n<svg width="10"></svg>')))).toMatch(/SVG/);
    expect(refusal(bytes(text('%PDF-1.7\n%âãÏÓ\n1 0 obj')))).toMatch(/PDF/);
    expect(refusal(bytes(text('<!DOCTYPE html><html></html>')))).toMatch(/web page/);
    expect(refusal(bytes([0, 0, 0, 24], text('ftypheic'), [0, 0, 0, 0]))).toMatch(/HEIC/);
  });

  it('refuses truncated JPEGs and PNGs', () => {
    expect(refusal(jpeg(100, 100, { end: false }))).toMatch(/truncated/);
    expect(refusal(png(100, 100, { end: false }))).toMatch(/truncated/);
    expect(refusal(png(100, 100).subarray(0, 45))).toMatch(/truncated/); // cut inside IDAT
    expect(refusal(jpeg(100, 100).subarray(0, 20))).toMatch(/truncated/); // cut before the frame header
  });

  it('refuses damaged headers', () => {
    expect(refusal(png(10, 10).subarray(0, 20))).toMatch(/damaged/);
    expect(refusal(bytes(text('GIF89a'), [1, 0]))).toMatch(/damaged/);
    expect(refusal(riff([...text('VP8X'), 0, 0]))).toMatch(/damaged/);
    expect(refusal(bytes(text('BM'), [0, 0, 0]))).toMatch(/damaged/);
    expect(refusal(bytes([0xff, 0xd8, 0x12, 0x34, 0x56, 0x78]))).toMatch(/damaged/);
    expect(refusal(bytes(text('GIF89a'), le16(1), le16(1), [0, 0, 0], [0x3b]))).toMatch(/no picture/);
  });

  it('refuses images with no pixels', () => {
    expect(refusal(png(0, 10))).toMatch(/no pixels/);
    expect(refusal(jpeg(10, 0))).toMatch(/no pixels/);
  });

  it('refuses images over the pixel limit, naming their size', () => {
    const message = refusal(png(20000, 20000));
    expect(message).toMatch(/too large/);
    expect(message).toContain('20000');
    expect(message).toContain('400 megapixels'); // 20000² = 4·10⁸
    expect(MAX_PIXELS).toBe(50_000_000);
    // 7071² = 49 999 041 is under the limit; 7072² = 50 013 184 is over.
    expect(facts(png(7071, 7071)).width).toBe(7071);
    expect(refusal(jpeg(7072, 7072))).toMatch(/too large/);
    expect(refusal(vp8x(16000, 16000, 0))).toMatch(/too large/);
  });
});
