/** InferenceClient against a fake worker, and the protocol's transferables. */
import { describe, expect, it } from 'vitest';
import { InferenceClient, RuntimeError, type ClientEvent, type WorkerLike } from '../../src/lib/runtime/client';
import { transferables, type ModelInfo, type Request, type Response, type TaskResult, type Timing } from '../../src/lib/runtime/protocol';

class FakeWorker implements WorkerLike {
  readonly posted: Request[] = [];
  terminated = false;
  onmessage: ((event: MessageEvent<Response>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  postMessage(message: Request): void { this.posted.push(message); }
  terminate(): void { this.terminated = true; }
  answer(response: Response): void { this.onmessage?.({ data: response } as MessageEvent<Response>); }
  crash(message: string): void { this.onerror?.({ message, preventDefault() {} } as ErrorEvent); }
  last<T extends Request['type']>(type: T): Extract<Request, { type: T }> {
    const found = this.posted.filter((m) => m.type === type);
    if (!found.length) throw new Error(`no ${type} posted`);
    return found[found.length - 1] as Extract<Request, { type: T }>;
  }
}

function setup() {
  const workers: FakeWorker[] = [];
  const client = new InferenceClient(() => { const w = new FakeWorker(); workers.push(w); return w; });
  const events: ClientEvent[] = [];
  client.subscribe((e) => events.push(e));
  return { client, workers, events, worker: () => workers[workers.length - 1] };
}

const model = { id: 'shapes-clip', origin: 'bundled' } as const;
const info = (note?: string): ModelInfo => ({
  source: model, family: 'clip', device: 'wasm', dtype: 'fp32', imageSize: 32, embedDim: 4, maxTextTokens: 16, logitScale: 20, logitBias: null, scaleSource: 'graph', threads: 1, loadMs: 5, note,
});
const timing: Timing = { device: 'wasm', dtype: 'fp32', modelMs: 1, totalMs: 2 };
const textResult = (x: number) => ({ kind: 'text-embeds', embeds: { dims: [1, 1], data: new Float32Array([x]) }, outcomes: [{ tokens: 3, unknownWords: [] }] } satisfies TaskResult);
const task = { kind: 'text-embeds', texts: ['a red circle'] } as const;
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const settled = <T>(p: Promise<T>) => { const state = { done: false }; p.then(() => (state.done = true), () => (state.done = true)); return state; };

describe('InferenceClient', () => {
  it('load posts a load request and resolves with the loaded info', async () => {
    const { client, worker, events } = setup();
    const loading = client.load(model, 'webgpu');
    const request = worker().last('load');
    expect(request).toMatchObject({ type: 'load', model, device: 'webgpu' });
    worker().answer({ type: 'progress', id: request.id, stage: 'weights', fraction: 0.5 });
    worker().answer({ type: 'loaded', id: request.id, info: info('x') });
    await expect(loading).resolves.toEqual(info('x'));
    expect(events).toEqual([{ type: 'progress', stage: 'weights', fraction: 0.5 }, { type: 'loaded', info: info('x') }]);
  });

  it('run resolves with the result and timing of its own request', async () => {
    const { client, worker } = setup();
    const a = client.run(task);
    const b = client.run(task);
    const [ra, rb] = worker().posted as Extract<Request, { type: 'run' }>[];
    expect(ra.id).not.toBe(rb.id);
    expect(ra.task).toEqual(task);
    worker().answer({ type: 'result', id: rb.id, result: textResult(2), timing });
    worker().answer({ type: 'result', id: ra.id, result: textResult(1), timing });
    expect(await a).toEqual({ result: textResult(1), timing });
    expect(await b).toEqual({ result: textResult(2), timing });
  });

  it('one run per channel in flight: a newer one waits, replaces the one waiting unsent, and goes once the first answers', async () => {
    const { client, worker } = setup();
    const runs = () => worker().posted.filter((m) => m.type === 'run') as Extract<Request, { type: 'run' }>[];
    const first = client.run(task, 'lab');
    const firstId = worker().last('run').id;
    const second = client.run({ kind: 'text-embeds', texts: ['b'] }, 'lab');
    const third = client.run({ kind: 'text-embeds', texts: ['c'] }, 'lab');
    expect(runs()).toHaveLength(1);
    const error = await second.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as RuntimeError).code).toBe('superseded');
    expect(worker().posted.some((m) => m.type === 'cancel')).toBe(false);
    // The run in flight answers its caller; only then is the newest input sent.
    worker().answer({ type: 'result', id: firstId, result: textResult(1), timing });
    expect((await first).result).toEqual(textResult(1));
    expect(runs().map((r) => r.task)).toEqual([task, { kind: 'text-embeds', texts: ['c'] }]);
    const state = settled(third);
    await flush();
    expect(state.done).toBe(false);
    worker().answer({ type: 'result', id: runs()[1].id, result: textResult(3), timing });
    expect((await third).result).toEqual(textResult(3));
    // The channel is free again: the next run goes at once.
    void client.run(task, 'lab');
    expect(runs()).toHaveLength(3);
  });

  it('an error in flight frees the channel for the waiting run; cancel drops the waiting run unsent', async () => {
    const { client, worker } = setup();
    const runs = () => worker().posted.filter((m) => m.type === 'run');
    const first = client.run(task, 'lab').catch((e: unknown) => e);
    const waiting = client.run(task, 'lab');
    worker().answer({ type: 'error', id: runs()[0].id, error: { code: 'bad-input', message: 'No.' } });
    expect(await first).toMatchObject({ code: 'bad-input' });
    expect(runs()).toHaveLength(2);
    worker().answer({ type: 'result', id: runs()[1].id, result: textResult(2), timing });
    expect((await waiting).result).toEqual(textResult(2));
    const inFlight = client.run(task, 'lab');
    const held = client.run(task, 'lab');
    client.cancel('lab');
    await expect(inFlight).rejects.toMatchObject({ code: 'cancelled' });
    await expect(held).rejects.toMatchObject({ code: 'cancelled' });
    expect(runs()).toHaveLength(3);
  });

  it('a load replaces the load before it at once and drops its late answer', async () => {
    const { client, worker } = setup();
    const first = client.load(model, 'wasm');
    const firstId = worker().last('load').id;
    const second = client.load(model, 'webgpu');
    await expect(first).rejects.toMatchObject({ code: 'superseded' });
    expect(worker().last('cancel').id).toBe(firstId);
    worker().answer({ type: 'loaded', id: firstId, info: info('late') }); // dropped
    worker().answer({ type: 'loaded', id: worker().last('load').id, info: info('new') });
    expect(await second).toEqual(info('new'));
  });

  it('runs on other channels or without one are not superseded', async () => {
    const { client, worker } = setup();
    const a = client.run(task, 'a');
    const b = client.run(task, 'b');
    const c = client.run(task);
    const [ia, ib, ic] = worker().posted.map((m) => m.id);
    expect(worker().posted.some((m) => m.type === 'cancel')).toBe(false);
    for (const [id, x] of [[ia, 1], [ib, 2], [ic, 3]]) worker().answer({ type: 'result', id, result: textResult(x), timing });
    expect((await a).result).toEqual(textResult(1));
    expect((await b).result).toEqual(textResult(2));
    expect((await c).result).toEqual(textResult(3));
  });

  it('rejects with a RuntimeError carrying the worker error code', async () => {
    const { client, worker } = setup();
    const run = client.run(task);
    worker().answer({ type: 'error', id: worker().last('run').id, error: { code: 'bad-input', message: 'No texts.' } });
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuntimeError);
    expect(error).toMatchObject({ code: 'bad-input', message: 'No texts.', name: 'RuntimeError' });
    const load = client.load(model);
    worker().answer({ type: 'error', id: worker().last('load').id, error: { code: 'model-missing', message: 'Not found.' } });
    await expect(load).rejects.toMatchObject({ code: 'model-missing' });
  });

