/**
 * Questions about a ShapesWorld scene and their true answers, in the forms people type them:
 * colour, shape, size, position, counting, existence (yes and no), relations between two shapes,
 * and "Describe the image". The instruction data of shapes-smolvlm, its text-only pretraining
 * (shapes-lm) and its evaluation all come from here, so what the model was taught and what it
 * is graded on are the same grammar.
 *
 * A question names a shape only by what picks it out in the scene: "the circle" when there is one
 * circle, "the red circle" when there are two circles of which one is red, "the red one" when
 * one shape is red. Answers are short and end with a full stop ("red.", "a circle.", "yes.").
 */
import { spec } from './spec';
import { columnOf, rowOf, sizeOf, type Scene, type SceneShape } from './scene';
import { pick, type Random } from './random';
import { related } from './captions';

export type QuestionKind = 'colour' | 'shape' | 'size' | 'position' | 'count' | 'exists' | 'relation' | 'describe';
export const QUESTION_KINDS: readonly QuestionKind[] = ['colour', 'shape', 'size', 'position', 'count', 'exists', 'relation', 'describe'];

export interface QuestionAnswer {
  readonly kind: QuestionKind;
  readonly question: string;
  readonly answer: string;
}

const NUMBERS = ['none', 'one', 'two', 'three', 'four'];

const colourWord = (id: string) => spec.colours.find((c) => c.id === id)!.words[0];
const shapeWord = (id: string) => spec.shapes.find((s) => s.id === id)!.words[0];
const pluralWord = (id: string) => spec.shapes.find((s) => s.id === id)!.plural;
const sizeWord = (id: string) => spec.sizes.find((s) => s.id === id)!.words[0];
const cellPhrase = (shape: SceneShape) => spec.cells[rowOf(shape)][columnOf(shape)];

/** "a large red circle at the top left": one shape in full. */
export function describeShape(shape: SceneShape): string {
  return `a ${sizeWord(sizeOf(shape))} ${colourWord(shape.colour)} ${shapeWord(shape.kind)} ${cellPhrase(shape)}`;
}

/** Shapes in reading order: by row, then by column (each shape has a cell of its own). */
export function readingOrder(scene: Scene): SceneShape[] {
  return [...scene.shapes].sort((a, b) => rowOf(a) - rowOf(b) || columnOf(a) - columnOf(b) || a.cx - b.cx);
}

/** The whole scene in one sentence, shapes in reading order: "a … and a …." */
export function describeScene(scene: Scene): string {
  const parts = readingOrder(scene).map(describeShape);
  const text = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0];
  return `${text}.`;
}

/** How a question may name the shape: the phrases that pick out exactly this shape in the scene. */
export function referringPhrases(shape: SceneShape, scene: Scene): string[] {
  const same = (f: (s: SceneShape) => boolean) => scene.shapes.filter(f).length === 1;
  const phrases: string[] = [];
  if (same((s) => s.kind === shape.kind)) phrases.push(`the ${shapeWord(shape.kind)}`);
  if (same((s) => s.kind === shape.kind && s.colour === shape.colour)) phrases.push(`the ${colourWord(shape.colour)} ${shapeWord(shape.kind)}`);
  if (same((s) => s.colour === shape.colour)) phrases.push(`the ${colourWord(shape.colour)} one`);
  if (scene.shapes.length === 1) phrases.push('the shape');
  return phrases;
}

/** People's spellings and punctuation: "colour" or "color", a question mark or none, a capital or none. */
function typed(random: Random, text: string): string {
  let t = random() < 0.5 ? text.replace(/colour/g, 'color') : text;
  if (random() < 0.25) t = t.replace(/[?.]$/, '');
  if (random() < 0.3) t = t[0].toLowerCase() + t.slice(1);
  return t;
}

const fill = (template: string, values: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_, k: string) => values[k]);

