/**
 * What each lab keeps in its link: one schema per route (see fields.ts for the kinds of
 * values). Keys absent from a link keep what the page has; every key is written back, an unset
 * choice as a word (`scale=learned`, `patch=none`), so Back and Forward restore exactly.
 * Images are named by their position among the shared inputs a link carries (uploads left out),
 * counted from 0.
 *
 * `linkTo('masking', { caption: 'a blue circle', patches: '…' })` builds a link to a view, type-checked.
 */
import { formatHash, parseHash } from './codec';
import { bits, decimal, integer, list, oneOf, orWord, readState, text, writeState, type Field, type Schema, type StateOf } from './fields';
import { INPUT_FIELDS, MAX_LINKED_IMAGES } from './inputs';
import type { Dtype } from '../runtime/protocol';

/** A model: a bundled id (`shapes-siglip`) or a hub repo (`owner/name`). Which ones a lab runs, it checks. */
export const modelId: Field<string> = {
  expects: 'a model id (shapes-clip, or owner/name on the hub)',
  parse: (raw) => (/^[A-Za-z0-9][\w.-]{0,95}(\/[A-Za-z0-9][\w.-]{0,95})?$/.test(raw) ? raw : undefined),
  format: (value) => value,
};
export const precision = oneOf(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'] as const);

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
  budget: {
    w: text(12),
    h: text(12),
    arch: text(40, { continuous: false }),
  },
} as const satisfies Record<string, Schema>;

export type LabRoute = keyof typeof LAB_FIELDS;
/** The labs that read the shared images and captions (their links carry `img` and `cap`). */
export const READS_INPUTS: readonly string[] = ['contrastive', 'llip', 'masking', 'generative', 'backbone'];

/**
 * A link to a lab in a given state; keys left out keep what the page has when it is followed.
 * @example linkTo('contrastive', { mode: 'cosine' }, { cap: ['a red circle'] }) // '#contrastive?mode=cosine&cap=a+red+circle'
 */
export function linkTo<R extends LabRoute>(route: R, state: StateOf<(typeof LAB_FIELDS)[R]>, inputs: StateOf<typeof INPUT_FIELDS> = {}): string {
  const own = writeState(LAB_FIELDS[route], state);
  const shared = READS_INPUTS.includes(route) ? writeState(INPUT_FIELDS, inputs) : [];
  return formatHash(route, [...own, ...shared]);
}

/**
 * The model and precision a link gives a route, read before anything mounts (the page starts
 * that model's download first), or null.
 * @example linkedModel('#contrastive?model=shapes-siglip&dtype=fp32', 'contrastive') // { model: 'shapes-siglip', dtype: 'fp32' }
 */
export function linkedModel(hash: string, route: 'contrastive' | 'backbone'): { model: string; dtype?: Dtype } | null {
  const parsed = parseHash(hash);
  if (parsed.route !== route) return null;
  const { state } = readState({ model: modelId, dtype: precision }, parsed.entries.filter(([key]) => key === 'model' || key === 'dtype'));
  return state.model ? { model: state.model, ...(state.dtype ? { dtype: state.dtype } : {}) } : null;
}
