/**
 * The app's one inference runtime: the worker client, the loaded model's facts, and what
 * the runtime panel shows. Labs read `info` and `generation`; a new generation (another
 * model, another backend, a restarted worker) means cached embeddings are stale.
 */
import { InferenceClient, RuntimeError, type WorkerLike } from '../lib/runtime/client';
import type { DevicePreference, ModelInfo, ModelSource } from '../lib/runtime/protocol';

export const BUNDLED_CLIP: ModelSource = { id: 'shapes-clip', origin: 'bundled' };

function createWorker(): WorkerLike {
  return new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), { type: 'module', name: 'inference' }) as unknown as WorkerLike;
}

function initialDevice(): DevicePreference {
  const asked = new URLSearchParams(location.search).get('device');
  return asked === 'wasm' || asked === 'webgpu' ? asked : 'auto';
}

export class RuntimeState {
  readonly client = new InferenceClient(createWorker);
  info = $state.raw<ModelInfo | null>(null);
  status = $state<'loading' | 'ready' | 'error'>('loading');
  stage = $state('Starting the runtime');
  /** Progress of the current stage (0–1), when the runtime knows it. */
  fraction = $state<number | undefined>(undefined);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  device = $state<DevicePreference>(initialDevice());
  /** Bumped at every successful load; results from an older generation are stale. */
  generation = $state(0);
  model = $state.raw<ModelSource>(BUNDLED_CLIP);

  constructor() {
    this.client.subscribe((event) => {
      switch (event.type) {
        case 'progress':
          this.stage = event.stage;
          this.fraction = event.fraction;
          return;
        case 'loaded':
          this.info = event.info;
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

  async load(model: ModelSource = this.model, device: DevicePreference = this.device): Promise<void> {
    this.model = model;
    this.device = device;
    this.status = 'loading';
    this.error = null;
    this.stage = `Loading ${model.id}`;
    try {
      await this.client.load(model, device);
    } catch (error) {
      this.status = 'error';
      this.error = error instanceof RuntimeError ? error.message : String(error);
    }
  }

  /** After a lost GPU: the same model again, on WASM. */
  async fallBackToWasm(reason: string): Promise<void> {
    this.notice = `${reason} The model now runs on WASM.`;
    await this.load(this.model, 'wasm');
  }
}
