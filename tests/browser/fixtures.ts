/**
 * Bad (and good) image files for the upload tests, built byte by byte so that no binary
 * fixture has to be trusted: each is exactly the kind of damage it is named for.
 */

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  new DataView(out.buffer).setUint32(0, data.length);
  out.set([...type].map((c) => c.charCodeAt(0)), 4);
  out.set(data, 8);
  return out; // CRC left zero: the header is never decoded, only read
}

/** A PNG whose header claims `width × height` pixels (no pixel data). */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const parts = [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IEND', new Uint8Array())];
  return Buffer.concat(parts);
}

/**
 * A valid two-frame animated GIF of 1 × 1 pixel: a red frame, then a blue one. Each frame's
 * LZW stream is three 3-bit codes, least significant bit first: clear (4), the colour index,
 * end (5): 0x44 0x01 for index 0, 0x4c 0x01 for index 1.
 */
export function animatedGif(): Buffer {
  const frame = (lzw: number) => [
    0x21, 0xf9, 0x04, 0x00, 0x0a, 0x00, 0x00, 0x00, // graphic control extension: 100 ms
    0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0x00, // image descriptor: 1×1 at (0, 0), global colours
    0x02, 0x02, lzw, 0x01, 0x00, // minimum code size 2, one 2-byte block, terminator
  ];
  return Buffer.from([
    ...Buffer.from('GIF89a'),
    1, 0, 1, 0, 0x80, 0, 0, // screen 1×1, global colour table of 2 entries
    0xff, 0, 0, 0, 0, 0xff, // red, blue
    0x21, 0xff, 0x0b, ...Buffer.from('NETSCAPE2.0'), 0x03, 0x01, 0x00, 0x00, 0x00, // loop forever
    ...frame(0x44),
    ...frame(0x4c),
    0x3b,
  ]);
}

export const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="20" fill="red"/></svg>');
export const NOT_AN_IMAGE = Buffer.from('name,score\nalice,3\nbob,5\n');
