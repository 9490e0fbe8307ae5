/**
 * The page's link: every view's state lives in the URL's hash as it changes, and a followed
 * link (opened, pasted, Back and Forward, a lesson's step) sets the views from it.
 *
 * Labs take part through bindings (see /work/notes or the README's "Links" section):
 *
 *   link.bind('masking', { fields: LAB_FIELDS.masking, read: () => ({ seed }), apply: (state) => { … } })
 *
 * `read` is called inside an effect (what it reads is tracked); `apply` gets a followed link's
 * checked values for the keys whose written form differs from what `read` says now. Keys a
 * link leaves out keep what the page has. Writing: the hash is written 150 ms after the state
 * last changed (Chromium throttles bursts of history calls). A change the person made adds a
 * history entry, except that a key changing in runs (typing, dragging, a slider) replaces the
 * entry while the same key keeps changing; changes the page makes by itself (a model loaded, a
 * value corrected, a followed link completed) replace it. Back and Forward step through what
 * the person did.
 */
import { formatHash, parseHash, type LinkEntries } from '../lib/link/codec';
import { READS_INPUTS } from '../lib/link/labs';
import { quote, readState, writeState, type Field, type Schema, type StateOf } from '../lib/link/fields';

export interface LinkBinding<S extends Schema = Schema> {
  readonly fields: S;
  /** The state now. Called inside an effect: whatever it reads is tracked. */
  read(): StateOf<S>;
  /**
   * A followed link's values, only for the keys whose written value differs from `read()`'s;
   * `all`: every value the link gave this binding (say the precision that goes with a new model).
   */
  apply(state: StateOf<S>, report: (message: string) => void, all: StateOf<S>): void;
  /** A sentence about what the link cannot carry (uploads), or null. Tracked like `read`. */
  note?(): string | null;
}

/** Something a link asks for that the person must confirm first (a download from the hub). */
export interface LinkOffer {
  readonly text: string;
  readonly action: string;
  accept(): void;
  decline(): void;
  /** True once the offer no longer applies (another model was loaded meanwhile). */
  stale(): boolean;
}

/** The history writes are this long after the state last changed. */
const WRITE_DELAY_MS = 150;

type Change = { readonly signature: string; readonly continuous: boolean };

export class LinkState {
  /** What the last followed link dropped, one sentence each (shown until dismissed). */
  notices = $state.raw<readonly string[]>([]);
  /** What followed links ask the person to confirm. */
  offers = $state.raw<readonly LinkOffer[]>([]);
  private labs = $state.raw<ReadonlyMap<string, LinkBinding>>(new Map());
  private inputs = $state.raw<LinkBinding | null>(null);
  private globals = $state.raw<readonly LinkBinding[]>([]);
  /** The route shown (set by the app; may differ from the hash's, say for an unknown route). */
  private shown: () => string = () => parseHash(location.hash).route;
  /** A followed link's entries for a lab whose view has not bound yet. */
  private pending: { route: string; entries: LinkEntries } | null = null;
  /** The entries written last, by key (lists as their written values joined). */
  private written = new Map<string, string[]>();
  private lastChange: Change | null = null;
  /** The next write replaces the entry (after following a link, or a correction the page made). */
  private settling = true;
  /** A change came within a second of the person's input (pointer, key, typing): only those add entries. */
  private acted = false;
  private lastInput = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** The hash read when the first binding came (the link the page opened with). */
  private opened: string | null = null;

  /**
   * Reads the link the page opened with, once, when the first binding comes: the shared inputs
   * apply as soon as they bind, each lab's keys when its view binds.
   */
  private readOpened(): void {
    if (this.opened !== null) return;
    this.opened = location.hash;
    const initial = parseHash(location.hash);
    if (initial.entries.length > 0) this.pending = { route: initial.route, entries: initial.entries };
  }

  /**
   * The hash for the view shown, from every binding's state; null while that view has no
   * binding (a route without state, or a lab still mounting).
   */
  readonly hash = $derived.by((): string | null => {
    const route = this.shown();
    const lab = this.labs.get(route);
    if (!lab) return null;
    return formatHash(route, this.entriesFor(route, lab));
  });

  /** Sentences about what the shown view's link leaves out. */
  readonly notes = $derived.by((): string[] => {
    const route = this.shown();
    const lab = this.labs.get(route);
    if (!lab) return [];
    const bindings = [...this.globals, ...(this.inputs && this.readsInputs(route) ? [this.inputs] : []), lab];
    return bindings.map((b) => b.note?.() ?? null).filter((n): n is string => n !== null);
  });

