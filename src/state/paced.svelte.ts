import { untrack } from 'svelte';

/**
 * A value that follows `read`, but a change `deferrable` accepts (one of a rapid series, say a
 * dragged scene's row getting new numbers at every answer) is shown in a task of its own, at
 * most once per `intervalMs`, the newest value winning. While a shape is dragged the matrix row
 * is what the person watches: a figure that redraws every point (the embedding map) then
 * follows a few times a second instead of adding its work to every answer's task and frame.
 * Any other change shows at once, in the same update as everything else.
 * Create it while a component initialises (it owns an effect).
 */
export class Paced<T> {
  #held = $state.raw<T>() as T;
  #applied = -Infinity;
  readonly #read: () => T;
  readonly #deferrable: (shown: T, next: T) => boolean;
  /** `read`'s value, or while a deferrable change waits, the one shown before it. */
  readonly current: T = $derived.by(() => {
    const live = this.#read();
    return live !== this.#held && this.#deferrable(this.#held, live) ? this.#held : live;
  });

  /** `read` returns the same object until its value changes (a $derived's). */
  constructor(read: () => T, intervalMs: number, deferrable: (shown: T, next: T) => boolean) {
    this.#read = read;
    this.#deferrable = deferrable;
    this.#held = untrack(read);
    $effect(() => {
      const live = read();
      if (live === untrack(() => this.#held)) return;
      if (this.current === live) return void this.#hold(live);
      const timer = setTimeout(() => this.#hold(live), Math.max(0, this.#applied + intervalMs - performance.now()));
      return () => clearTimeout(timer);
    });
  }

  #hold(value: T): void {
    this.#held = value;
    this.#applied = performance.now();
  }
}
