/**
 * Compare mode: a second model (its own runtime and worker) embeds the lab's images and
 * captions; both matrices are shown over the images and captions both models have embedded,
 * with their difference, top-1 agreement and rank correlation.
 */
import { RuntimeError } from '../../lib/runtime/client';
import { agreement, differenceMatrix } from '../../lib/contrastive/compare';
import { cosineMatrix, type Matrix } from '../../lib/contrastive/similarity';
import { matrixForMode, type MatrixMode } from '../../lib/contrastive/views';
import type { ModelInfo } from '../../lib/runtime/protocol';
import type { RuntimeState } from '../../state/runtime.svelte';
import type { ContrastiveLab, LabColumn, LabImage } from '../contrastive/lab.svelte';
import { requestImageEmbeds, requestTextEmbeds } from '../contrastive/embedRequests';

export type CompareView = 'cosine' | 'probability';

/** Each model's own probability: a softmax over captions for CLIP, a sigmoid per pair for SigLIP. */
export function probabilityMode(info: ModelInfo): MatrixMode {
  return info.family === 'siglip' ? 'sigmoid' : 'softmax-rows';
}

function cosineOf(rows: readonly Float32Array[], columns: readonly Float32Array[]): Matrix {
  const dim = rows[0].length;
  const a = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => a.set(r, i * dim));
  const tdim = columns[0].length;
  const b = new Float32Array(columns.length * tdim);
  columns.forEach((c, j) => b.set(c, j * tdim));
  return cosineMatrix(a, rows.length, b, columns.length, dim);
}

export class Comparison {
  view = $state<CompareView>('probability');
  error = $state<string | null>(null);
  private images = $state.raw<ReadonlyMap<number, { embed: Float32Array; generation: number }>>(new Map());
  private texts = $state.raw<ReadonlyMap<string, { embed: Float32Array; generation: number }>>(new Map());
  private readonly lab: ContrastiveLab;
  readonly runtime: RuntimeState;

  constructor(lab: ContrastiveLab, runtime: RuntimeState) {
    this.lab = lab;
    this.runtime = runtime;
  }

  /** Asks model B for whatever the lab shows that B has not embedded yet. */
  async sync(): Promise<void> {
    const b = this.runtime;
    if (b.status !== 'ready') return;
    const generation = b.generation;
    const images = this.lab.rows.filter((r) => this.images.get(r.id)?.generation !== generation);
    const texts = this.lab.columns.map((c) => c.text).filter((t) => this.texts.get(t)?.generation !== generation);
    try {
      if (images.length > 0) {
        const { outcomes } = await requestImageEmbeds(b.client, images.map((img) => this.lab.toInput(img)), 'compare-images');
        const next = new Map(this.images);
        images.forEach((img, k) => {
          const o = outcomes[k];
          if (o.ok) next.set(img.id, { embed: o.embed, generation });
        });
        this.images = next;
      }
      if (texts.length > 0) {
        const { entries } = await requestTextEmbeds(b.client, texts, 'compare-texts');
        const next = new Map(this.texts);
        texts.forEach((t, k) => next.set(t, { embed: entries[k].embed, generation }));
        this.texts = next;
      }
      this.error = null;
    } catch (error) {
      if (error instanceof RuntimeError && ['superseded', 'cancelled', 'crashed'].includes(error.code)) return;
      this.error = error instanceof Error ? error.message : String(error);
    }
  }

  /** Model B's embedding of an image or a caption (undefined until B has embedded it). */
  imageEmbedB(id: number): Float32Array | undefined {
    return this.images.get(id)?.embed;
  }

  textEmbedB(text: string): Float32Array | undefined {
    return this.texts.get(text)?.embed;
  }

  /** Images and captions both models have embedded, in the lab's order. */
  readonly rows = $derived.by((): LabImage[] => this.lab.rows.filter((r) => this.images.get(r.id)?.generation === this.runtime.generation));
  readonly columns = $derived.by((): LabColumn[] => this.lab.columns.filter((c) => this.texts.get(c.text)?.generation === this.runtime.generation));

  /** For each compared image, the compared column of its paired caption (the lab's pairing). */
  readonly pairs = $derived.by(() => this.rows.map((r) => {
    const labRow = this.lab.rows.indexOf(r);
    const labColumn = labRow >= 0 ? this.lab.pairs[labRow] : null;
    if (labColumn === null || labColumn === undefined) return null;
    const id = this.lab.columns[labColumn]?.id;
    const column = this.columns.findIndex((c) => c.id === id);
    return column >= 0 ? column : null;
  }));

  readonly result = $derived.by(() => {
    const a = this.lab.runtimeInfo;
    const b = this.runtime.info;
    const rows = this.rows;
    const columns = this.columns;
    if (!a || !b || rows.length === 0 || columns.length === 0) return null;
    const cosineA = cosineOf(rows.map((r) => r.embed!), columns.map((c) => this.lab.textEntry(c.text)!.embed));
    const cosineB = cosineOf(rows.map((r) => this.images.get(r.id)!.embed), columns.map((c) => this.texts.get(c.text)!.embed));
    const shownA = this.view === 'cosine' ? cosineA : matrixForMode(cosineA, a.logitScale, probabilityMode(a), a.logitBias ?? 0);
    const shownB = this.view === 'cosine' ? cosineB : matrixForMode(cosineB, b.logitScale, probabilityMode(b), b.logitBias ?? 0);
    return { a, b, shownA, shownB, difference: differenceMatrix(shownA, shownB), agreement: agreement(shownA, shownB) };
  });
}
