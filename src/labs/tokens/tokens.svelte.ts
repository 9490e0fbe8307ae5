/**
 * The Token lab's state: one image turned into its grid of codes (and the grid as edited), the
 * codebook decoded code by code, and CM3's sequences (a drawing, a caption) as they stream. A
 * new sequence cancels the one in flight; a refused caption or a bad image keeps what is shown.
 */
import { RuntimeError } from '../../lib/runtime/client';
import type { ImageInput, Sampling, SequencePartial, SequenceStep, SequenceToken, TaskResult } from '../../lib/runtime/protocol';
import { centrePatch, drawnCells, toRgb } from '../../lib/tokens/sequence';
import type { RuntimeState } from '../../state/runtime.svelte';

type Encoded = Extract<TaskResult, { kind: 'vq-encode' }>;

const quiet = (e: unknown) => e instanceof RuntimeError && (e.code === 'superseded' || e.code === 'cancelled');
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** One image as codes: what the encoder gave, the grid as edited since, and both decoded. */
export class TokenizedImage {
  encoded = $state.raw<Encoded | null>(null);
  /** The label of the image the codes are of. */
  label = $state('');
  /** The grid as edited (the encoder's codes until a cell is changed). */
  codes = $state.raw<readonly number[]>([]);
  /** The edited grid decoded, `[S, S, 3]` RGB; the reconstruction until a cell is changed. */
  edited = $state.raw<Uint8ClampedArray | null>(null);
  /** The grid `edited` was decoded from: `codes` once the newest edit's decoding has arrived. */
  decodedCodes = $state.raw<readonly number[]>([]);
  error = $state<string | null>(null);

  constructor(private readonly runtime: RuntimeState) {}

  get size(): number {
    return this.runtime.info?.imageSize ?? 32;
  }

  async tokenize(image: ImageInput, label: string): Promise<void> {
    if (this.runtime.status !== 'ready') return;
    try {
      const { result } = await this.runtime.client.run({ kind: 'vq-encode', image }, 'tokenize');
      // The same image encoded to the same codes again (its card redrawn): the edits made to it stay.
      const same = this.encoded !== null && label === this.label && result.codes.every((c, i) => c === this.encoded!.codes[i]);
      if (same && this.codes !== this.encoded!.codes) {
        this.encoded = result;
        this.error = null;
        return;
      }
      this.encoded = result;
      this.label = label;
      this.codes = result.codes;
      this.edited = toRgb(result.reconstruction.data, 0, this.size, result.mean, result.std);
      this.decodedCodes = result.codes;
      this.error = null;
    } catch (e) {
      // The codes shown before stay; the message says why the new image gave none.
      if (!quiet(e)) this.error = message(e);
    }
  }

  /** Sets cells to a code and decodes the grid again (the newest edit wins while one decodes). */
  async setCells(cells: readonly number[], code: number): Promise<void> {
    if (cells.every((c) => this.codes[c] === code)) return;
    const codes = this.codes.map((c, i) => (cells.includes(i) ? code : c));
    this.codes = codes;
    await this.decode(codes);
  }

  /** The cells set to codes other than the encoder's, in cell order. */
  edits(): { cell: number; code: number }[] {
    const base = this.encoded?.codes ?? [];
    return this.codes.flatMap((code, cell) => (cell < base.length && code !== base[cell] ? [{ cell, code }] : []));
  }

  /** The encoder's codes with these cells changed (a followed link), decoded again. */
  async setEdits(edits: readonly { cell: number; code: number }[]): Promise<void> {
    if (!this.encoded) return;
    const codes = [...this.encoded.codes];
    for (const e of edits) codes[e.cell] = e.code;
    if (codes.every((c, i) => c === this.codes[i])) return;
    this.codes = codes;
    await this.decode(codes);
  }

  /** Back to the encoder's codes. */
  async reset(): Promise<void> {
    if (!this.encoded) return;
    this.codes = this.encoded.codes;
    await this.decode(this.codes);
  }

  private async decode(codes: readonly number[]): Promise<void> {
    try {
      const { result } = await this.runtime.client.run({ kind: 'vq-decode', grids: [codes] }, 'edit');
      if (codes !== this.codes) return;
      this.edited = toRgb(result.pixels.data, 0, this.size, result.mean, result.std);
      this.decodedCodes = codes;
      this.error = null;
    } catch (e) {
      if (!quiet(e)) this.error = message(e);
    }
  }
}

