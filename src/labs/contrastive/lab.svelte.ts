/**
 * The Contrastive lab's state: images and captions the person chose, their embeddings from
 * the worker, and the choices that shape the matrix (mode, logit scale, pairs). Embeddings
 * are kept per image and per caption text, so editing one caption re-embeds only it.
 */
import { RuntimeError } from '../../lib/runtime/client';
import type { ImageInput } from '../../lib/runtime/protocol';
import { drawnInput, requestImageEmbeds, requestTextEmbeds, type Attention, type TextEntry } from './embedRequests';
import { renderScene, sampleScene, SAMPLE_RENDER_SIZE, WHITE, type RGBImage, type Scene } from '../../lib/shapes';
import { describeSample } from '../../lib/shapes/samples';
import type { LinkedImage } from '../../lib/link/inputs';
import { cosineMatrix, type Matrix } from '../../lib/contrastive/similarity';
import type { MatrixMode } from '../../lib/contrastive/views';
import type { RuntimeState } from '../../state/runtime.svelte';

export type ImageOrigin =
  | { readonly kind: 'sample'; readonly index: number }
  | { readonly kind: 'composed'; readonly scene: Scene }
  | { readonly kind: 'file'; readonly file: File; readonly url: string };

export interface LabImage {
  readonly id: number;
  readonly label: string;
  readonly origin: ImageOrigin;
  /** Drawn pixels for samples and composed scenes (files are shown from their URL). */
  readonly pixels: RGBImage | null;
  readonly status: 'pending' | 'ready' | 'error';
  readonly message?: string;
  readonly notes: readonly string[];
  readonly embed: Float32Array | null;
  /** `[size, size, 3]`: what the model saw. */
  readonly modelInput: Uint8ClampedArray | null;
  /** The image encoder's self-attention `[layers, heads, tokens, tokens]`, when its graph outputs it. */
  readonly attention: Attention | null;
  readonly generation: number;
}

export interface LabCaption {
  readonly id: number;
  readonly text: string;
  /** The last text of this caption that has an embedding: its column shows it until the new text's arrives. */
  readonly shown?: string;
}

/** A matrix column: a caption and the text its numbers belong to. */
export interface LabColumn {
  readonly id: number;
  readonly text: string;
}

export const MAX_CAPTION_CHARACTERS = 200;

let nextId = 1;

export class ContrastiveLab {
  images = $state.raw<LabImage[]>([]);
  captions = $state.raw<LabCaption[]>([0, 1, 2, 3].map((k) => ({ id: nextId++, text: describeSample(k) })));
  mode = $state<MatrixMode>('softmax-rows');
  /** The logit scale the person set; null follows the model's learned one. */
  scaleOverride = $state<number | null>(null);
  /** Caption id each image is paired with for the loss; missing: the caption in the same position. */
  pairOverrides = $state.raw<ReadonlyMap<number, number | null>>(new Map());
  textError = $state<string | null>(null);
  /** Last timings, for the runtime line. */
  lastImageMs = $state<number | null>(null);
  lastTextMs = $state<number | null>(null);

  /** True once a link set the images: the lab then starts with those instead of its samples. */
  linked = false;

  /**
   * Whether a composed scene's drawing is embedded with its attention: only while the attention
   * lens is open. A drag asks at every pointer move, and the image encoder's attention (a few
   * hundred KB an image) would be copied out of the graph, posted and dropped unseen.
   */
  private attentionWanted = false;

  private texts = $state.raw<ReadonlyMap<string, TextEntry>>(new Map());
  private textsGeneration = -1;
  private nextSample = 0;
  /** Composed scenes are numbered in the order they were added ("Composed 1", …). */
  private nextComposed = 1;

  private readonly runtime: RuntimeState;

  constructor(runtime: RuntimeState) {
    this.runtime = runtime;
  }

  // ---- images ----

  addSamples(count: number): void {
    const added: LabImage[] = [];
    for (let k = 0; k < count; k++) {
      const index = this.nextSample++;
      added.push(this.newImage(`Sample ${index + 1}`, { kind: 'sample', index }, renderScene(sampleScene(index), SAMPLE_RENDER_SIZE)));
    }
    this.images = [...this.images, ...added];
    void this.embedImages(added);
  }

  addComposed(scene: Scene): number {
    const image = this.newImage(`Composed ${this.nextComposed++}`, { kind: 'composed', scene }, renderScene(scene, SAMPLE_RENDER_SIZE));
    this.images = [...this.images, image];
    void this.embedImages([image]);
    return image.id;
  }