/** Question templates of each kind; {it} is a referring phrase. */
export const QUESTION_TEMPLATES = {
  colour: ['What colour is {it}?', 'Which colour is {it}?', 'What is the colour of {it}?', 'Tell me the colour of {it}.'],
  colourOne: ['What colour is it?', 'What colour is this?', 'What colour is the shape?'],
  shape: ['What shape is {it}?', 'Which shape is {it}?', 'What kind of shape is {it}?'],
  shapeOne: ['What shape is this?', 'What shape is it?', 'What shape is in the image?', 'What is this?', 'What shape do you see?'],
  size: ['Is {it} big or small?', 'Is {it} large or small?', 'How big is {it}?', 'What size is {it}?', 'Is {it} small or large?'],
  position: ['Where is {it}?', 'Where is {it} in the image?', 'Where can you see {it}?'],
  count: ['How many shapes are there?', 'How many shapes are in the image?', 'How many shapes do you see?', 'How many objects are there?', 'Count the shapes.'],
  countKind: ['How many {plural} are there?', 'How many {plural} do you see?', 'How many {plural} are in the image?'],
  exists: ['Is there a {colour} {shape}?', 'Is there a {colour} {shape} in the image?', 'Do you see a {colour} {shape}?', 'Can you see a {colour} {shape}?'],
  existsShape: ['Is there a {shape}?', 'Is there a {shape} in the image?', 'Are there any {plural}?'],
  existsColour: ['Is there anything {colour}?', 'Is there something {colour}?', 'Is anything {colour}?'],
  relation: ['Is {it} {relation} {other}?'],
  describe: ['Describe the image.', 'Describe this image.', 'Describe the picture.', 'What is in the image?', 'What do you see?', 'What is in this picture?'],
} as const;

function shapeQuestion(kind: 'colour' | 'shape' | 'size' | 'position', scene: Scene, random: Random): QuestionAnswer | null {
  // A question never gives its answer away: a colour question names the shape by its kind, a
  // shape question by its colour.
  const usable = (shape: SceneShape) => referringPhrases(shape, scene).filter((p) =>
    kind === 'colour' ? !p.includes(colourWord(shape.colour)) : kind === 'shape' ? p.endsWith(' one') : true);
  const named = scene.shapes.filter((shape) => usable(shape).length > 0);
  if (named.length === 0) return null;
  const shape = pick(random, named);
  const answer = {
    colour: `${colourWord(shape.colour)}.`,
    shape: `a ${shapeWord(shape.kind)}.`,
    size: `${sizeWord(sizeOf(shape))}.`,
    position: `${cellPhrase(shape)}.`,
  }[kind];
  if (scene.shapes.length === 1 && (kind === 'colour' || kind === 'shape') && random() < 0.5) {
    return { kind, question: typed(random, pick(random, QUESTION_TEMPLATES[kind === 'colour' ? 'colourOne' : 'shapeOne'])), answer };
  }
  const it = pick(random, usable(shape));
  return { kind, question: typed(random, fill(pick(random, QUESTION_TEMPLATES[kind]), { it })), answer };
}

function countQuestion(scene: Scene, random: Random): QuestionAnswer {
  if (random() < 0.6) {
    return { kind: 'count', question: typed(random, pick(random, QUESTION_TEMPLATES.count)), answer: `${NUMBERS[scene.shapes.length]}.` };
  }
  const kind = pick(random, spec.shapes).id;
  const n = scene.shapes.filter((s) => s.kind === kind).length;
  return { kind: 'count', question: typed(random, fill(pick(random, QUESTION_TEMPLATES.countKind), { plural: pluralWord(kind) })), answer: `${NUMBERS[n]}.` };
}

/**
 * A yes-or-no question about a colour and shape, a shape or a colour; half the time about one
 * the scene lacks, most often a near miss (a shape of the scene in another colour, or the reverse).
 */