  /**
   * Starts following the hash: `shown` is the route the app shows, `known` says which routes
   * exist. Returns the cleanup.
   */
  start(options: { shown: () => string; known: (route: string) => boolean }): () => void {
    this.shown = options.shown;
    this.readOpened();
    // The page may have moved to another link while it was being built (a lesson's first step).
    if (location.hash !== this.opened) this.follow(location.hash, true);
    const initial = parseHash(location.hash);
    if (initial.route !== '' && !options.known(initial.route)) this.report(`There is no view named ${quote(initial.route)}; the link opened the first page instead.`);
    const follow = () => this.follow(location.hash, false);
    window.addEventListener('hashchange', follow);
    const act = () => (this.lastInput = performance.now());
    const acts = ['pointerdown', 'keydown', 'input', 'change', 'drop', 'paste'] as const;
    for (const type of acts) window.addEventListener(type, act, { capture: true, passive: true });
    const stop = $effect.root(() => {
      $effect(() => {
        const hash = this.hash;
        if (hash === null) return;
        if (performance.now() - this.lastInput < 1000) this.acted = true;
        clearTimeout(this.timer);
        // The hash as it is when the write happens (a followed link may have moved it since).
        this.timer = setTimeout(() => this.hash !== null && this.write(this.hash), WRITE_DELAY_MS);
      });
    });
    return () => {
      window.removeEventListener('hashchange', follow);
      for (const type of acts) window.removeEventListener(type, act, { capture: true });
      clearTimeout(this.timer);
      stop();
    };
  }

  /** A lab's binding, for its route; returns the unbinding. */
  bind<S extends Schema>(route: string, binding: LinkBinding<S>): () => void {
    this.readOpened();
    this.labs = new Map([...this.labs, [route, binding as unknown as LinkBinding]]);
    if (this.pending?.route === route) this.applyPending();
    return () => {
      const next = new Map(this.labs);
      if (next.get(route) === (binding as unknown as LinkBinding)) next.delete(route);
      this.labs = next;
    };
  }

  /** The shared images and captions, carried by every route that reads them. */
  bindInputs<S extends Schema>(binding: LinkBinding<S>): void {
    this.readOpened();
    this.inputs = binding as unknown as LinkBinding;
    const pending = this.pending;
    if (pending && this.readsInputs(pending.route)) {
      const mine = pending.entries.filter(([key]) => Object.hasOwn(binding.fields, key));
      this.applyTo(this.inputs, mine, `the shared inputs`);
      this.pending = { route: pending.route, entries: pending.entries.filter(([key]) => !Object.hasOwn(binding.fields, key)) };
    }
  }

  /** Keys every route carries (a lesson and its step, presenter mode). Bind before the labs mount. */
  bindGlobal<S extends Schema>(binding: LinkBinding<S>): void {
    this.globals = [...this.globals, binding as unknown as LinkBinding];
  }

  /** Follows a link (a lesson's step, a link in the page): a new history entry, then the views follow. */
  go(hash: string): void {
    if (hash === location.hash) return this.follow(hash, true);
    location.hash = hash; // the hashchange follows it
  }

  /** The next history write replaces the entry: for corrections the page makes on its own. */
  settle(): void {
    this.settling = true;
  }

  /** Says something about the link after it was followed (a value that did not fit the model); once while it shows. */
  report(message: string): void {
    if (this.notices.includes(message)) return;
    this.notices = [...this.notices, message];
  }

  dismiss(): void {
    this.notices = [];
  }

  /** Asks the person to confirm part of a link; withdrawn by `withdraw` (or by accepting or declining it). */
  offer(offer: LinkOffer): void {
    this.offers = [...this.offers, offer];
  }

  withdraw(offer: LinkOffer): void {
    this.offers = this.offers.filter((o) => o !== offer);
  }

  /** The full address of the view shown, for copying. */
  href(): string {
    const hash = this.hash ?? location.hash;
    return `${location.origin}${location.pathname}${location.search}${hash}`;
  }

  // ---- following ----

  private follow(hash: string, explicit: boolean): void {
    const { route, entries } = parseHash(hash);
    // A write still waiting belongs to the entry the browser just left.
    clearTimeout(this.timer);
    this.settling = true;
    // A bare route (a tab of the page) keeps the state; its full link is written back.
    if (entries.length === 0) return;
    // The page writes its own links back: one that already says what the page shows changes nothing.
    if (!explicit && hash === this.hash) return;
    this.notices = [];
    this.pending = { route, entries };
    const inputs = this.inputs;
    if (inputs && this.readsInputs(route)) {
      const mine = entries.filter(([key]) => Object.hasOwn(inputs.fields, key));
      this.applyTo(inputs, mine, 'the shared inputs');
      this.pending = { route, entries: entries.filter(([key]) => !Object.hasOwn(inputs.fields, key)) };
    }
    if (this.labs.has(route)) this.applyPending();
  }

  private readsInputs(route: string): boolean {
    return READS_INPUTS.includes(route);
  }