  /**
   * What the composer should edit: a composed image (its scene), or for null a new composed
   * image with one red circle at the left; null when the image is not a composed one.
   */
  composeTarget(imageId: number | null): { imageId: number; scene: Scene } | null {
    if (imageId === null) {
      const scene: Scene = { shapes: [{ kind: 'circle', colour: 'red', cx: 0.2, cy: 0.5, radius: 0.2 }], background: WHITE };
      return { imageId: this.addComposed(scene), scene };
    }
    const image = this.images.find((img) => img.id === imageId);
    return image?.origin.kind === 'composed' ? { imageId, scene: image.origin.scene } : null;
  }

  /**
   * Replaces a composed image's scene (while dragging): the newest drawing supersedes older
   * ones. Its row keeps the last embedding until the new one arrives, so the matrix and the
   * map change once per answer, not twice. `pixels`: the scene already drawn at the samples' size.
   */
  updateComposed(id: number, scene: Scene, pixels: RGBImage = renderScene(scene, SAMPLE_RENDER_SIZE)): void {
    this.images = this.images.map((img) => (img.id === id ? { ...img, origin: { kind: 'composed', scene }, pixels, status: 'pending' as const } : img));
    const image = this.images.find((img) => img.id === id);
    if (image) void this.embedImages([image], this.attentionWanted);
  }

  /**
   * The attention lens opened or closed. Opening it embeds again, with their attention, the images
   * embedded without it while it was closed (a composed scene that was dragged).
   */
  setAttentionWanted(wanted: boolean): void {
    this.attentionWanted = wanted;
    const source = this.runtime.info?.attention?.vision;
    if (!wanted || !source || source.via === 'unavailable' || this.runtime.status !== 'ready') return;
    const generation = this.runtime.generation;
    const missing = this.images.filter((img) => img.status === 'ready' && img.embed !== null && img.attention === null && img.generation === generation);
    for (const image of missing) void this.embedImages([image]);
  }

  addFiles(files: readonly File[]): void {
    const added = files.map((file) => this.newImage(file.name || 'Pasted image', { kind: 'file', file, url: URL.createObjectURL(file) }, null));
    this.images = [...this.images, ...added];
    void this.embedImages(added);
  }

  removeImage(id: number): void {
    const image = this.images.find((img) => img.id === id);
    if (image?.origin.kind === 'file') URL.revokeObjectURL(image.origin.url);
    this.images = this.images.filter((img) => img.id !== id);
  }

  clearImages(): void {
    for (const img of this.images) if (img.origin.kind === 'file') URL.revokeObjectURL(img.origin.url);
    this.images = [];
    this.nextSample = 0;
    this.nextComposed = 1;
  }

  /** The images a link can carry: samples and composed scenes, in order (uploads cannot travel). */
  get linkable(): LabImage[] {
    return this.images.filter((img) => img.origin.kind !== 'file');
  }

  /**
   * Sets the samples and composed scenes from a link, in its order, uploads kept after them.
   * An image already at its place (the same sample, a composed scene) keeps its id and its
   * embedding; a composed scene whose shapes differ is redrawn in place.
   */
  restoreImages(wanted: readonly LinkedImage[]): void {
    this.linked = true;
    const current = this.linkable;
    const next: LabImage[] = [];
    const fresh: LabImage[] = [];
    const moved: { id: number; scene: Scene }[] = [];
    wanted.forEach((image, k) => {
      const old = current[k];
      if (image.kind === 'sample') {
        // Sample k is drawn from seed k + 1 (sampleSeed); its label names the seed.
        const index = image.seed - 1;
        if (old?.origin.kind === 'sample' && old.origin.index === index) return void next.push(old);
        const made = this.newImage(`Sample ${image.seed}`, { kind: 'sample', index }, renderScene(sampleScene(index), SAMPLE_RENDER_SIZE));
        next.push(made);
        fresh.push(made);
      } else if (old?.origin.kind === 'composed') {
        next.push(old);
        if (JSON.stringify(old.origin.scene) !== JSON.stringify(image.scene)) moved.push({ id: old.id, scene: image.scene });
      } else {
        const made = this.newImage(`Composed ${this.nextComposed++}`, { kind: 'composed', scene: image.scene }, renderScene(image.scene, SAMPLE_RENDER_SIZE));
        next.push(made);
        fresh.push(made);
      }
    });
    const uploads = this.images.filter((img) => img.origin.kind === 'file');
    this.images = [...next, ...uploads];
    this.nextSample = Math.max(this.nextSample, ...next.map((img) => (img.origin.kind === 'sample' ? img.origin.index + 1 : 0)));
    if (fresh.length) void this.embedImages(fresh);
    for (const { id, scene } of moved) this.updateComposed(id, scene);
  }

