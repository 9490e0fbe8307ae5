/**
 * The Llip lab's state. It reads the Contrastive lab's images and captions (one set of inputs
 * for every lab) and runs them through the Llip runtime: each image's K mixture tokens and its
 * vision attention (kept per image, re-run only when the image changes), each caption's text
 * embedding (kept per text), then the cross-attention head over every image × caption pair.
 */
import { RuntimeError } from '../../lib/runtime/client';
import type { TensorData } from '../../lib/runtime/protocol';
import { requestTextEmbeds, type Attention } from '../contrastive/embedRequests';
import type { ContrastiveLab, LabImage } from '../contrastive/lab.svelte';
import type { RuntimeState } from '../../state/runtime.svelte';

export interface LlipImage {
  /** The lab image's pixels or file this entry was computed from: another one means stale. */
  readonly source: unknown;
  readonly generation: number;
  readonly status: 'pending' | 'ready' | 'error';
  readonly message?: string;
  /** `[K, D]` mixture tokens. */
  readonly mixture: Float32Array | null;
  /** `[layers, heads, K+P, K+P]` self-attention of the vision encoder. */
  readonly attentions: Float32Array | null;
  readonly modelInput: Uint8ClampedArray | null;
}

export interface LlipHead {
  readonly imageIds: readonly number[];
  readonly captions: readonly string[];
  /** `[N, T, H, K]`. */
  readonly weights: TensorData;
  /** `[N, T, D]` contextual image embeddings. */
  readonly embeds: TensorData;
  /** `[N, T]` scale × cosine. */
  readonly logits: TensorData;
  readonly modelMs: number;
}

function sourceOf(image: LabImage): unknown {
  return image.origin.kind === 'file' ? image.origin.file : image.pixels;
}

function stack(parts: readonly Float32Array[], dims: number[]): TensorData {
  const data = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return { dims, data };
}

export class LlipLab {
  entries = $state.raw<ReadonlyMap<number, LlipImage>>(new Map());
  texts = $state.raw<ReadonlyMap<string, Float32Array>>(new Map());
  /** Each caption's text-encoder self-attention `[layers, heads, T, T]` and its real token count. */
  textAttentions = $state.raw<ReadonlyMap<string, { attention: Attention; tokens: number }>>(new Map());
  head = $state.raw<LlipHead | null>(null);
  error = $state<string | null>(null);
  /** Attention layers and heads of the vision encoder, from the first result. */
  visionShape = $state.raw<{ layers: number; heads: number; tokens: number } | null>(null);

  private textsGeneration = -1;

  constructor(
    readonly lab: ContrastiveLab,
    readonly runtime: RuntimeState,
  ) {}

  /** The images with mixture tokens from the current model, in the lab's order. */
  readonly rows = $derived.by(() => this.lab.images.filter((img) => {
    const entry = this.entries.get(img.id);
    return entry?.status === 'ready' && entry.source === sourceOf(img) && entry.generation === this.runtime.generation;
  }));

  /** The captions the head can weigh: non-empty, accepted by the lab, embedded. */
  readonly columns = $derived.by(() => {
    const seen = new Set<string>();
    const out: string[] = [];
    for (const c of this.lab.captions) {
      const text = c.text.trim();
      if (!text || this.lab.captionProblem(c.text) || !this.texts.has(text) || seen.has(text)) continue;
      seen.add(text);
      out.push(text);
    }
    return out;
  });

  /** Runs whatever is missing or stale, then the head. Safe to call on every change. */
  async refresh(): Promise<void> {
    if (this.runtime.status !== 'ready') return;
    const generation = this.runtime.generation;
    if (this.textsGeneration !== generation) {
      this.texts = new Map();
      this.textsGeneration = generation;
    }
    const stale = this.lab.images.filter((img) => {
      const entry = this.entries.get(img.id);
      return !entry || entry.source !== sourceOf(img) || entry.generation !== generation;
    });
    const wanted = [...new Set(this.lab.captions.map((c) => c.text.trim()).filter((t, k) => t && !this.lab.captionProblem(this.lab.captions[k].text)))];
    const missing = wanted.filter((t) => !this.texts.has(t));
    await Promise.all([...stale.map((img) => this.embedImage(img, generation)), this.embedTexts(missing, generation)]);
    await this.runHead();
  }

  private async embedImage(image: LabImage, generation: number): Promise<void> {
    const source = sourceOf(image);
    const pending: LlipImage = { source, generation, status: 'pending', mixture: null, attentions: null, modelInput: null };
    this.entries = new Map(this.entries).set(image.id, { ...(this.entries.get(image.id) ?? pending), status: 'pending' });
    try {
      const { result } = await this.runtime.client.run({ kind: 'image-embeds', images: [this.lab.toInput(image, this.runtime.info?.imageSize)] }, `llip-image:${image.id}`);
      const outcome = result.outcomes[0];
      const entry: LlipImage = outcome.ok
        ? {
            source, generation, status: 'ready', mixture: result.embeds.data, modelInput: outcome.modelInput,
            attentions: result.attentions ? result.attentions.data.slice() : null,
          }
        : { ...pending, status: 'error', message: outcome.message };
      if (result.attentions) {
        const [, layers, heads, tokens] = result.attentions.dims;
        this.visionShape = { layers, heads, tokens };
      }
      if (this.lab.images.some((img) => img.id === image.id)) this.entries = new Map(this.entries).set(image.id, entry);
    } catch (error) {
      if (error instanceof RuntimeError && (error.code === 'superseded' || error.code === 'cancelled')) return;
      this.entries = new Map(this.entries).set(image.id, { ...pending, status: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  }

  private async embedTexts(texts: readonly string[], generation: number): Promise<void> {
    if (texts.length === 0) return;
    try {
      const { entries } = await requestTextEmbeds(this.runtime.client, texts, 'llip-texts');
      if (generation !== this.runtime.generation) return;
      const next = new Map(this.texts);
      const attentions = new Map(this.textAttentions);
      texts.forEach((t, k) => {
        next.set(t, entries[k].embed);
        const attention = entries[k].attention;
        if (attention) attentions.set(t, { attention, tokens: entries[k].outcome.tokens });
      });
      this.texts = next;
      this.textAttentions = attentions;
      this.error = null;
    } catch (error) {
      if (error instanceof RuntimeError && (error.code === 'superseded' || error.code === 'cancelled')) return;
      this.error = error instanceof Error ? error.message : String(error);
    }
  }

  private async runHead(): Promise<void> {
    const rows = this.rows;
    const captions = this.columns;
    if (rows.length === 0 || captions.length === 0) {
      this.head = null;
      return;
    }
    const k = this.runtime.info?.llip?.mixtureTokens ?? 0;
    const dim = this.texts.get(captions[0])!.length;
    const mixture = stack(rows.map((img) => this.entries.get(img.id)!.mixture!), [rows.length, k, dim]);
    const texts = stack(captions.map((t) => this.texts.get(t)!), [captions.length, dim]);
    try {
      const { result, timing } = await this.runtime.client.run({ kind: 'llip-head', mixture, texts }, 'llip-head');
      this.head = { imageIds: rows.map((r) => r.id), captions, weights: result.weights, embeds: result.embeds, logits: result.logits, modelMs: timing.modelMs };
      this.error = null;
    } catch (error) {
      if (error instanceof RuntimeError && (error.code === 'superseded' || error.code === 'cancelled')) return;
      this.error = error instanceof Error ? error.message : String(error);
    }
  }
}