  private applyPending(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    const lab = this.labs.get(pending.route)!;
    const globalKeys = new Set(this.globals.flatMap((g) => Object.keys(g.fields)));
    for (const global of this.globals) this.applyTo(global, pending.entries.filter(([key]) => Object.hasOwn(global.fields, key)), 'this page');
    const rest = pending.entries.filter(([key]) => !globalKeys.has(key));
    const inputKeys = this.inputs ? Object.keys(this.inputs.fields) : [];
    // Shared inputs in a link to a view that does not read them.
    const misplaced = rest.filter(([key]) => inputKeys.includes(key) && !Object.hasOwn(lab.fields, key));
    if (misplaced.length > 0) this.report(`${[...new Set(misplaced.map(([k]) => k))].join(', ')}: this view does not read the shared images and captions, ignored.`);
    this.applyTo(lab, rest.filter(([key]) => !inputKeys.includes(key) || Object.hasOwn(lab.fields, key)), `this view`);
  }

  private applyTo(binding: LinkBinding, entries: LinkEntries, place: string): void {
    const { state, dropped } = readState(binding.fields, entries, place);
    for (const message of dropped) this.report(message);
    try {
      const now = $state.snapshot(binding.read()) as Record<string, unknown>;
      const changed: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(state)) {
        const field = binding.fields[key];
        if (formatted(field, value) !== formatted(field, now[key])) changed[key] = value;
      }
      if (Object.keys(changed).length === 0) return;
      binding.apply(changed as StateOf<Schema>, (message) => this.report(message), state);
    } catch (error) {
      // A value that passed its field but not the view: said, and the page goes on.
      this.report(`Part of this link could not be applied: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  // ---- writing ----

  private entriesFor(route: string, lab: LinkBinding): [string, string][] {
    const entries: [string, string][] = [];
    for (const global of this.globals) entries.push(...writeState(global.fields, global.read()));
    entries.push(...writeState(lab.fields, lab.read()));
    if (this.inputs && this.readsInputs(route)) entries.push(...writeState(this.inputs.fields, this.inputs.read()));
    return entries;
  }

  private write(hash: string): void {
    if (hash === location.hash) {
      this.remember(hash);
      this.settling = false;
      this.acted = false;
      return;
    }
    const change = this.changeFrom(hash);
    const run = change.continuous && this.lastChange?.continuous === true && this.lastChange.signature === change.signature;
    // Changes the page made by itself (a model answered, a value was corrected) join the entry.
    const own = this.settling || !this.acted;
    if (own || run) history.replaceState(history.state, '', hash);
    else history.pushState(history.state, '', hash);
    if (!own) this.lastChange = change;
    else if (this.settling) this.lastChange = null;
    this.settling = false;
    this.acted = false;
    this.remember(hash);
  }

  private remember(hash: string): void {
    this.written = groupByKey(parseHash(hash).entries);
  }

  /** Which keys (and list entries) changed since the last write, and whether all of them change in runs. */
  private changeFrom(hash: string): Change {
    const { route, entries } = parseHash(hash);
    const next = groupByKey(entries);
    const fields = this.fieldsFor(route);
    const parts: string[] = [];
    let continuous = true;
    for (const key of new Set([...next.keys(), ...this.written.keys()])) {
      const a = this.written.get(key) ?? [];
      const b = next.get(key) ?? [];
      if (a.join('\n') === b.join('\n')) continue;
      const field = fields.get(key);
      if (!field?.continuous) continuous = false;
      if (field?.repeated) {
        // A list: a run is one entry changing (a caption typed, a scene dragged), not the list growing.
        if (a.length !== b.length) {
          continuous = false;
          parts.push(`${key}#${b.length}`);
        } else {
          b.forEach((v, k) => v !== a[k] && parts.push(`${key}[${k}]`));
        }
      } else {
        parts.push(key);
      }
    }
    return { signature: `${route}:${parts.join(',')}`, continuous };
  }

  private fieldsFor(route: string): Map<string, Field<unknown>> {
    const bindings = [...this.globals, ...(this.inputs && this.readsInputs(route) ? [this.inputs] : []), ...(this.labs.has(route) ? [this.labs.get(route)!] : [])];
    return new Map(bindings.flatMap((b) => Object.entries(b.fields)));
  }
}

function groupByKey(entries: LinkEntries): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, value] of entries) out.set(key, [...(out.get(key) ?? []), value]);
  return out;
}

function formatted(field: Field<unknown>, value: unknown): string {
  if (value === undefined) return '\u0000';
  if (field.repeated) {
    const item = (field as unknown as { item: Field<unknown> }).item;
    return (value as unknown[]).map((v) => item.format(v)).join('\n');
  }
  return field.format(value);
}

/** The page's one link. */
export const link = new LinkState();