  /** Sets the captions from a link (cut to the longest a caption may be). */
  restoreCaptions(texts: readonly string[]): void {
    this.captions = texts.map((raw, k) => {
      const text = raw.slice(0, MAX_CAPTION_CHARACTERS);
      const old = this.captions[k];
      if (!old) return { id: nextId++, text };
      // The caption at this place keeps its id (its pairing) and its column until the new text is embedded.
      return old.text === text ? old : { ...old, text, shown: this.texts.has(old.text.trim()) ? old.text.trim() : old.shown };
    });
    void this.embedTexts();
  }

  private newImage(label: string, origin: ImageOrigin, pixels: RGBImage | null): LabImage {
    return { id: nextId++, label, origin, pixels, status: 'pending', notes: [], embed: null, modelInput: null, attention: null, generation: -1 };
  }

  /** `modelSize`: a drawing is sent shrunk to it, as the worker would shrink it (see drawnInput). */
  toInput(image: LabImage, modelSize?: number): ImageInput {
    if (image.origin.kind === 'file') return { kind: 'file', name: image.origin.file.name, blob: image.origin.file };
    return drawnInput(image.pixels!, modelSize);
  }

  private patchImage(id: number, patch: Partial<LabImage>): void {
    this.images = this.images.map((img) => (img.id === id ? { ...img, ...patch } : img));
  }

