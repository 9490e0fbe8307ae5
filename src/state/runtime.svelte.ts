/**
 * The app's one inference runtime: the worker client, the loaded model's facts, and what
 * the runtime panel shows. Labs read `info` and `generation`; a new generation (another
 * model, another backend, a restarted worker) means cached embeddings are stale.
 */
import { InferenceClient, RuntimeError, type WorkerLike } from '../lib/runtime/client';
import type { DevicePreference, Family, InspectReport, LoadOptions, ModelInfo, ModelSource } from '../lib/runtime/protocol';
import { adapterFacts } from '../../workers/backend-choice';

export const BUNDLED_CLIP: ModelSource = { id: 'shapes-clip', origin: 'bundled' };

function createWorker(): WorkerLike {
  return new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), { type: 'module', name: 'inference' }) as unknown as WorkerLike;
}

const params = new URLSearchParams(location.search);

function initialDevice(): DevicePreference {
  const asked = params.get('device');
  return asked === 'wasm' || asked === 'webgpu' ? asked : 'auto';
}

/** `?threads=N` starts WASM with N threads (the runtime panel changes it later). */
function initialOptions(): LoadOptions {
  const threads = Number(params.get('threads'));
  return Number.isInteger(threads) && threads > 0 ? { threads } : {};
}

/** `?hub=<url>` points hub downloads at a mirror (an absolute URL, resolved against the page). */
export function hubHostFromUrl(): string | undefined {
  const asked = params.get('hub');
  if (!asked) return undefined;
  const url = new URL(asked, location.href);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href.replace(/\/?$/, '/') : undefined;
}

/**
 * The page asks for the WebGPU adapter once, while the first worker's script is still loading,
 * and hands the answer to every load: asked in the worker, it came after the script and before
 * anything else (a software adapter's GPU process takes hundreds of milliseconds to start).
 */
let adapterProbe: ReturnType<typeof adapterFacts> | null = null;
const pageAdapter = () => (adapterProbe ??= adapterFacts().catch(() => ({ present: false, fallback: undefined, name: '' })));

export class RuntimeState {
  readonly client = new InferenceClient(createWorker);
  readonly hubHost = hubHostFromUrl();
  info = $state.raw<ModelInfo | null>(null);
  /** 'unloaded': the model and its worker were released (`unload`); `load` starts a new worker. */
  status = $state<'loading' | 'ready' | 'error' | 'unloaded'>('loading');
  stage = $state('Starting the runtime');
  /** Progress of the current stage (0–1), when the runtime knows it. */
  fraction = $state<number | undefined>(undefined);
  bytes = $state.raw<{ loaded: number; total: number } | undefined>(undefined);
  files = $state.raw<readonly { name: string; loaded: number; total: number }[]>([]);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  device = $state<DevicePreference>(initialDevice());
  options = $state.raw<LoadOptions>(initialOptions());
  /** Bumped at every successful load; results from an older generation are stale. */
  generation = $state(0);
  model = $state.raw<ModelSource>(BUNDLED_CLIP);
  /** The families the lab owning this runtime can show (undefined: the dual encoders). */
  readonly families: readonly Family[] | undefined;
  private lastAttempt: { model: ModelSource; device: DevicePreference; options: LoadOptions } | null = null;
  /** The last load that succeeded, to come back to when a load in a new worker fails. */
  private lastLoaded: { model: ModelSource; device: DevicePreference; options: LoadOptions } | null = null;
  /** True after `unload`: the client's worker has ended. */
  private released = false;

