/**
 * The ShapesWorld spec: shapes, palette, vocabulary and caption templates.
 * The same JSON file is read by the Python forge, so what the browser renders and
 * what the tiny models were trained on always agree.
 */
import specJson from './spec.json' with { type: 'json' };

export type RGB = readonly [number, number, number];

export interface WordEntry {
  readonly id: string;
  /** Surface forms; the first is canonical, the others are synonyms. Empty: not sayable. */
  readonly words: readonly string[];
}
export interface ShapeEntry extends WordEntry { readonly plural: string }
export interface ColourEntry extends WordEntry { readonly rgb: RGB }
export interface SizeEntry extends WordEntry { readonly radius: readonly [number, number] }
export interface Template { readonly id: string; readonly text: string; readonly weight: number }

export interface ShapesSpec {
  readonly version: number;
  /** Side of the square images the bundled models take, in pixels. */
  readonly imageSize: number;
  readonly shapes: readonly ShapeEntry[];
  readonly colours: readonly ColourEntry[];
  readonly sizes: readonly SizeEntry[];
  /** Radius (fraction of the image side) below which a shape is "small". */
  readonly sizeThreshold: number;
  readonly columns: readonly WordEntry[];
  readonly rows: readonly WordEntry[];
  /** Phrase for each cell of the 3×3 grid, `cells[row][column]`. */
  readonly cells: readonly (readonly string[])[];
  readonly relations: readonly WordEntry[];
  readonly templates: { readonly one: readonly Template[]; readonly two: readonly Template[] };
  readonly backgrounds: {
    readonly grey: readonly [number, number];
    readonly darkShare: number;
    readonly dark: readonly [number, number];
    readonly tint: number;
  };
}

export const spec: ShapesSpec = specJson as unknown as ShapesSpec;

export type ShapeKind = string;
export type ColourId = string;

export function colourRgb(id: ColourId): RGB {
  const entry = spec.colours.find((c) => c.id === id);
  if (!entry) throw new Error(`Unknown colour "${id}"`);
  return entry.rgb;
}
