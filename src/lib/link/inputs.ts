/**
 * The shared inputs in a link: images and captions, which every lab reads.
 *
 * An image is a ShapesWorld sample by its seed (`s3` is "Sample 3", drawn from seed 3) or a
 * composed scene by its shapes (`c:circle,red,0.2,0.5,0.21;square,blue,0.7,0.5,0.12`: kind,
 * colour, centre x and y and radius as fractions of the side, in drawing order; `;bg=rrggbb`
 * for a background other than white). Uploaded files cannot travel in a link and are left out.
 */
import { spec, type ColourId, type RGB, type ShapeKind } from '../shapes/spec';
import type { Scene, SceneShape } from '../shapes/scene';
import { WHITE } from '../shapes/scene';
import { decimal, list, text, type Field } from './fields';

export type LinkedImage = { readonly kind: 'sample'; readonly seed: number } | { readonly kind: 'composed'; readonly scene: Scene };

/** Seeds above this are refused (samples are walked from 1 by the "Sample" buttons). */
export const MAX_SAMPLE_SEED = 1_000_000;
export const MAX_LINKED_IMAGES = 64;
export const MAX_LINKED_CAPTIONS = 32;
export const MAX_SCENE_SHAPES = 12;
/** Captions are cut at this many characters by the lab; a link may not carry longer ones. */
export const MAX_CAPTION_CHARACTERS = 200;

const SHAPES = spec.shapes.map((s) => s.id) as readonly string[];
const COLOURS = spec.colours.map((c) => c.id) as readonly string[];
const fraction = decimal(0, 1);
const radius = decimal(0.01, 0.5);

function parseShape(raw: string): SceneShape | undefined {
  const parts = raw.split(',');
  if (parts.length !== 5) return undefined;
  const [kind, colour, x, y, r] = parts;
  if (!SHAPES.includes(kind) || !COLOURS.includes(colour)) return undefined;
  const cx = fraction.parse(x);
  const cy = fraction.parse(y);
  const size = radius.parse(r);
  if (cx === undefined || cy === undefined || size === undefined) return undefined;
  return { kind: kind as ShapeKind, colour: colour as ColourId, cx, cy, radius: size };
}

function parseBackground(raw: string): RGB | undefined {
  const match = /^bg=([0-9a-f]{6})$/i.exec(raw);
  if (!match) return undefined;
  const n = parseInt(match[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const hex = (rgb: RGB) => rgb.map((v) => v.toString(16).padStart(2, '0')).join('');

/**
 * @example linkedImage.parse('s3') // { kind: 'sample', seed: 3 }
 * @example linkedImage.format({ kind: 'composed', scene: { shapes: [{ kind: 'circle', colour: 'red', cx: 0.25, cy: 0.5, radius: 0.21 }], background: [255, 255, 255] } })
 * // 'c:circle,red,0.25,0.5,0.21'
 */
export const linkedImage: Field<LinkedImage> = {
  expects: `a sample (s1 to s${MAX_SAMPLE_SEED}) or a composed scene (c:circle,red,0.2,0.5,0.21;…, up to ${MAX_SCENE_SHAPES} shapes)`,
  continuous: true,
  parse(raw) {
    const sample = /^s(\d{1,7})$/.exec(raw);
    if (sample) {
      const seed = Number(sample[1]);
      return seed >= 1 && seed <= MAX_SAMPLE_SEED ? { kind: 'sample', seed } : undefined;
    }
    if (!raw.startsWith('c:')) return undefined;
    const parts = raw.slice(2).split(';').filter((p) => p.length > 0);
    let background: RGB = WHITE;
    if (parts.length > 0 && parts[parts.length - 1].startsWith('bg=')) {
      const parsed = parseBackground(parts.pop()!);
      if (!parsed) return undefined;
      background = parsed;
    }
    if (parts.length > MAX_SCENE_SHAPES) return undefined;
    const shapes: SceneShape[] = [];
    for (const part of parts) {
      const shape = parseShape(part);
      if (!shape) return undefined;
      shapes.push(shape);
    }
    return { kind: 'composed', scene: { shapes, background } };
  },
  format(image) {
    if (image.kind === 'sample') return `s${image.seed}`;
    const shapes = image.scene.shapes.map((s) => [s.kind, s.colour, s.cx, s.cy, s.radius].join(','));
    const background = image.scene.background.every((v, k) => v === WHITE[k]) ? [] : [`bg=${hex(image.scene.background)}`];
    return `c:${[...shapes, ...background].join(';')}`;
  },
};

/** The keys every lab that reads the shared inputs carries. */
export const INPUT_FIELDS = {
  img: list(linkedImage, MAX_LINKED_IMAGES),
  cap: list(text(MAX_CAPTION_CHARACTERS), MAX_LINKED_CAPTIONS),
} as const;
