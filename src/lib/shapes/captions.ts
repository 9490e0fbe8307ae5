/**
 * The caption grammar. A *meaning* is a template with its slots filled ("colour-shape:red:circle");
 * its text can be said in several ways (synonyms). Whether a caption is true of a scene is
 * decided from the meaning, so partial descriptions ("something blue", "a square on the
 * left") are judged the way a person would judge them.
 */
import { spec, type Template } from './spec';
import { columnOf, rowOf, sizeOf, type Scene, type SceneShape } from './scene';
import { pick, pickWeighted, type Random } from './random';

export type Slot = 'size' | 'colour' | 'shape' | 'cell' | 'column' | 'row' | 'relation' | 'colour2' | 'shape2' | 'plural';

export interface Meaning {
  /** Stable key: template id and slot values, e.g. `colour-shape:red:circle`. */
  readonly id: string;
  readonly template: Template;
  readonly slots: Readonly<Partial<Record<Slot, string>>>;
}

const SLOT_PATTERN = /\{(\w+)\}/g;

function slotsOf(template: Template): Slot[] {
  return [...template.text.matchAll(SLOT_PATTERN)].map((m) => m[1] as Slot);
}

const CELL_IDS = [0, 1, 2].flatMap((row) => [0, 1, 2].map((column) => `${row}${column}`));

/** The values a slot can take. Columns and rows without words ("middle") are not sayable. */
function slotValues(slot: Slot): string[] {
  switch (slot) {
    case 'size': return spec.sizes.map((s) => s.id);
    case 'colour': case 'colour2': return spec.colours.map((c) => c.id);
    case 'shape': case 'shape2': case 'plural': return spec.shapes.map((s) => s.id);
    case 'cell': return CELL_IDS;
    case 'column': return spec.columns.filter((c) => c.words.length > 0).map((c) => c.id);
    case 'row': return spec.rows.filter((r) => r.words.length > 0).map((r) => r.id);
    case 'relation': return spec.relations.map((r) => r.id);
  }
}

function meaningId(template: Template, slots: Partial<Record<Slot, string>>): string {
  return [template.id, ...slotsOf(template).map((s) => slots[s])].join(':');
}

function enumerate(template: Template): Meaning[] {
  let partial: Partial<Record<Slot, string>>[] = [{}];
  for (const slot of slotsOf(template)) {
    partial = partial.flatMap((p) => slotValues(slot).map((v) => ({ ...p, [slot]: v })));
  }
  return partial.map((slots) => ({ id: meaningId(template, slots), template, slots }));
}

/** Every meaning the grammar can express, in a fixed order (the forge relies on it). */
export const meanings: readonly Meaning[] = [...spec.templates.one, ...spec.templates.two].flatMap(enumerate);

const meaningIndex = new Map(meanings.map((m, i) => [m.id, i]));

export function indexOfMeaning(id: string): number {
  const i = meaningIndex.get(id);
  if (i === undefined) throw new Error(`Unknown meaning "${id}"`);
  return i;
}

function words(slot: Slot, value: string): readonly string[] {
  switch (slot) {
    case 'size': return spec.sizes.find((s) => s.id === value)!.words;
    case 'colour': case 'colour2': return spec.colours.find((c) => c.id === value)!.words;
    case 'shape': case 'shape2': return spec.shapes.find((s) => s.id === value)!.words;
    case 'plural': return [spec.shapes.find((s) => s.id === value)!.plural];
    case 'cell': return [spec.cells[Number(value[0])][Number(value[1])]];
    case 'column': return spec.columns.find((c) => c.id === value)!.words;
    case 'row': return spec.rows.find((r) => r.id === value)!.words;
    case 'relation': return spec.relations.find((r) => r.id === value)!.words;
  }
}

/**
 * The caption's text: canonical words, or random synonyms when a random source is given.
 * @example captionText(meanings[indexOfMeaning('colour-shape:red:circle')]) // "a red circle"
 */
export function captionText(meaning: Meaning, random?: Random): string {
  return meaning.template.text.replace(SLOT_PATTERN, (_, slot: Slot) => {
    const options = words(slot, meaning.slots[slot]!);
    return random ? pick(random, options) : options[0];
  });
}

