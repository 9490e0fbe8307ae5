/** The hub model registry: its invariants, its pure helpers, and its numbers against the hub's own displays. */
import { describe, expect, it } from 'vitest';
import {
  DTYPE_ORDER, HUB_MODELS, defaultDtype, downloadBytes, dtypesOf, findHubModel, formatBytes, isRepoId, towerFiles,
  type Dtype, type HubModelEntry,
} from '../../src/lib/registry/hub-models';

const get = (id: string): HubModelEntry => {
  const e = findHubModel(id);
  if (!e) throw new Error(`missing ${id}`);
  return e;
};

/** A made-up entry for rules the real ones do not exercise. */
const synthetic = (files: HubModelEntry['files']): HubModelEntry => ({
  id: 'test/only', family: 'clip', label: 'test', revision: '0'.repeat(40), imageSize: 224, files,
});

describe('registry entries', () => {
  it('lists the five researched repos, once each', () => {
    const ids = HUB_MODELS.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ['Xenova/clip-vit-base-patch32', 'Xenova/clip-vit-base-patch16', 'Xenova/siglip-base-patch16-224', 'Xenova/mobileclip_s0', 'jinaai/jina-clip-v1']) {
      expect(ids).toContain(id);
    }
  });

  it.each(HUB_MODELS.map((m) => [m.id, m] as const))('%s is well formed', (_id, m) => {
    expect(isRepoId(m.id)).toBe(true);
    expect(m.revision).toMatch(/^[0-9a-f]{40}$/);
    expect(['clip', 'siglip', 'jina_clip']).toContain(m.family);
    expect(Number.isInteger(m.imageSize) && m.imageSize > 0).toBe(true);
    expect(m.files.fp32 !== undefined || m.files.q8 !== undefined).toBe(true);
    for (const d of dtypesOf(m)) {
      const s = m.files[d]!;
      for (const bytes of [s.text, s.vision]) expect(Number.isSafeInteger(bytes) && bytes > 0).toBe(true);
    }
    for (const d of m.unsizedDtypes ?? []) expect(m.files[d]).toBeUndefined();
  });

  it('is frozen all the way down', () => {
    expect(Object.isFrozen(HUB_MODELS)).toBe(true);
    for (const m of HUB_MODELS) {
      expect(Object.isFrozen(m)).toBe(true);
      expect(Object.isFrozen(m.files)).toBe(true);
      for (const d of dtypesOf(m)) expect(Object.isFrozen(m.files[d])).toBe(true);
      if (m.unsizedDtypes) expect(Object.isFrozen(m.unsizedDtypes)).toBe(true);
    }
    expect(() => { (HUB_MODELS[0].files.fp32 as { text: number }).text = 1; }).toThrow(TypeError);
  });

  it('families follow the repos: MobileCLIP runs on the CLIP classes', () => {
    expect(get('Xenova/clip-vit-base-patch32').family).toBe('clip');
    expect(get('Xenova/mobileclip_s0').family).toBe('clip');
    expect(get('Xenova/siglip-base-patch16-224').family).toBe('siglip');
    expect(get('jinaai/jina-clip-v1').family).toBe('jina_clip');
    expect(get('Xenova/mobileclip_s0').imageSize).toBe(256);
  });

  // Each exact byte count must round to what the hub's tree listing displayed for that file
  // (URLs in hub-models.ts); a typo in a 9-digit number would almost always break this.
  const shown: Record<string, Partial<Record<Dtype, readonly [string, string]>>> = {
    'Xenova/clip-vit-base-patch32': { fp32: ['254 MB', '352 MB'], fp16: ['127 MB', '176 MB'], q8: ['64.5 MB', '89.1 MB'] },
    'Xenova/clip-vit-base-patch16': { fp32: ['254 MB', '345 MB'], fp16: ['127 MB', '173 MB'], q8: ['64.5 MB', '87.5 MB'] },
    'Xenova/siglip-base-patch16-224': { fp32: ['441 MB', '372 MB'], fp16: ['221 MB', '186 MB'], q8: ['111 MB', '99.5 MB'] },
    'jinaai/jina-clip-v1': {
      fp32: ['548 MB', '344 MB'], fp16: ['274 MB', '172 MB'], q8: ['138 MB', '87.9 MB'], int8: ['138 MB', '87.9 MB'],
      uint8: ['138 MB', '87.9 MB'], q4: ['165 MB', '57.2 MB'], bnb4: ['158 MB', '51.9 MB'],
    },
    // Only the text fp16 display ("85 MB", blob page) was seen for MobileCLIP-S0.
  };
  it.each(Object.entries(shown))('%s sizes round to the hub listing', (id, table) => {
    const m = get(id);
    expect(dtypesOf(m)).toEqual(Object.keys(table).sort((a, b) => DTYPE_ORDER.indexOf(a as Dtype) - DTYPE_ORDER.indexOf(b as Dtype)));
    for (const [d, [text, vision]] of Object.entries(table) as [Dtype, readonly [string, string]][]) {
      expect(formatBytes(m.files[d]!.text)).toBe(text);
      expect(formatBytes(m.files[d]!.vision)).toBe(vision);
    }
    expect(formatBytes(get('Xenova/mobileclip_s0').files.fp16!.text)).toBe('85 MB');
  });

  it('marks display-only sizes as approximate and exact ones not', () => {
    expect(get('jinaai/jina-clip-v1').files.fp32!.approximate).toBe(true);
    for (const id of ['Xenova/clip-vit-base-patch32', 'Xenova/clip-vit-base-patch16', 'Xenova/siglip-base-patch16-224', 'Xenova/mobileclip_s0']) {
      for (const d of dtypesOf(get(id))) expect(get(id).files[d]!.approximate).toBeUndefined();
    }
  });
});