  it('cancel rejects what waits on the channel and tells the worker', async () => {
    const { client, worker } = setup();
    const a = client.run(task, 'lab');
    const aId = worker().last('run').id;
    const other = client.run(task, 'other');
    client.cancel('lab');
    await expect(a).rejects.toMatchObject({ code: 'cancelled' });
    expect(worker().posted.filter((m) => m.type === 'cancel')).toEqual([{ type: 'cancel', id: aId }]);
    const state = settled(other);
    await flush();
    expect(state.done).toBe(false);
    worker().answer({ type: 'result', id: aId, result: textResult(9), timing }); // dropped
    client.cancel('nothing-here');
    expect(worker().posted.filter((m) => m.type === 'cancel')).toHaveLength(1);
  });

  it('restarts a crashed worker, rejects what was pending and reloads the model', async () => {
    const { client, workers, worker, events } = setup();
    const loading = client.load(model, 'wasm');
    worker().answer({ type: 'loaded', id: worker().last('load').id, info: info() });
    await loading;
    const pending = client.run(task, 'lab');
    const plain = client.run(task).catch((e: unknown) => e);
    const old = worker();
    expect(workers).toHaveLength(1);
    old.crash('out of memory');
    await expect(pending).rejects.toMatchObject({ code: 'crashed' });
    expect(await plain).toBeInstanceOf(RuntimeError);
    expect(await plain).toMatchObject({ code: 'crashed' });
    expect(workers).toHaveLength(2);
    expect(old.terminated).toBe(true);
    expect(client.restartCount).toBe(1);
    const reload = worker().last('load');
    expect(reload).toMatchObject({ model, device: 'wasm' });
    expect(events.map((e) => e.type)).toEqual(['loaded', 'crashed']);
    expect(events[1]).toEqual({ type: 'crashed', message: 'out of memory' });
    worker().answer({ type: 'loaded', id: reload.id, info: info() });
    await flush();
    expect(events.map((e) => e.type)).toEqual(['loaded', 'crashed', 'loaded', 'restarted']);
    const after = client.run(task, 'lab'); // the new worker serves requests
    worker().answer({ type: 'result', id: worker().last('run').id, result: textResult(4), timing });
    expect((await after).result).toEqual(textResult(4));
  });

