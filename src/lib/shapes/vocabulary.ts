/**
 * The word vocabulary of the bundled models' tokenizer: every word the caption grammar can
 * produce, after four special tokens. The forge writes it into `tokenizer.json` (a WordPiece
 * model whose pieces are whole words, so tokens are words).
 */
import { spec } from './spec';

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[BOS]', '[EOS]'] as const;
export const PAD_ID = 0;
export const UNK_ID = 1;
export const BOS_ID = 2;
export const EOS_ID = 3;

/** Text positions the bundled text encoders accept, special tokens included. */
export const MAX_TEXT_TOKENS = 16;

function grammarWords(): string[] {
  const phrases: string[] = [
    ...[...spec.templates.one, ...spec.templates.two].map((t) => t.text.replace(/\{\w+\}/g, ' ')),
    ...spec.shapes.flatMap((s) => [...s.words, s.plural]),
    ...spec.colours.flatMap((c) => c.words),
    ...spec.sizes.flatMap((s) => s.words),
    ...spec.columns.flatMap((c) => c.words),
    ...spec.rows.flatMap((r) => r.words),
    ...spec.cells.flat(),
    ...spec.relations.flatMap((r) => r.words),
  ];
  return [...new Set(phrases.flatMap((p) => p.split(/\s+/)).filter((w) => w.length > 0))].sort();
}

export const vocabulary: readonly string[] = [...SPECIAL_TOKENS, ...grammarWords()];

const ids = new Map(vocabulary.map((w, i) => [w, i]));

/**
 * Token ids of a grammar caption, as the bundled tokenizer makes them (BOS … EOS).
 * Used to write training data; the app tokenizes with transformers.js.
 */
export function encodeCaption(text: string): number[] {
  const tokens = text.toLowerCase().split(/\s+/).filter((w) => w.length > 0).map((w) => ids.get(w) ?? UNK_ID);
  return [BOS_ID, ...tokens, EOS_ID];
}