  constructor(initial: ModelSource = BUNDLED_CLIP, families?: readonly Family[]) {
    this.model = initial;
    this.families = families;
    if (this.device !== 'wasm') void pageAdapter();
    this.client.subscribe((event) => {
      switch (event.type) {
        case 'progress':
          // For `npm run bench`: where a first visit's time goes, stage by stage.
          if (event.stage !== this.stage) performance.mark('vlm:runtime-stage', { detail: { model: this.model.id, stage: event.stage } });
          this.stage = event.stage;
          this.fraction = event.fraction;
          this.bytes = event.bytes;
          if (event.files) this.files = event.files;
          return;
        case 'loaded':
          performance.mark('vlm:runtime-stage', { detail: { model: event.info.source.id, stage: 'Loaded' } });
          this.info = event.info;
          this.model = event.info.source;
          this.status = 'ready';
          this.generation++;
          return;
        case 'crashed':
          this.status = 'loading';
          this.stage = 'Restarting the runtime';
          this.notice = `The inference worker crashed (${event.message}). It was restarted and your inputs were kept.`;
          return;
        case 'restarted':
          return;
      }
    });
  }

  async load(model: ModelSource = this.model, device: DevicePreference = this.device, options: LoadOptions = this.options): Promise<boolean> {
    this.lastAttempt = { model, device, options };
    this.model = model;
    this.device = device;
    this.options = options;
    this.status = 'loading';
    this.error = null;
    this.stage = `Loading ${model.id}`;
    this.fraction = undefined;
    this.bytes = undefined;
    this.files = [];
    const previous = this.info;
    const adapter = device === 'wasm' ? undefined : await pageAdapter();
    // A worker whose ORT started with the WASM-only build cannot run WebGPU (see the worker):
    // a load that may choose WebGPU (asked for, or `auto` with a hub model and a hardware
    // adapter) gets a new worker, as does a load after `unload`.
    const mayUseGpu = device === 'webgpu' || (device === 'auto' && model.origin === 'hub' && !!adapter?.present && adapter.fallback !== true);
    const fresh = this.released || (previous?.ortBuild === 'wasm' && mayUseGpu);
    if (fresh) this.client.replaceWorker();
    this.released = false;
    try {
      await this.client.load(model, device, { ...options, hubHost: this.hubHost, families: this.families, ...(adapter ? { adapter } : {}) });
      this.lastLoaded = { model, device, options };
      return true;
    } catch (error) {
      // A newer load replaced this one: the state is that load's to set.
      if (error instanceof RuntimeError && error.code === 'superseded') return false;
      this.error = error instanceof RuntimeError ? error.message : String(error);
      // The new worker has no model: bring back the one that worked.
      if (fresh && previous && this.lastLoaded) {
        const back = this.lastLoaded;
        await this.client.load(back.model, back.device, { ...back.options, hubHost: this.hubHost, families: this.families }).catch(() => (this.info = null));
      }
      // The worker keeps the model it had: the app goes on working with it.
      if (this.info) {
        this.model = this.info.source;
        this.status = 'ready';
      } else {
        this.status = 'error';
      }
      return false;
    }
  }

  /**
   * Releases the model: its worker ends, and with it the model's sessions, ORT's memory and
   * its threads. The lab keeps what it shows; `load` (or `retry`) starts a new worker.
   */
  unload(): void {
    this.client.dispose();
    this.released = true;
    this.info = null;
    this.status = 'unloaded';
    this.stage = 'Unloaded';
  }

  /** What loading a hub model would download, from its config and file sizes (nothing loads). */
  inspect(model: ModelSource, options: LoadOptions = {}): Promise<InspectReport> {
    return this.client.inspect(model, { ...options, hubHost: this.hubHost, families: this.families });
  }

  /** Loads again what was asked last (after a failed load: the model that failed). */
  async retry(): Promise<boolean> {
    const attempt = this.lastAttempt;
    return attempt ? this.load(attempt.model, attempt.device, attempt.options) : this.load();
  }

  /** After a lost GPU: the same model again, on WASM. */
  async fallBackToWasm(reason: string): Promise<void> {
    // Every request that meets the lost device reports it: one reload is enough.
    if (this.status === 'loading' && this.device === 'wasm') return;
    this.notice = `${reason} The model now runs on WASM.`;
    // A fresh worker: the old one's runtime may keep the lost device's state.
    this.client.replaceWorker();
    await this.load(this.model, 'wasm');
  }
}