  it('restarts without reloading when nothing was loaded', async () => {
    const { client, workers, worker, events } = setup();
    worker().crash('');
    await flush();
    expect(workers).toHaveLength(2);
    expect(worker().posted).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['crashed', 'restarted']);
    expect((events[0] as { message: string }).message.length).toBeGreaterThan(0);
  });

  it('crashWorker posts a crash request; dispose terminates and rejects', async () => {
    const { client, worker } = setup();
    client.crashWorker();
    expect(worker().last('crash').type).toBe('crash');
    const run = client.run(task);
    client.dispose();
    expect(worker().terminated).toBe(true);
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
  });
});

describe('transferables', () => {
  it('lists the embeds buffer of a text result', () => {
    const result = textResult(1);
    expect(transferables({ type: 'result', id: 1, result, timing })).toEqual([result.embeds.data.buffer]);
  });

  it('lists embeds, attentions and model inputs of an image result, once each', () => {
    const embeds = new Float32Array(8), attentions = new Float32Array(16), input = new Uint8ClampedArray(12);
    const result: TaskResult = {
      kind: 'image-embeds',
      embeds: { dims: [2, 4], data: embeds },
      attentions: { dims: [2, 1, 1, 2, 2], data: attentions },
      outcomes: [
        { ok: true, width: 2, height: 2, modelInput: input, notes: [] },
        { ok: false, message: 'not an image' },
        { ok: true, width: 2, height: 2, modelInput: input.subarray(0, 6), notes: [] }, // same buffer again
      ],
    };
    const list = transferables({ type: 'result', id: 1, result, timing });
    expect(list).toHaveLength(3);
    for (const buffer of [embeds.buffer, attentions.buffer, input.buffer]) expect(list).toContain(buffer);
  });

  it('transfers nothing with requests or other responses', () => {
    const pixels = { kind: 'pixels', width: 1, height: 1, channels: 3, data: new Uint8ClampedArray(3) } as const;
    expect(transferables({ type: 'run', id: 1, task: { kind: 'image-embeds', images: [pixels] } })).toEqual([]);
    expect(transferables({ type: 'run', id: 1, task })).toEqual([]);
    expect(transferables({ type: 'loaded', id: 1, info: info() })).toEqual([]);
  });
});