function existsQuestion(scene: Scene, random: Random): QuestionAnswer {
  const form = random();
  const truth = (colour: string, kind: string) => scene.shapes.some((s) =>
    form < 0.7 ? s.colour === colour && s.kind === kind : form < 0.85 ? s.kind === kind : s.colour === colour);
  const present = pick(random, scene.shapes);
  let colour = present.colour;
  let kind = present.kind;
  if (random() < 0.5) {
    // A near miss: the colour, the kind or both of a shape the scene has, changed.
    for (let attempt = 0; attempt < 20; attempt++) {
      const r = random();
      colour = r < 0.6 ? pick(random, spec.colours).id : present.colour;
      kind = r >= 0.4 ? pick(random, spec.shapes).id : present.kind;
      if (!truth(colour, kind)) break;
    }
  }
  const templates = form < 0.7 ? QUESTION_TEMPLATES.exists : form < 0.85 ? QUESTION_TEMPLATES.existsShape : QUESTION_TEMPLATES.existsColour;
  const values = { colour: colourWord(colour), shape: shapeWord(kind), plural: pluralWord(kind) };
  return { kind: 'exists', question: typed(random, fill(pick(random, templates), values)), answer: truth(colour, kind) ? 'yes.' : 'no.' };
}

function relationQuestion(scene: Scene, random: Random): QuestionAnswer | null {
  const named = scene.shapes.filter((s) => referringPhrases(s, scene).length > 0);
  if (named.length < 2) return null;
  const a = pick(random, named);
  const b = pick(random, named.filter((s) => s !== a));
  const wantYes = random() < 0.5;
  const relations = spec.relations.filter((r) => related(a, b, r.id) === wantYes);
  const relation = relations.length > 0 ? pick(random, relations) : pick(random, spec.relations);
  const it = pick(random, referringPhrases(a, scene));
  const other = pick(random, referringPhrases(b, scene));
  const question = fill(pick(random, QUESTION_TEMPLATES.relation), { it, relation: relation.words[0], other });
  return { kind: 'relation', question: typed(random, question), answer: related(a, b, relation.id) ? 'yes.' : 'no.' };
}

/** A random question of `kind` about the scene with its true answer, or null when the scene allows none. */
export function askQuestion(kind: QuestionKind, scene: Scene, random: Random): QuestionAnswer | null {
  switch (kind) {
    case 'colour': case 'shape': case 'size': case 'position': return shapeQuestion(kind, scene, random);
    case 'count': return countQuestion(scene, random);
    case 'exists': return existsQuestion(scene, random);
    case 'relation': return relationQuestion(scene, random);
    case 'describe': return { kind, question: typed(random, pick(random, QUESTION_TEMPLATES.describe)), answer: describeScene(scene) };
  }
}

/** Words people type that the templates do not use, so they are tokens rather than [UNK]. */
const EXTRA_WORDS = [
  'a', 'an', 'and', 'any', 'are', 'can', 'colors', 'colours', 'do', 'does', 'has', 'have', 'here', 'it', 'its', 'me', 'no',
  'object', 'objects', 'of', 'on', 'one', 'or', 'photo', 'picture', 'please', 's', 'see', 'shapes', 'the', 'there', 'these',
  'thing', 'things', 'this', 'what', 'where', 'which', 'yes', 'you', 'image', 'color', 'colour', 'big', 'little', 'large', 'small',
  ...NUMBERS, ...spec.relations.flatMap((r) => r.words), ...spec.cells.flat(),
];

/**
 * Every word the questions, answers and descriptions use, plus words people type around them,
 * lower-cased, sorted; punctuation marks are words of their own (as the tokenizer splits them).
 */
export function instructionWords(): string[] {
  const texts = [
    ...Object.values(QUESTION_TEMPLATES).flat(), ...EXTRA_WORDS, 'user: assistant:',
    ...spec.shapes.flatMap((s) => [...s.words, s.plural]), ...spec.colours.flatMap((c) => c.words),
    ...spec.sizes.flatMap((s) => s.words), ', . ? ! \'',
  ];
  const words = texts.flatMap((t) => t.toLowerCase().replace(/\{\w+\}/g, ' ').replace(/([^\w\s])/g, ' $1 ').split(/\s+/));
  return [...new Set(words.filter((w) => w.length > 0))].sort();
}

/** Questions the goldens answer (and the lab suggests), in the forms people type them. */
export const GOLDEN_QUESTIONS: readonly string[] = [
  'What colour is the circle?',
  'what color is the circle',
  'What shape is this?',
  'How many shapes are there?',
  'Is there a red square?',
  'Is there a blue square?',
  'Where is the triangle?',
  'Describe this image.',
];