  /** `withAttention` false leaves the image encoder's attention out of the answer (the row's `attention` is then null). */
  async embedImages(batch: readonly LabImage[], withAttention = true): Promise<void> {
    if (batch.length === 0 || this.runtime.status !== 'ready') return;
    const generation = this.runtime.generation;
    const channel = batch.length === 1 ? `image:${batch[0].id}` : undefined;
    // For `npm run bench`: the inputs an answer is for were current at this moment.
    const asked = performance.now();
    try {
      const { outcomes, modelMs } = await requestImageEmbeds(this.runtime.client, batch.map((img) => this.toInput(img, this.runtime.info?.imageSize)), channel, withAttention);
      this.lastImageMs = modelMs;
      batch.forEach((img, k) => {
        const outcome = outcomes[k];
        if (!this.images.some((i) => i.id === img.id)) return; // removed while it was being embedded
        if (outcome.ok) {
          performance.mark('vlm:image-answered', { detail: { id: img.id, asked } });
          // An answer for a drawing a drag has already replaced: its numbers show, and the card
          // stays pending until its newest drawing is answered (no ready/pending flip per move).
          const current = this.images.find((i) => i.id === img.id)!.pixels === img.pixels;
          this.patchImage(img.id, { status: current ? 'ready' : 'pending', embed: outcome.embed, modelInput: outcome.modelInput, attention: outcome.attention, notes: outcome.notes, message: undefined, generation });
        } else {
          this.patchImage(img.id, { status: 'error', message: outcome.message, embed: null, generation });
        }
      });
    } catch (error) {
      if (error instanceof RuntimeError && (error.code === 'superseded' || error.code === 'cancelled')) return;
      if (error instanceof RuntimeError && error.code === 'crashed') return; // re-embedded when the runtime is back
      if (error instanceof RuntimeError && error.code === 'gpu-lost') {
        void this.runtime.fallBackToWasm(error.message);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      for (const img of batch) this.patchImage(img.id, { status: 'error', message });
    }
  }

  /** Embeds whatever the current generation has not embedded yet (after a load or a restart). */
  refreshStale(): void {
    const generation = this.runtime.generation;
    if (this.runtime.status !== 'ready') return;
    const stale = this.images.filter((img) => img.status !== 'error' && img.generation !== generation);
    if (stale.length > 0) void this.embedImages(stale);
    if (this.textsGeneration !== generation) {
      this.texts = new Map();
      this.textsGeneration = generation;
    }
    void this.embedTexts();
  }

  // ---- captions ----

  /** Why a caption cannot be used, or null. */
  captionProblem(text: string): string | null {
    if (text.trim().length === 0) return 'Empty caption: type a description, or remove this row.';
    return null;
  }

  setCaption(id: number, text: string): void {
    // Marks for `npm run bench`: from here to "vlm:matrix-painted" is the edit-to-matrix latency.
    performance.mark('vlm:captions-changed');
    this.captions = this.captions.map((c) => {
      if (c.id !== id) return c;
      const shown = this.texts.has(c.text.trim()) ? c.text.trim() : c.shown;
      return { ...c, text: text.slice(0, MAX_CAPTION_CHARACTERS), shown };
    });
    void this.embedTexts();
  }

  addCaption(text = ''): number {
    const caption = { id: nextId++, text };
    this.captions = [...this.captions, caption];
    void this.embedTexts();
    return caption.id;
  }

  removeCaption(id: number): void {
    this.captions = this.captions.filter((c) => c.id !== id);
  }

  textEntry(text: string): TextEntry | undefined {
    return this.texts.get(text.trim());
  }

  async embedTexts(): Promise<void> {
    if (this.runtime.status !== 'ready') return;
    const missing = [...new Set(this.captions.map((c) => c.text.trim()).filter((t) => t.length > 0 && !this.texts.has(t)))];
    if (missing.length === 0) return;
    const generation = this.runtime.generation;
    try {
      const { entries, modelMs } = await requestTextEmbeds(this.runtime.client, missing, 'texts');
      if (generation !== this.runtime.generation) return;
      this.lastTextMs = modelMs;
      const next = new Map(this.texts);
      missing.forEach((t, k) => next.set(t, entries[k]));
      this.texts = next;
      this.textError = null;
    } catch (error) {
      if (error instanceof RuntimeError && ['superseded', 'cancelled', 'crashed'].includes(error.code)) return;
      if (error instanceof RuntimeError && error.code === 'gpu-lost') {
        void this.runtime.fallBackToWasm(error.message);
        return;
      }
      this.textError = error instanceof Error ? error.message : String(error);
    }
  }

  // ---- the matrix ----

  /**
   * Images with an embedding from the current model, in list order: the matrix rows. An image
   * being embedded again (a composed scene being dragged) keeps its row and its last numbers.
   */
  readonly rows = $derived.by(() => {
    const next = this.images.filter((img) => img.status !== 'error' && img.embed !== null && img.generation === this.runtime.generation);
    // The same rows with the same numbers (a dragged scene's new drawing, still being
    // embedded): the previous array, so the matrix, the map and the tables are not redone.
    const previous = this.lastRows;
    const same = (a: LabImage, b: LabImage) => a.id === b.id && a.embed === b.embed && a.label === b.label && a.modelInput === b.modelInput && a.attention === b.attention;
    if (previous.length === next.length && previous.every((p, k) => same(p, next[k]))) return previous;
    this.lastRows = next;
    return next;
  });
  private lastRows: LabImage[] = [];

  /**
   * The matrix columns, in list order: each usable caption with the text its embedding is
   * for. While a new text is embedded, the column keeps its previous text and numbers, so
   * labels and numbers always agree and typing does not redraw the matrix twice.
   */
  readonly columns = $derived.by((): LabColumn[] => {
    const next: LabColumn[] = [];
    for (const c of this.captions) {
      if (this.captionProblem(c.text) !== null) continue;
      const text = this.texts.has(c.text.trim()) ? c.text.trim() : c.shown;
      if (text !== undefined && this.texts.has(text)) next.push({ id: c.id, text });
    }
    const previous = this.lastColumns;
    if (previous.length === next.length && previous.every((p, k) => p.id === next[k].id && p.text === next[k].text)) return previous;
    this.lastColumns = next;
    return next;
  });
  private lastColumns: LabColumn[] = [];

  /** The facts of the model the lab's embeddings come from. */
  get runtimeInfo() {
    return this.runtime.info;
  }

  readonly learnedScale = $derived.by(() => this.runtime.info?.logitScale ?? 1);
  readonly scale = $derived(this.scaleOverride ?? this.learnedScale);

  readonly similarity = $derived.by((): Matrix | null => {
    const rows = this.rows;
    const columns = this.columns;
    if (rows.length === 0 || columns.length === 0) return null;
    const dim = rows[0].embed!.length;
    const images = new Float32Array(rows.length * dim);
    rows.forEach((r, i) => images.set(r.embed!, i * dim));
    const texts = new Float32Array(columns.length * dim);
    columns.forEach((c, j) => texts.set(this.texts.get(c.text)!.embed, j * dim));
    return cosineMatrix(images, rows.length, texts, columns.length, dim);
  });

  /** For each matrix row, the matrix column of its paired caption (or null). */
  readonly pairs = $derived.by(() => {
    const next = this.rows.map((img) => {
      const position = this.images.findIndex((i) => i.id === img.id);
      const captionId = this.pairOverrides.has(img.id) ? this.pairOverrides.get(img.id)! : this.captions[position]?.id ?? null;
      const column = this.columns.findIndex((c) => c.id === captionId);
      return column >= 0 ? column : null;
    });
    // Unchanged pairs keep their array: the loss and the map's lines are not redone for nothing.
    const previous = this.lastPairs;
    if (previous.length === next.length && previous.every((p, k) => p === next[k])) return previous;
    this.lastPairs = next;
    return next;
  });
  private lastPairs: (number | null)[] = [];

  setPair(imageId: number, captionId: number | null): void {
    const next = new Map(this.pairOverrides);
    next.set(imageId, captionId);
    this.pairOverrides = next;
  }
}
