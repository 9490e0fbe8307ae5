import { describe, expect, it } from 'vitest';
import { chooseBackend, type AdapterFacts } from '../../workers/backend-choice';

const NONE: AdapterFacts = { present: false, fallback: undefined, name: '' };
const SWIFTSHADER: AdapterFacts = { present: true, fallback: true, name: 'google swiftshader' };
const UNREPORTED_SOFTWARE: AdapterFacts = { present: true, fallback: undefined, name: 'mesa llvmpipe' };
const GPU: AdapterFacts = { present: true, fallback: false, name: 'nvidia ampere' };
const UNREPORTED_GPU: AdapterFacts = { present: true, fallback: undefined, name: 'apple metal-3' };

describe('chooseBackend', () => {
  it('follows an explicit WASM choice without looking at the adapter', () => {
    expect(chooseBackend({ preference: 'wasm', adapter: GPU, small: false })).toMatchObject({ device: 'wasm', reason: 'WASM, as chosen.' });
  });

  it('runs an explicit WebGPU choice even on a software adapter, and says it is slower there', () => {
    const choice = chooseBackend({ preference: 'webgpu', adapter: SWIFTSHADER, small: true });
    expect(choice.device).toBe('webgpu');
    expect(choice.reason).toMatch(/software renderer: WASM is faster here/);
    expect(choice.note).toBeUndefined();
  });

  it('falls back to WASM with a note when WebGPU is chosen but there is no adapter', () => {
    const choice = chooseBackend({ preference: 'webgpu', adapter: NONE, small: true });
    expect(choice).toMatchObject({ device: 'wasm', note: 'WebGPU is not available in this browser, so the model runs on WASM.' });
  });

  it('never runs auto on an adapter the browser reports as a fallback, whatever the model', () => {
    for (const small of [true, false]) {
      const choice = chooseBackend({ preference: 'auto', adapter: SWIFTSHADER, small, measured: { wasmMs: 9, webgpuMs: 1 } });
      expect(choice.device).toBe('wasm');
      expect(choice.reason).toMatch(/google swiftshader\) is a software fallback/);
      expect(choice.measure).toBeUndefined();
    }
  });

  it('runs auto on WASM when there is no adapter', () => {
    expect(chooseBackend({ preference: 'auto', adapter: NONE, small: false })).toMatchObject({ device: 'wasm', reason: 'Auto: this browser has no WebGPU adapter, so WASM.' });
  });

  it('asks for a measurement of a small model on a hardware (or unreported) adapter', () => {
    for (const adapter of [GPU, UNREPORTED_GPU, UNREPORTED_SOFTWARE]) {
      expect(chooseBackend({ preference: 'auto', adapter, small: true })).toMatchObject({ device: 'wasm', measure: true });
    }
  });

  it('keeps the faster backend of a remembered measurement and gives both times', () => {
    const wasm = chooseBackend({ preference: 'auto', adapter: GPU, small: true, measured: { wasmMs: 0.42, webgpuMs: 3.1 } });
    expect(wasm.device).toBe('wasm');
    expect(wasm.reason).toContain('0.4 ms on WASM and 3.1 ms on WebGPU (nvidia ampere), so WASM');
    const gpu = chooseBackend({ preference: 'auto', adapter: GPU, small: true, measured: { wasmMs: 40, webgpuMs: 12 } });
    expect(gpu).toMatchObject({ device: 'webgpu' });
    expect(gpu.reason).toContain('40 ms on WASM and 12 ms on WebGPU');
  });

  it('counts a WebGPU load that failed during the measurement (Infinity) as slower', () => {
    expect(chooseBackend({ preference: 'auto', adapter: GPU, small: true, measured: { wasmMs: 5, webgpuMs: Infinity } }).device).toBe('wasm');
  });

  it('runs a large model on a hardware adapter, and on WASM when an unreported adapter names a software renderer', () => {
    expect(chooseBackend({ preference: 'auto', adapter: GPU, small: false }).device).toBe('webgpu');
    expect(chooseBackend({ preference: 'auto', adapter: UNREPORTED_GPU, small: false }).device).toBe('webgpu');
    const software = chooseBackend({ preference: 'auto', adapter: UNREPORTED_SOFTWARE, small: false });
    expect(software.device).toBe('wasm');
    expect(software.reason).toMatch(/llvmpipe\) is a software renderer/);
  });
});
