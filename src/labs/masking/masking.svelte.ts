/**
 * The Masking lab's state: one image of the shared inputs, one caption, a patch mask and a
 * word mask, and MaskVLM's answer for them (run again, superseding, at every change).
 */
import { RuntimeError } from '../../lib/runtime/client';
import type { TaskResult, Tokens } from '../../lib/runtime/protocol';
import { randomMask } from '../../lib/masking/patches';
import type { ContrastiveLab, LabImage } from '../contrastive/lab.svelte';
import type { RuntimeState } from '../../state/runtime.svelte';

export type MaskedResult = Extract<TaskResult, { kind: 'masked' }>;

export const TOP_K = 5;

export class MaskingLab {
  imageId = $state<number | null>(null);
  caption = $state('');
  tokens = $state.raw<Tokens | null>(null);
  patchMask = $state.raw<number[]>([]);
  tokenMask = $state.raw<number[]>([]);
  result = $state.raw<MaskedResult | null>(null);
  /** The inputs the shown result belongs to. */
  resultFor = $state.raw<{ imageId: number; caption: string; patchMask: readonly number[]; tokenMask: readonly number[] } | null>(null);
  error = $state<string | null>(null);
  running = $state(false);
  modelMs = $state<number | null>(null);
  /** A word mask from a link, for the caption's next tokenization (it is checked against the tokens then). */
  linkedWords = $state.raw<number[] | null>(null);
  /** Says that part of a link did not fit the model (set by the page's link). */
  onDropped: ((message: string) => void) | null = null;

  private tokenizedFor: { caption: string; generation: number } | null = null;

  constructor(
    readonly lab: ContrastiveLab,
    readonly runtime: RuntimeState,
  ) {}

  get patches(): number {
    const grid = this.runtime.info?.patchGrid ?? 0;
    return grid * grid;
  }

  /** The chosen image, or the first usable one. */
  get image(): LabImage | null {
    return this.lab.images.find((img) => img.id === this.imageId) ?? this.lab.images.find((img) => img.status !== 'error') ?? null;
  }

  setPatchMask(mask: number[]): void {
    this.patchMask = mask;
  }

  togglePatch(index: number, value?: number): void {
    const next = this.patchMask.slice();
    next[index] = value ?? (next[index] ? 0 : 1);
    this.patchMask = next;
  }

  toggleToken(index: number): void {
    if (!this.tokens || this.tokens.special[index]) return;
    const next = this.tokenMask.slice();
    next[index] = next[index] ? 0 : 1;
    this.tokenMask = next;
  }

  randomise(ratio: number, seed: number): void {
    this.patchMask = randomMask(this.patches, ratio, seed);
  }

  /** Tokenizes a new caption (keeping the word mask where the words line up), then runs the model. */
  async refresh(): Promise<void> {
    if (this.runtime.status !== 'ready') return;
    const image = this.image;
    const caption = this.caption.trim();
    if (!image || !caption) {
      this.result = null;
      return;
    }
    if (this.patchMask.length !== this.patches) {
      if (this.patchMask.length > 0) this.onDropped?.(`patches: ${this.patchMask.length} values for a model of ${this.patches} patches; no patch is masked.`);
      this.patchMask = randomMask(this.patches, 0, 0);
    }
    const generation = this.runtime.generation;
    try {
      if (!this.tokenizedFor || this.tokenizedFor.caption !== caption || this.tokenizedFor.generation !== generation) {
        const { result } = await this.runtime.client.run({ kind: 'tokenize', texts: [caption] }, 'masking-tokenize');
        const tokens = result.tokens[0];
        const previous = this.tokens;
        // Same number of tokens (say "red" became "blue"): the masks stay where they were. A
        // link's word mask is for this caption: used when it fits its tokens.
        const linked = this.linkedWords;
        this.linkedWords = null;
        if (linked && linked.length !== tokens.ids.length) this.onDropped?.(`words: ${linked.length} values for a caption of ${tokens.ids.length} tokens; no word is masked.`);
        const kept = linked?.length === tokens.ids.length ? linked : previous && previous.ids.length === tokens.ids.length ? this.tokenMask : null;
        this.tokenMask = kept ? kept.map((m, k) => (tokens.special[k] ? 0 : m)) : tokens.ids.map(() => 0);
        this.tokens = tokens;
        this.tokenizedFor = { caption, generation };
      }
      this.running = true;
      const patchMask = this.patchMask;
      const tokenMask = this.tokenMask;
      const { result, timing } = await this.runtime.client.run(
        { kind: 'masked', image: this.lab.toInput(image), text: caption, patchMask, tokenMask, topK: TOP_K },
        'masked',
      );
      this.result = result;
      this.resultFor = { imageId: image.id, caption, patchMask, tokenMask };
      this.modelMs = timing.modelMs;
      this.error = null;
      this.running = false;
    } catch (error) {
      if (error instanceof RuntimeError && (error.code === 'superseded' || error.code === 'cancelled')) return;
      this.running = false;
      // What was shown stays: the message says why the new inputs gave nothing.
      this.error = error instanceof Error ? error.message : String(error);
    }
  }
}
