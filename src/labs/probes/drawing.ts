/**
 * A probe scene as a model's worker is sent it: drawn as the labs draw samples (128 px, square)
 * and shrunk to the side the worker shrinks every image to first (a dual encoder's shortest
 * edge, a VLM processor's longest edge: the same for a square), by the worker's own
 * `shrinkShortestEdge`, which leaves an image already that small as it is. The model reads the
 * same pixels, and a request carries 3 KB an image at 32 px (12 KB at shapes-smolvlm's 64)
 * instead of 49 KB. The drawing runs in a worker of its own (draw.worker.ts); `drawScenes`
 * asks it.
 */
import type { PixelsInput } from '../../lib/runtime/protocol';
import { renderScene } from '../../lib/shapes/render';
import { SAMPLE_RENDER_SIZE } from '../../lib/shapes/samples';
import type { Scene } from '../../lib/shapes/scene';
import { drawnInput } from '../contrastive/embedRequests';

export interface DrawRequest {
  readonly id: number;
  readonly scenes: readonly Scene[];
  /** The side to shrink to; Infinity keeps the 128-px drawing. */
  readonly side: number;
}

export interface DrawResponse {
  readonly id: number;
  readonly images: PixelsInput[];
}

export function drawAtSide(scene: Scene, side: number): PixelsInput {
  return drawnInput(renderScene(scene, SAMPLE_RENDER_SIZE), side) as PixelsInput;
}

let worker: Worker | null = null;
let next = 0;
const waiting = new Map<number, { resolve: (images: PixelsInput[]) => void; reject: (error: Error) => void }>();

/** Every scene drawn at `side`, in the drawing worker (started on first use, kept for the page). */
export function drawScenes(scenes: readonly Scene[], side: number): Promise<PixelsInput[]> {
  if (!worker) {
    worker = new Worker(new URL('./draw.worker.ts', import.meta.url), { type: 'module', name: 'probe-drawing' });
    worker.onmessage = (event: MessageEvent<DrawResponse>) => {
      waiting.get(event.data.id)?.resolve(event.data.images);
      waiting.delete(event.data.id);
    };
    worker.onerror = (event) => {
      for (const { reject } of waiting.values()) reject(new Error(`The scenes could not be drawn: ${event.message || 'the drawing worker failed'}.`));
      waiting.clear();
      worker?.terminate();
      worker = null;
    };
  }
  const id = next++;
  const request: DrawRequest = { id, scenes, side };
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    worker!.postMessage(request);
  });
}