/** Every code of the codebook decoded: its own patch (the centre cell of a grid holding only it) and the whole grid. */
export class Codebook {
  patches = $state.raw<readonly Uint8ClampedArray[]>([]);
  error = $state<string | null>(null);

  constructor(private readonly runtime: RuntimeState) {}

  async load(): Promise<void> {
    const shape = this.runtime.info?.tokens;
    if (!shape || this.runtime.status !== 'ready') return;
    const cells = shape.grid * shape.grid;
    const grids = Array.from({ length: shape.codebookSize }, (_, k) => new Array<number>(cells).fill(k));
    try {
      const { result } = await this.runtime.client.run({ kind: 'vq-decode', grids }, 'codebook');
      const size = this.runtime.info!.imageSize;
      const per = 3 * size * size;
      this.patches = grids.map((_, k) => centrePatch(toRgb(result.pixels.data, k * per, size, result.mean, result.std), size, shape.grid));
    } catch (e) {
      if (!quiet(e)) this.error = message(e);
    }
  }
}

export interface SequenceRequest {
  readonly kind: 'draw' | 'write-caption';
  /** A drawing's caption, or a caption's image codes. */
  readonly caption?: string;
  readonly codes?: readonly number[];
  readonly sampling: Sampling;
  /** A drawing's classifier-free guidance scale (1: plain decoding). */
  readonly guidance?: number;
  /** What the request is for (caption or image, decoding), to tell the sequence shown from a stale one. */
  readonly key: string;
}

export const ALTERNATIVES = 5;

/** One of CM3's sequences as it streams: a drawing's codes (and its image as it fills), or a caption's words. */
export class SequenceSession {
  prompt = $state.raw<readonly SequenceToken[]>([]);
  steps = $state.raw<readonly SequenceStep[]>([]);
  /** A drawing's partial grid decoded, `[S, S, 3]`, and how many cells it holds. */
  image = $state.raw<Uint8ClampedArray | null>(null);
  status = $state<'idle' | 'streaming' | 'done'>('idle');
  result = $state.raw<Extract<TaskResult, { kind: 'draw' | 'write-caption' }> | null>(null);
  error = $state<string | null>(null);
  /** The key of the request the shown sequence belongs to. */
  key = $state('');
  /** Set when a new request stopped the one in flight: how many tokens that one had chosen. */
  interrupted = $state<{ key: string; at: number } | null>(null);
  private asked = 0;

  constructor(
    private readonly runtime: RuntimeState,
    private readonly channel: string,
  ) {}

  get drawn(): number {
    const v = this.runtime.info?.tokens?.vocabulary;
    return v ? drawnCells(v, this.steps.map((s) => s.id)).drawn : 0;
  }

  async start(r: SequenceRequest): Promise<void> {
    if (this.runtime.status !== 'ready') return;
    // The sequence in flight stops at its next step; its late parts are dropped by the client.
    if (this.status === 'streaming') this.interrupted = { key: this.key, at: this.steps.length };
    this.runtime.client.cancel(this.channel);
    const mine = ++this.asked;
    let streamed: SequenceStep[] = [];
    const onPartial = (partial: SequencePartial) => {
      if (mine !== this.asked) return;
      if (partial.kind === 'sequence-prompt') {
        // The first part of the new sequence replaces the old one: until then, it stays.
        this.prompt = partial.prompt;
        this.key = r.key;
        this.steps = streamed = [];
        this.image = null;
        this.result = null;
        this.error = null;
        this.status = 'streaming';
      } else {
        streamed = [...streamed, partial.step];
        this.steps = streamed;
        if (partial.image) this.image = partial.image;
      }
    };
    try {
      const sampling = r.sampling;
      const out = r.kind === 'draw'
        ? await this.runtime.client.run({ kind: 'draw', caption: r.caption ?? '', sampling, guidance: r.guidance, alternatives: ALTERNATIVES }, this.channel, onPartial)
        : await this.runtime.client.run({ kind: 'write-caption', codes: r.codes ?? [], sampling, alternatives: ALTERNATIVES }, this.channel, onPartial);
      if (mine !== this.asked) return;
      this.result = out.result;
      this.steps = out.result.steps;
      this.status = 'done';
    } catch (e) {
      if (mine !== this.asked || quiet(e)) return;
      this.error = message(e);
      if (this.status === 'streaming') this.status = 'done';
    }
  }
}
