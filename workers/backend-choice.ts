/**
 * Which backend runs a model, and why. A WebGPU adapter existing is not enough: headless and
 * GPU-less browsers offer a software adapter (SwiftShader, llvmpipe), which runs these models
 * 40–70× slower than WASM, and a tiny model (the bundled ones: a few MB) can be faster on
 * WASM than on a real GPU, whose per-kernel dispatch costs more than the work. So `auto`:
 * 1. no adapter → WASM;
 * 2. an adapter the browser reports as a fallback (`adapter.info.isFallbackAdapter`) → WASM;
 * 3. a small model → whichever backend ran one warm forward faster, measured once in this
 *    browser (per model, precision and adapter) and remembered; until measured, the model
 *    loads on both, is timed, and keeps the faster;
 * 4. a large model → WebGPU, unless the adapter names itself a software renderer (for browsers
 *    that do not report `isFallbackAdapter`).
 * `chooseBackend` is the pure rule; `adapterFacts` asks the browser (in the page or the worker);
 * backend-facts.ts holds the worker's remembered measurements.
 */
import type { Device, DevicePreference } from '../src/lib/runtime/protocol';

export interface AdapterFacts {
  readonly present: boolean;
  /** `adapter.info.isFallbackAdapter`; undefined where the browser does not report it. */
  readonly fallback: boolean | undefined;
  /** Vendor, architecture and description, as the adapter gives them ("" when none). */
  readonly name: string;
}

interface AdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}
interface AdapterLike {
  readonly info?: AdapterInfoLike;
  /** The attribute before `info.isFallbackAdapter` (Chromium < 136). */
  readonly isFallbackAdapter?: boolean;
}
type GpuLike = { requestAdapter(options?: { powerPreference?: string }): Promise<AdapterLike | null> };

/**
 * The adapter ORT would get (it asks for high performance too). The page asks once, while the
 * worker's script is still loading, and sends the answer with each load: asking takes a
 * software adapter's GPU process hundreds of milliseconds to start.
 */
export async function adapterFacts(): Promise<AdapterFacts> {
  const gpu = (navigator as Navigator & { gpu?: GpuLike }).gpu;
  const adapter = gpu ? await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null) : null;
  if (!adapter) return { present: false, fallback: undefined, name: '' };
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ').trim();
  return { present: true, fallback: info.isFallbackAdapter ?? adapter.isFallbackAdapter, name };
}

/** Median warm-forward times of one model on each backend, in ms. */
export interface Measurement {
  readonly wasmMs: number;
  readonly webgpuMs: number;
}

export interface BackendFacts {
  readonly preference: DevicePreference;
  readonly adapter: AdapterFacts;
  /** Bytes of the model's graphs when known (the bundled models are small). */
  readonly small: boolean;
  /** This browser's remembered measurement for the model on this adapter, if any. */
  readonly measured?: Measurement;
}

export interface BackendChoice {
  readonly device: Device;
  /** Why, for the runtime panel. */
  readonly reason: string;
  /** Shown as a warning: the preference could not be followed. */
  readonly note?: string;
  /** Load on both backends, time one warm forward on each, keep the faster (then remember it). */
  readonly measure?: boolean;
}

/** Graphs up to this size count as small: a GPU's dispatch overhead can outweigh their work. */
export const SMALL_MODEL_BYTES = 20e6;

/** Software renderers that browsers not reporting `isFallbackAdapter` still name. */
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|basic render|warp/i;

const ms = (x: number) => (x < 10 ? x.toFixed(1) : x.toFixed(0));

/** The backend for a load, from the facts the worker gathered. */
export function chooseBackend(facts: BackendFacts): BackendChoice {
  const { preference, adapter } = facts;
  const named = adapter.name ? ` (${adapter.name})` : '';
  if (preference === 'wasm') return { device: 'wasm', reason: 'WASM, as chosen.' };
  if (preference === 'webgpu') {
    if (!adapter.present) {
      return { device: 'wasm', reason: 'WebGPU was chosen, but this browser has no WebGPU adapter.', note: 'WebGPU is not available in this browser, so the model runs on WASM.' };
    }
    const software = adapter.fallback === true || SOFTWARE_ADAPTER.test(adapter.name);
    return { device: 'webgpu', reason: `WebGPU, as chosen${named}.${software ? ' This adapter is a software renderer: WASM is faster here.' : ''}` };
  }
  if (!adapter.present) return { device: 'wasm', reason: 'Auto: this browser has no WebGPU adapter, so WASM.' };
  if (adapter.fallback === true) {
    return { device: 'wasm', reason: `Auto: the browser's WebGPU adapter${named} is a software fallback, slower than WASM, so WASM.` };
  }
  if (facts.small) {
    const m = facts.measured;
    if (!m) return { device: 'wasm', reason: 'Auto: measuring one warm forward on each backend.', measure: true };
    const device: Device = m.webgpuMs < m.wasmMs ? 'webgpu' : 'wasm';
    return {
      device,
      reason: `Auto: a small model, measured once in this browser: one warm forward took ${ms(m.wasmMs)} ms on WASM and ${ms(m.webgpuMs)} ms on WebGPU${named}, so ${device === 'wasm' ? 'WASM' : 'WebGPU'}.`,
    };
  }
  if (adapter.fallback === undefined && SOFTWARE_ADAPTER.test(adapter.name)) {
    return { device: 'wasm', reason: `Auto: the WebGPU adapter${named} is a software renderer, slower than WASM, so WASM.` };
  }
  return { device: 'webgpu', reason: `Auto: a large model and a hardware WebGPU adapter${named}, so WebGPU.` };
}