describe('towerFiles', () => {
  it('uses the transformers.js suffixes', () => {
    expect(towerFiles('fp32')).toEqual({ text: 'onnx/text_model.onnx', vision: 'onnx/vision_model.onnx' });
    expect(towerFiles('fp16')).toEqual({ text: 'onnx/text_model_fp16.onnx', vision: 'onnx/vision_model_fp16.onnx' });
    expect(towerFiles('q8')).toEqual({ text: 'onnx/text_model_quantized.onnx', vision: 'onnx/vision_model_quantized.onnx' });
    expect(towerFiles('q4f16').vision).toBe('onnx/vision_model_q4f16.onnx');
    expect(towerFiles('bnb4').text).toBe('onnx/text_model_bnb4.onnx');
  });
});

describe('downloadBytes', () => {
  it('sums the two towers (worked by hand)', () => {
    // 64,504,507 + 89,117,001
    expect(downloadBytes(get('Xenova/clip-vit-base-patch32'), 'q8')).toBe(153_621_508);
    // 254,058,553 + 345,060,583
    expect(downloadBytes(get('Xenova/clip-vit-base-patch16'), 'fp32')).toBe(599_119_136);
    // 42,799,238 + 11,846,843
    expect(downloadBytes(get('Xenova/mobileclip_s0'), 'q8')).toBe(54_646_081);
    // 547,534,356 + 344,000,000 (vision approximate)
    expect(downloadBytes(get('jinaai/jina-clip-v1'), 'fp32')).toBe(891_534_356);
    expect(downloadBytes(synthetic({ fp32: { text: 3, vision: 4 } }), 'fp32')).toBe(7);
  });

  it('refuses a dtype the entry does not list', () => {
    expect(() => downloadBytes(get('Xenova/clip-vit-base-patch32'), 'q4')).toThrow(RangeError);
    expect(() => downloadBytes(get('Xenova/mobileclip_s0'), 'int8')).toThrow(/mobileclip_s0 has no int8/);
  });
});

describe('defaultDtype', () => {
  const full = synthetic({ fp32: { text: 1, vision: 1 }, fp16: { text: 1, vision: 1 }, q8: { text: 1, vision: 1 } });
  const noQ8 = synthetic({ fp32: { text: 1, vision: 1 }, fp16: { text: 1, vision: 1 } });
  const noFp16 = synthetic({ fp32: { text: 1, vision: 1 }, q8: { text: 1, vision: 1 } });
  const q8Only = synthetic({ q8: { text: 1, vision: 1 } });

  it('WASM: q8 when the repo has it, else fp32; shader-f16 is irrelevant', () => {
    expect(defaultDtype(full, 'wasm', false)).toBe('q8');
    expect(defaultDtype(full, 'wasm', true)).toBe('q8');
    expect(defaultDtype(noQ8, 'wasm', false)).toBe('fp32');
    expect(defaultDtype(noQ8, 'wasm', true)).toBe('fp32');
    for (const m of HUB_MODELS) expect(defaultDtype(m, 'wasm', false)).toBe('q8');
  });

  it('WebGPU: fp32, or fp16 only when the adapter has shader-f16 and the repo has fp16', () => {
    expect(defaultDtype(full, 'webgpu', false)).toBe('fp32');
    expect(defaultDtype(full, 'webgpu', true)).toBe('fp16');
    expect(defaultDtype(noFp16, 'webgpu', true)).toBe('fp32');
    expect(defaultDtype(q8Only, 'webgpu', false)).toBe('q8');
    for (const m of HUB_MODELS) {
      expect(defaultDtype(m, 'webgpu', false)).toBe('fp32');
      expect(defaultDtype(m, 'webgpu', true)).toBe('fp16');
    }
  });
});

describe('isRepoId', () => {
  it.each([
    'Xenova/clip-vit-base-patch32', 'jinaai/jina-clip-v1', 'Xenova/mobileclip_s0', 'google/siglip-base-patch16-224',
    'a/b', 'user/Foo-BAR_foo.bar123', '0-hero/OIG-small-chip2', `owner/${'n'.repeat(96)}`,
  ])('accepts %s', (id) => expect(isRepoId(id)).toBe(true));

  it.each([
    '', 'clip', 'a/b/c', '/x', 'x/', '/', 'owner/na me', '../etc', './x', 'owner/-name', 'owner/name-', 'owner/.name',
    'owner/name.', 'owner/a--b', 'owner/a..b', 'owner/name.git', `owner/${'n'.repeat(97)}`, 'owner/né', 'owner\\name',
    ' owner/name', 'owner/name\n',
  ])('rejects %j', (id) => expect(isRepoId(id)).toBe(false));

  it('rejects non-strings', () => {
    for (const v of [undefined, null, 42, {}, ['a', 'b']]) expect(isRepoId(v)).toBe(false);
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1 kB'],
    [1500, '1.5 kB'],
    [1234, '1.23 kB'],
    [999_499, '999 kB'], // 999.499 kB → 3 digits → 999
    [999_500, '1 MB'], // 999.5 kB rounds up to 1000 kB, which is 1 MB
    [64_504_507, '64.5 MB'],
    [86_048_150, '86 MB'], // 86.0 → trailing zero dropped
    [254_058_553, '254 MB'],
    [1_234_567_890, '1.23 GB'],
    [2_000_000_000_000, '2 TB'],
  ])('%d → %s', (n, text) => expect(formatBytes(n)).toBe(text));

  it('refuses what is not a byte count', () => {
    for (const n of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => formatBytes(n)).toThrow(RangeError);
  });
});
