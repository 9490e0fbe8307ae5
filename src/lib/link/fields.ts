/**
 * The kinds of values a link carries, each with its own check. A link's state is data: a field
 * reads a number, a word from a closed list or a plain string, never markup or code (text is
 * shown as text by the views, so a caption `<b>x</b>` shows those characters).
 *
 * A schema is a record of fields; `readState` checks a link's entries against it and says, in
 * words, what it dropped; `writeState` writes the values back in the schema's key order.
 */
import type { LinkEntries } from './codec';

export interface Field<T> {
  /** The value, or undefined when the text is not one this field accepts. */
  parse(raw: string): T | undefined;
  format(value: T): string;
  /** What the field accepts, for messages ("a whole number from 0 to 63"). */
  readonly expects: string;
  /** Many entries of the same key, read in order as a list. */
  readonly repeated?: boolean;
  /**
   * Changes that come in runs (typing, dragging, a slider): successive changes of this key
   * replace the current history entry instead of adding one.
   */
  readonly continuous?: boolean;
}

export type Schema = Readonly<Record<string, Field<any>>>;
export type StateOf<S extends Schema> = { [K in keyof S]?: S[K] extends Field<infer T> ? T : never };

/** Numbers are written in the shortest form that reads back as the same double. */
const formatNumber = (value: number) => String(value);

/** A whole number in [min, max]. */
export function integer(min: number, max: number): Field<number> {
  return {
    expects: `a whole number from ${min} to ${max}`,
    parse: (raw) => {
      if (!/^-?\d{1,15}$/.test(raw.trim())) return undefined;
      const value = Number(raw);
      return value >= min && value <= max ? value : undefined;
    },
    format: formatNumber,
  };
}

/** A finite number in [min, max]. */
export function decimal(min: number, max: number, options: { continuous?: boolean } = {}): Field<number> {
  return {
    expects: `a number from ${min} to ${max}`,
    continuous: options.continuous,
    parse: (raw) => {
      if (!/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(raw.trim())) return undefined;
      const value = Number(raw);
      return Number.isFinite(value) && value >= min && value <= max ? value : undefined;
    },
    format: formatNumber,
  };
}

/** One word of a closed list. */
export function oneOf<T extends string>(values: readonly T[]): Field<T> {
  return {
    expects: `one of ${values.join(', ')}`,
    parse: (raw) => (values as readonly string[]).includes(raw) ? (raw as T) : undefined,
    format: (value) => value,
  };
}

/**
 * A field's value or one of some words: `orWord(integer(0, 63), ['mean'])` reads a layer or
 * 'mean'; `orWord(decimal(1, 200), ['learned'])` a scale or the model's own.
 */
export function orWord<T, W extends string>(field: Field<T>, words: readonly W[]): Field<T | W> {
  return {
    expects: `${words.join(', ')} or ${field.expects}`,
    continuous: field.continuous,
    parse: (raw) => (words as readonly string[]).includes(raw) ? (raw as W) : field.parse(raw),
    format: (value) => (words as readonly unknown[]).includes(value) ? String(value) : field.format(value as T),
  };
}

/**
 * Plain text of at most `max` characters (control characters refused). `continuous`: typed.
 */
export function text(max: number, options: { continuous?: boolean } = { continuous: true }): Field<string> {
  return {
    expects: `text of at most ${max} characters`,
    continuous: options.continuous,
    // eslint-disable-next-line no-control-regex
    parse: (raw) => (raw.length <= max && !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(raw) ? raw : undefined),
    format: (value) => value,
  };
}

/** A string of 0s and 1s (a mask over patches or tokens), at most `max` long. */
export function bits(max: number, options: { continuous?: boolean } = {}): Field<number[]> {
  return {
    expects: `0s and 1s, at most ${max}`,
    continuous: options.continuous,
    parse: (raw) => (raw.length <= max && /^[01]*$/.test(raw) ? [...raw].map(Number) : undefined),
    format: (value) => value.map((v) => (v ? '1' : '0')).join(''),
  };
}

/** A list: the key repeated, each entry read by `item`; entries past `max` are dropped. */
export function list<T>(item: Field<T>, max: number, options: { continuous?: boolean } = {}): Field<T[]> & { readonly item: Field<T>; readonly max: number } {
  return {
    expects: `up to ${max} entries, each ${item.expects}`,
    repeated: true,
    continuous: options.continuous ?? item.continuous,
    item,
    max,
    // Read and written entry by entry (readState, writeState).
    parse: () => undefined,
    format: () => '',
  } as Field<T[]> & { readonly item: Field<T>; readonly max: number };
}

const isList = (field: Field<unknown>): field is Field<unknown[]> & { item: Field<unknown>; max: number } => field.repeated === true;

/** Shortens a value for a message, and shows it as text. */
export function quote(raw: string): string {
  const short = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return `“${short}”`;
}

export interface ReadResult<S extends Schema> {
  readonly state: StateOf<S>;
  /** One sentence per entry that was not used. */
  readonly dropped: readonly string[];
}

/**
 * Checks entries against a schema. Unknown keys, bad values and surplus list entries are
 * dropped, each with a sentence saying why; everything else is kept.
 * @example readState({ seed: integer(0, 9) }, [['seed', '3'], ['x', '1']])
 * // { state: { seed: 3 }, dropped: ['x: not a setting of this view, ignored.'] }
 */
export function readState<S extends Schema>(schema: S, entries: LinkEntries, place = 'this view'): ReadResult<S> {
  const state: Record<string, unknown> = {};
  const dropped: string[] = [];
  const seen = new Set<string>();
  const overflowing = new Set<string>();
  for (const [key, raw] of entries) {
    const field = Object.hasOwn(schema, key) ? schema[key] : undefined;
    if (!field) {
      dropped.push(`${key}: not a setting of ${place}, ignored.`);
      continue;
    }
    if (isList(field)) {
      const items = (state[key] as unknown[] | undefined) ?? [];
      state[key] = items;
      if (items.length >= field.max) {
        if (!overflowing.has(key)) dropped.push(`${key}: more than ${field.max} entries; the rest were dropped.`);
        overflowing.add(key);
        continue;
      }
      const value = field.item.parse(raw);
      // A lone empty entry the item cannot read (`img=`) is how an empty list is written.
      if (value === undefined && raw === '' && entries.filter(([k]) => k === key).length === 1) continue;
      if (value === undefined) dropped.push(`${key}=${quote(raw)}: not ${field.item.expects}, dropped.`);
      else items.push(value);
      continue;
    }
    const value = field.parse(raw);
    if (value === undefined) {
      dropped.push(`${key}=${quote(raw)}: not ${field.expects}, ignored.`);
      continue;
    }
    if (seen.has(key)) dropped.push(`${key}: given more than once; the last one is used.`);
    seen.add(key);
    state[key] = value;
  }
  return { state: state as StateOf<S>, dropped };
}

/** The entries for a state, in the schema's key order; undefined values are left out. */
export function writeState<S extends Schema>(schema: S, state: StateOf<S>): [string, string][] {
  const entries: [string, string][] = [];
  for (const [key, field] of Object.entries(schema)) {
    const value = (state as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (isList(field)) {
      const items = value as unknown[];
      for (const item of items) entries.push([key, field.item.format(item)]);
      if (items.length === 0) entries.push([key, '']);
    }
    else entries.push([key, field.format(value)]);
  }
  return entries;
}
