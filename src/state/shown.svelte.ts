import { untrack } from 'svelte';

/**
 * Whether a lab is on screen. Labs stay mounted once opened and are hidden with the `hidden`
 * attribute (App.svelte), and they all read the Contrastive lab's images and captions: without
 * this, dragging a composed scene would have every hidden lab run its own model at every
 * pointer move, on the same cores as the model the person is watching.
 */
export class Shown {
  /** No ancestor of the watched element carries `hidden`. */
  current = $state(true);

  /** Follows `element` until the returned function is called (an effect's cleanup). */
  watch(element: Element): () => void {
    const update = () => (this.current = element.closest('[hidden]') === null);
    update();
    const observer = new MutationObserver(update);
    observer.observe(document.body, { attributes: true, attributeFilter: ['hidden'], subtree: true });
    return () => observer.disconnect();
  }
}

/** How long the shared inputs must stay still before a hidden lab catches up with them. */
export const HIDDEN_SETTLE_MS = 500;

/**
 * Runs `work` now when the lab is shown; when it is hidden, once the inputs have been still for
 * HIDDEN_SETTLE_MS (call it from an effect that tracks the inputs and return what it returns:
 * each change restarts the wait). A hidden lab still catches up, so whatever reads it while it
 * is hidden (the front door's previews) is current a moment after the inputs stop changing.
 */
export function whenShownOrSettled(shown: Shown, work: () => void): (() => void) | undefined {
  if (shown.current) {
    untrack(work);
    return undefined;
  }
  const timer = setTimeout(work, HIDDEN_SETTLE_MS);
  return () => clearTimeout(timer);
}
