/**
 * What each lab keeps in its link: one schema per route (see fields.ts for the kinds of
 * values). Keys absent from a link keep what the page has; every key is written back, an unset
 * choice as a word (`scale=learned`, `patch=none`), so Back and Forward restore exactly.
 * Images are named by their position among the shared inputs a link carries (uploads left out),
 * counted from 0.
 *
 * `linkTo('masking', { caption: 'a blue circle', patches: '…' })` builds a link to a view, type-checked.
 */
import { formatHash } from './codec';
import { bits, decimal, integer, list, oneOf, orWord, text, writeState, type Field, type Schema, type StateOf } from './fields';
import { INPUT_FIELDS, MAX_LINKED_IMAGES } from './inputs';
import { modelId, precision } from './model';
import { ARCHITECTURES } from '../budget/registry';

/** A model: a bundled id (`shapes-siglip`) or a hub repo (`owner/name`). Which ones a lab runs, it checks. */

/** An image of the shared inputs, by position. */
const imageAt = integer(0, MAX_LINKED_IMAGES - 1);
/** A layer or head (a mean over them when 'mean'): checked against the model when it answers. */
const pick = orWord(integer(0, 63), ['mean'] as const);
const seed = integer(0, 2 ** 31 - 1);
const decoding = {
  decoding: oneOf(['greedy', 'sample'] as const),
  temperature: decimal(0.1, 2, { continuous: true }),
  topk: integer(1, 40),
  seed,
};

/** `<image>-<caption>`: the caption an image is paired with for the loss, or `<image>-none`. */
export const pairing: Field<{ image: number; caption: number | null }> = {
  expects: 'an image and a caption position (0-2), or an image and none (1-none)',
  parse(raw) {
    const match = /^(\d{1,3})-(\d{1,3}|none)$/.exec(raw);
    if (!match) return undefined;
    return { image: Number(match[1]), caption: match[2] === 'none' ? null : Number(match[2]) };
  },
  format: (p) => `${p.image}-${p.caption ?? 'none'}`,
};

/** The explorer's size (as typed: it checks it), row and every family's knobs by their own names (longestEdge, maxTiles, …). */
const BUDGET_FIELDS: { readonly w: Field<string>; readonly h: Field<string>; readonly arch: Field<string>; readonly [knob: string]: Field<string> | Field<number> } = {
  w: text(12),
  h: text(12),
  arch: oneOf(ARCHITECTURES.map((a) => a.id)),
  ...Object.fromEntries(ARCHITECTURES.flatMap((a) => a.knobs.map((k) => [k.id, decimal(k.min, k.max, { continuous: true })]))),
};

/** `<cell>:<code>`: one cell of the Token lab's grid set to a code other than the encoder's. */
export const cellCode: Field<{ cell: number; code: number }> = {
  expects: 'a cell and a code (12:87)',
  parse(raw) {
    const match = /^(\d{1,4}):(\d{1,5})$/.exec(raw);
    return match ? { cell: Number(match[1]), code: Number(match[2]) } : undefined;
  },
  format: (e) => `${e.cell}:${e.code}`,
};

export const LAB_FIELDS = {
  contrastive: {
    model: modelId,
    dtype: precision,
    mode: oneOf(['cosine', 'logits', 'softmax-rows', 'softmax-columns', 'sigmoid'] as const),
    scale: orWord(decimal(1, 200, { continuous: true }), ['learned'] as const),
    pair: list(pairing, MAX_LINKED_IMAGES),
  },
  llip: {
    image: imageAt,
    head: pick,
    layer: oneOf(['last', 'mean'] as const),
  },
  masking: {
    image: imageAt,
    caption: text(200),
    patches: bits(1024, { continuous: true }),
    words: bits(64),
    ratio: decimal(0, 1, { continuous: true }),
    seed,
    patch: orWord(integer(0, 1023), ['none'] as const),
    token: orWord(integer(0, 63), ['none'] as const),
    layer: pick,
    head: pick,
  },
  generative: {
    image: imageAt,
    ...decoding,
    prefix: text(120),
    token: integer(0, 63),
    layer: pick,
    head: pick,
  },
  backbone: {
    model: modelId,
    dtype: precision,
    image: imageAt,
    question: text(600),
    ...decoding,
    token: integer(0, 255),
    layer: pick,
    head: pick,
  },
  tokens: {
    image: imageAt,
    edit: list(cellCode, 1024),
    draw: text(200),
    ...decoding,
    /** The drawing's classifier-free guidance scale (1: plain decoding). */
    guidance: decimal(0, 8, { continuous: true }),
  },
  budget: BUDGET_FIELDS,
} as const satisfies Record<string, Schema>;

export type LabRoute = keyof typeof LAB_FIELDS;
/** The labs that read the shared images and captions (their links carry `img` and `cap`). */
export const READS_INPUTS: readonly string[] = ['contrastive', 'llip', 'masking', 'generative', 'backbone', 'tokens'];

/**
 * A link to a lab in a given state; keys left out keep what the page has when it is followed.
 * @example linkTo('contrastive', { mode: 'cosine' }, { cap: ['a red circle'] }) // '#contrastive?mode=cosine&cap=a+red+circle'
 */
export function linkTo<R extends LabRoute>(route: R, state: StateOf<(typeof LAB_FIELDS)[R]>, inputs: StateOf<typeof INPUT_FIELDS> = {}): string {
  const own = writeState(LAB_FIELDS[route], state);
  const shared = READS_INPUTS.includes(route) ? writeState(INPUT_FIELDS, inputs) : [];
  return formatHash(route, [...own, ...shared]);
}

