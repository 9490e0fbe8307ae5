/** Models shipped with the app in static/models/<id>/: they work offline at first load. */
import type { Family } from '../runtime/protocol';

export interface BundledModel {
  readonly id: string;
  readonly family: Family;
  readonly label: string;
}

export const BUNDLED_MODELS: readonly BundledModel[] = Object.freeze([
  { id: 'shapes-clip', family: 'clip', label: 'shapes-clip · tiny CLIP on ShapesWorld (bundled)' },
]);
