/**
 * The main thread's side of the inference worker: request ids, promises, superseded
 * requests dropped, cancellation, and a crashed worker restarted with its model reloaded.
 * The worker itself is made by a factory, so tests can hand in a fake.
 */
import type { DevicePreference, ErrorCode, InspectReport, LoadOptions, ModelInfo, ModelSource, PartialOf, Request, Response, RunPartial, Task, TaskResult, Timing } from './protocol';

/** What a client needs of a Worker (a real one, or a fake in tests). */
export interface WorkerLike {
  postMessage(message: Request, transfer?: Transferable[]): void;
  terminate(): void;
  onmessage: ((event: MessageEvent<Response>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}

export type ClientErrorCode = ErrorCode | 'superseded' | 'crashed';

export class RuntimeError extends Error {
  constructor(readonly code: ClientErrorCode, message: string) {
    super(message);
    this.name = 'RuntimeError';
  }
}

export interface RunOutput<R extends TaskResult = TaskResult> {
  readonly result: R;
  readonly timing: Timing;
}

export type ClientEvent =
  | {
      readonly type: 'progress';
      readonly stage: string;
      readonly fraction?: number;
      readonly bytes?: { readonly loaded: number; readonly total: number };
      readonly files?: readonly { readonly name: string; readonly loaded: number; readonly total: number }[];
    }
  | { readonly type: 'loaded'; readonly info: ModelInfo }
  | { readonly type: 'crashed'; readonly message: string }
  | { readonly type: 'restarted' };

interface Pending {
  readonly resolve: (value: Response) => void;
  readonly reject: (error: RuntimeError) => void;
  readonly channel?: string;
  /** Receives the parts of the result the worker streams before it (a VLM's tokens, CM3's steps). */
  readonly onPartial?: (partial: RunPartial) => void;
}

/** A run held back while its channel is busy, with the promise its caller awaits. */
interface Waiting extends Pending {
  readonly request: Extract<Request, { type: 'run' }>;
}

type ResultOf<K extends Task['kind']> = Extract<TaskResult, { kind: K }>;

export class InferenceClient {
  private worker: WorkerLike;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly latestOnChannel = new Map<string, number>();
  /** Per channel, the newest run waiting for the one in flight (in `latestOnChannel`) to answer. */
  private readonly waiting = new Map<string, Waiting>();
  private readonly listeners = new Set<(event: ClientEvent) => void>();
  private lastLoad: { model: ModelSource; device: DevicePreference; options?: LoadOptions } | null = null;
  private restarts = 0;

  constructor(private readonly createWorker: () => WorkerLike) {
    this.worker = this.start();
  }

  /** Listens to progress, loads and crashes; returns the function that stops listening. */
  subscribe(listener: (event: ClientEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Number of times the worker crashed and was restarted. */
  get restartCount(): number {
    return this.restarts;
  }

  async load(model: ModelSource, device: DevicePreference = 'auto', options?: LoadOptions): Promise<ModelInfo> {
    this.lastLoad = { model, device, options };
    const response = await this.send({ type: 'load', id: this.nextId++, model, device, ...(options ? { options } : {}) }, 'load');
    if (response.type !== 'loaded') throw new RuntimeError('internal', `Unexpected answer "${response.type}" to load`);
    this.emit({ type: 'loaded', info: response.info });
    return response.info;
  }

  /** Reads a model's config and the sizes of the files a load would download, without loading it. */
  async inspect(model: ModelSource, options?: LoadOptions): Promise<InspectReport> {
    const response = await this.send({ type: 'inspect', id: this.nextId++, model, ...(options ? { options } : {}) }, 'inspect');
    if (response.type !== 'inspected') throw new RuntimeError('internal', `Unexpected answer "${response.type}" to inspect`);
    return response.report;
  }

  /**
   * Runs a task. With a `channel`, at most one run per channel is in the worker at a time, and
   * only the newest input waits for it (coalesced, never a queue): a run on a busy channel
   * waits until the one in flight answers, and a later run replaces it (its promise rejects
   * with code "superseded" and it is never sent). The run in flight still answers: while
   * inputs change faster than the model runs (a shape being dragged), each answer shows, and
   * the last answer is for the newest input.
   */
  async run<K extends Task['kind']>(task: Extract<Task, { kind: K }>, channel?: string, onPartial?: (partial: PartialOf<K>) => void): Promise<RunOutput<ResultOf<K>>> {
    // The worker streams only the partials of the task's own kind.
    const response = await this.send({ type: 'run', id: this.nextId++, task }, channel, onPartial as ((partial: RunPartial) => void) | undefined);
    if (response.type !== 'result') throw new RuntimeError('internal', `Unexpected answer "${response.type}" to run`);
    return { result: response.result as ResultOf<K>, timing: response.timing };
  }

  /** Cancels every request still waiting on a channel. */
  cancel(channel: string): void {
    this.dropWaiting(channel, new RuntimeError('cancelled', 'Cancelled.'));
    for (const [id, p] of this.pending) {
      if (p.channel !== channel) continue;
      this.worker.postMessage({ type: 'cancel', id });
      this.pending.delete(id);
      p.reject(new RuntimeError('cancelled', 'Cancelled.'));
    }
  }

  /** Fault injection for tests and the runtime panel: makes the worker crash. */
  crashWorker(): void {
    this.worker.postMessage({ type: 'crash', id: this.nextId++ });
  }

  /** Fault injection: destroys the worker's WebGPU device, as a driver reset would. */
  loseGpu(): void {
    this.worker.postMessage({ type: 'lose-gpu', id: this.nextId++ });
  }

  /** Fault injection: makes every model-cache write fail, as a full storage quota would. */
  fillStorage(): void {
    this.worker.postMessage({ type: 'fill-storage', id: this.nextId++ });
  }

  /**
   * Starts a fresh worker in place of this one, without reloading anything: after a lost GPU,
   * the old worker's runtime may hold broken device state. Pending requests are cancelled.
   */
  replaceWorker(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new RuntimeError('cancelled', 'The runtime was replaced.'));
    this.pending.clear();
    this.latestOnChannel.clear();
    for (const channel of [...this.waiting.keys()]) this.dropWaiting(channel, new RuntimeError('cancelled', 'The runtime was replaced.'));
    this.worker = this.start();
  }

  dispose(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new RuntimeError('cancelled', 'The runtime was closed.'));
    this.pending.clear();
    for (const channel of [...this.waiting.keys()]) this.dropWaiting(channel, new RuntimeError('cancelled', 'The runtime was closed.'));
  }

  private start(): WorkerLike {
    const worker = this.createWorker();
    worker.onmessage = (event) => this.receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault?.();
      void this.restart(event.message || 'The inference worker stopped unexpectedly.');
    };
    return worker;
  }

  private async restart(reason: string): Promise<void> {
    this.restarts++;
    this.worker.terminate();
    const lost = [...this.pending.values(), ...this.waiting.values()];
    this.pending.clear();
    this.latestOnChannel.clear();
    this.waiting.clear();
    this.emit({ type: 'crashed', message: reason });
    for (const p of lost) p.reject(new RuntimeError('crashed', `The inference worker crashed (${reason}); it has been restarted.`));
    this.worker = this.start();
    if (this.lastLoad) {
      try {
        await this.load(this.lastLoad.model, this.lastLoad.device, this.lastLoad.options);
      } catch {
        // The load's own error reaches whoever awaits the next request.
      }
    }
    this.emit({ type: 'restarted' });
  }

  private send(request: Extract<Request, { type: 'load' | 'run' | 'inspect' }>, channel?: string, onPartial?: (partial: RunPartial) => void): Promise<Response> {
    if (channel && request.type === 'run') {
      const busy = this.latestOnChannel.get(channel);
      if (busy !== undefined && this.pending.has(busy)) {
        this.dropWaiting(channel, new RuntimeError('superseded', 'A newer request replaced this one.'));
        return new Promise<Response>((resolve, reject) => this.waiting.set(channel, { request, resolve, reject, channel, onPartial }));
      }
    } else if (channel) {
      // A load or an inspection replaces the one before it at once: its answer would be stale.
      const previous = this.latestOnChannel.get(channel);
      const stale = previous === undefined ? undefined : this.pending.get(previous);
      if (previous !== undefined && stale) {
        this.pending.delete(previous);
        this.worker.postMessage({ type: 'cancel', id: previous });
        stale.reject(new RuntimeError('superseded', 'A newer request replaced this one.'));
      }
    }
    if (channel) this.latestOnChannel.set(channel, request.id);
    return new Promise<Response>((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject, channel, onPartial });
      this.worker.postMessage(request);
    });
  }

  private receive(message: Response): void {
    switch (message.type) {
      case 'progress':
        if (this.pending.has(message.id)) this.emit({ type: 'progress', stage: message.stage, fraction: message.fraction, bytes: message.bytes, files: message.files });
        return;
      case 'partial':
        // A cancelled or superseded run's parts are dropped like its result.
        this.pending.get(message.id)?.onPartial?.(message.partial);
        return;
      case 'loaded':
      case 'inspected':
      case 'result':
      case 'error': {
        const p = this.pending.get(message.id);
        // Superseded or cancelled requests' answers are dropped here.
        if (!p) return;
        this.pending.delete(message.id);
        if (p.channel && this.latestOnChannel.get(p.channel) === message.id) {
          this.latestOnChannel.delete(p.channel);
          this.sendWaiting(p.channel);
        }
        if (message.type === 'error') p.reject(new RuntimeError(message.error.code, message.error.message));
        else p.resolve(message);
        return;
      }
      default: {
        const unreachable: never = message;
        throw new Error(`Unknown response ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** The channel is free: its newest waiting run goes to the worker. */
  private sendWaiting(channel: string): void {
    const next = this.waiting.get(channel);
    if (!next) return;
    this.waiting.delete(channel);
    this.latestOnChannel.set(channel, next.request.id);
    this.pending.set(next.request.id, next);
    this.worker.postMessage(next.request);
  }

  private dropWaiting(channel: string, error: RuntimeError): void {
    const dropped = this.waiting.get(channel);
    if (!dropped) return;
    this.waiting.delete(channel);
    dropped.reject(error);
  }

  private emit(event: ClientEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
