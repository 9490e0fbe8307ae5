/**
 * The link's syntax: `#<route>?<key>=<value>&<key>=<value>…`, a route (a lab, the front door,
 * a lesson) and its state as key/value pairs. A key may repeat (`cap=a+red+circle&cap=a+blue+square`):
 * repeated keys are lists, in order. Reading goes through `URLSearchParams`, which never throws:
 * a bad percent sequence stays as typed, a value it cannot read is then refused by its field.
 * Writing escapes only what would change the reading, so links stay readable (`+` for spaces,
 * `,` `:` `;` `/` `@` as they are).
 */

export type LinkEntries = readonly (readonly [string, string])[];

export interface ParsedHash {
  /** The part before `?`, lower-cased; '' for an empty hash. */
  readonly route: string;
  readonly entries: LinkEntries;
}

/** Hashes longer than this are cut before reading (a link is typed or pasted, never megabytes). */
export const MAX_HASH_CHARACTERS = 16_384;

/**
 * @example parseHash('#masking?cap=a+red+circle&seed=3')
 * // { route: 'masking', entries: [['cap', 'a red circle'], ['seed', '3']] }
 */
export function parseHash(hash: string): ParsedHash {
  const text = hash.replace(/^#/, '').slice(0, MAX_HASH_CHARACTERS);
  const at = text.indexOf('?');
  const route = (at < 0 ? text : text.slice(0, at)).toLowerCase();
  const query = at < 0 ? '' : text.slice(at + 1);
  return { route: safeDecode(route), entries: [...new URLSearchParams(query)] };
}

/** A value or key written so that `URLSearchParams` reads it back as it was. */
export function encodeValue(value: string): string {
  return encodeURIComponent(value)
    .replace(/%20/g, '+')
    .replace(/%(2C|3A|3B|2F|40)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * @example formatHash('masking', [['cap', 'a red circle'], ['seed', '3']]) // '#masking?cap=a+red+circle&seed=3'
 */
export function formatHash(route: string, entries: LinkEntries): string {
  const query = entries.map(([key, value]) => `${encodeValue(key)}=${encodeValue(value)}`).join('&');
  return `#${route}${query ? `?${query}` : ''}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