function matches(shape: SceneShape, slots: Partial<Record<Slot, string>>, second = false): boolean {
  const colour = second ? slots.colour2 : slots.colour;
  const kind = second ? slots.shape2 : slots.shape;
  if (colour !== undefined && shape.colour !== colour) return false;
  if (kind !== undefined && shape.kind !== kind) return false;
  if (second) return true;
  if (slots.size !== undefined && sizeOf(shape) !== slots.size) return false;
  if (slots.cell !== undefined && `${rowOf(shape)}${columnOf(shape)}` !== slots.cell) return false;
  if (slots.column !== undefined && spec.columns[columnOf(shape)].id !== slots.column) return false;
  if (slots.row !== undefined && spec.rows[rowOf(shape)].id !== slots.row) return false;
  return true;
}

/** Whether a stands in `relation` to b on the 3 × 3 grid. */
export function related(a: SceneShape, b: SceneShape, relation: string): boolean {
  switch (relation) {
    case 'left-of': return columnOf(a) < columnOf(b);
    case 'right-of': return columnOf(a) > columnOf(b);
    case 'above': return rowOf(a) < rowOf(b);
    case 'below': return rowOf(a) > rowOf(b);
    default: throw new Error(`Unknown relation "${relation}"`);
  }
}

/** Whether the caption is a true description of the scene. */
export function holds(meaning: Meaning, scene: Scene): boolean {
  const { slots, template } = meaning;
  const shapes = scene.shapes;
  switch (template.id) {
    case 'count': return shapes.filter((s) => s.kind === slots.plural).length === 2;
    case 'two-shapes': return shapes.length === 2;
    case 'and':
    case 'relation':
      return shapes.some((a, i) => shapes.some((b, j) => i !== j && matches(a, slots) && matches(b, slots, true)
        && (template.id === 'and' || related(a, b, slots.relation!))));
    default:
      return shapes.some((s) => matches(s, slots));
  }
}

function fill(template: Template, scene: Scene, random: Random): Meaning {
  const swap = scene.shapes.length === 2 && random() < 0.5;
  const [a, b] = swap ? [scene.shapes[1], scene.shapes[0]] : [scene.shapes[0], scene.shapes[1]];
  const slots: Partial<Record<Slot, string>> = {};
  for (const slot of slotsOf(template)) {
    switch (slot) {
      case 'size': slots.size = sizeOf(a); break;
      case 'colour': slots.colour = a.colour; break;
      case 'shape': case 'plural': slots[slot] = a.kind; break;
      case 'cell': slots.cell = `${rowOf(a)}${columnOf(a)}`; break;
      case 'column': slots.column = spec.columns[columnOf(a)].id; break;
      case 'row': slots.row = spec.rows[rowOf(a)].id; break;
      case 'colour2': slots.colour2 = b.colour; break;
      case 'shape2': slots.shape2 = b.kind; break;
      case 'relation': {
        const candidates = spec.relations.map((r) => r.id).filter((r) => related(a, b, r));
        slots.relation = candidates.length > 0 ? candidates[Math.floor(random() * candidates.length) % candidates.length] : 'left-of';
        break;
      }
    }
  }
  return { id: meaningId(template, slots), template, slots };
}

/** The most specific caption of a scene: its one shape in full, or two shapes and their relation. */
export function fullCaption(scene: Scene): Meaning {
  if (scene.shapes.length === 1) {
    return meanings[indexOfMeaning(fill(spec.templates.one[0], scene, () => 0).id)];
  }
  return meanings[indexOfMeaning(fill(spec.templates.two[0], scene, () => 0).id)];
}

/**
 * A random true caption of the scene, as the forge samples them for training.
 * Templates that cannot be said of this scene (a column phrase for a centred shape,
 * "two circles" for a circle and a square) are skipped.
 */
export function sampleCaption(scene: Scene, random: Random): Meaning {
  for (let attempt = 0; attempt < 20; attempt++) {
    const useTwo = scene.shapes.length === 2 && random() < 0.6;
    const single = scene.shapes.length === 1 ? scene : { ...scene, shapes: [pick(random, scene.shapes)] };
    const template = pickWeighted(random, useTwo ? spec.templates.two : spec.templates.one);
    const candidate = fill(template, useTwo ? scene : single, random);
    const index = meaningIndex.get(candidate.id);
    if (index !== undefined && holds(meanings[index], scene)) return meanings[index];
  }
  return fullCaption(scene);
}
