/** The runtime's failures, sorted into codes and messages a person can act on. */
import { describe, expect, it } from 'vitest';
import { classify, UnsupportedModelError } from '../../workers/errors';

describe('classify', () => {
  const cases: [unknown, string, RegExp][] = [
    [new UnsupportedModelError('"a/b" is a bert model.'), 'unsupported-model', /bert model/],
    [new SyntaxError("Unexpected token '<', \"<!doctype \"... is not valid JSON"), 'model-invalid', /web page, not the JSON/],
    [new TypeError('network error'), 'download-cut', /was cut before it finished.*load it again/],
    [new Error('Could not locate file: "https://x/resolve/main/tokenizer.json".'), 'model-missing', /missing/],
    [new Error('failed to load model: protobuf parsing failed'), 'model-invalid', /could not be read/],
    [new Error('GPUDevice was lost'), 'gpu-lost', /Switching to WASM/],
    [new Error('no available backend found. ERR: [wasm] ...'), 'backend-unavailable', /Choose WASM/],
    ['something odd', 'internal', /something odd/],
  ];
  for (const [error, code, message] of cases) {
    it(`${code}: ${String(error instanceof Error ? error.message : error).slice(0, 40)}`, () => {
      const sorted = classify(error, 'a/b');
      expect(sorted.code).toBe(code);
      expect(sorted.message).toMatch(message);
    });
  }
});
