/**
 * The Token lab's exports: a generated image as PNG (its 32 × 32 pixels scaled up without
 * smoothing, so each pixel stays a square), and a drawing's or a caption's token sequence as JSON.
 */
import { pixelsCanvas } from '../../components/pixelsCanvas';
import type { Sampling, TaskResult } from '../../lib/runtime/protocol';

export function pngBlob(rgb: Uint8ClampedArray, size: number, scale = 8): Promise<Blob> {
  const canvas = Object.assign(document.createElement('canvas'), { width: size * scale, height: size * scale });
  const context = canvas.getContext('2d');
  if (!context) return Promise.reject(new Error('The browser gives no canvas to draw the PNG on.'));
  context.imageSmoothingEnabled = false;
  context.drawImage(pixelsCanvas(rgb, size), 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The browser could not encode the PNG.'))), 'image/png'));
}

type Sequence = Extract<TaskResult, { kind: 'draw' | 'write-caption' }>;

/**
 * The sequence as the model read and wrote it: the prompt's and each chosen token's id and piece
 * (with the code index for image codes), each choice's probability; for a drawing also the code
 * grid and the decoded pixel values (`[3, S, S]`, normalised as the model outputs them).
 */
export function sequenceJson(model: string, request: { caption?: string; codes?: readonly number[]; sampling: Sampling }, result: Sequence): Blob {
  const json = {
    model,
    task: result.kind,
    ...request,
    prompt: result.prompt,
    steps: result.steps.map(({ id, piece, code, probability }) => ({ id, piece, code, probability })),
    ids: [...result.prompt.map((t) => t.id), ...result.steps.map((s) => s.id)],
    stopped: result.stopped,
    ...(result.kind === 'draw'
      ? { guidance: result.guidance, codes: result.codes, pixel_values: { dims: result.pixels.dims, data: Array.from(result.pixels.data) }, mean: result.mean, std: result.std }
      : { text: result.text }),
  };
  return new Blob([`${JSON.stringify(json, null, 1)}\n`], { type: 'application/json' });
}
