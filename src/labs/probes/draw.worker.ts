/**
 * Draws the Probe lab's scenes off the page's thread: each scene as the labs draw samples
 * (128 px), shrunk to the side a model's worker takes it to first (see `suiteAtSide`), and
 * sent back with its pixels transferred, so a suite's 48 drawings cost the page nothing.
 */
import { drawAtSide, type DrawRequest, type DrawResponse } from './drawing';

self.onmessage = (event: MessageEvent<DrawRequest>) => {
  const { id, scenes, side } = event.data;
  const images = scenes.map((scene) => drawAtSide(scene, side));
  const response: DrawResponse = { id, images };
  (self as unknown as Worker).postMessage(response, images.map((image) => image.data.buffer as ArrayBuffer));
};
