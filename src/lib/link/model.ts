/**
 * A model and its precision in a link, readable before anything mounts: main.ts starts the
 * linked bundled model's download first, as it does the default one's.
 */
import { parseHash } from './codec';
import { oneOf, readState, type Field } from './fields';
import type { Dtype } from '../runtime/protocol';

/** A model: a bundled id (`shapes-siglip`) or a hub repo (`owner/name`). Which ones a lab runs, it checks. */
export const modelId: Field<string> = {
  expects: 'a model id (shapes-clip, or owner/name on the hub)',
  parse: (raw) => (/^[A-Za-z0-9][\w.-]{0,95}(\/[A-Za-z0-9][\w.-]{0,95})?$/.test(raw) ? raw : undefined),
  format: (value) => value,
};
export const precision = oneOf<Dtype>(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4']);

/**
 * The model and precision a link gives a route, read before anything mounts (the page starts
 * that model's download first), or null.
 * @example linkedModel('#contrastive?model=shapes-siglip&dtype=fp32', 'contrastive') // { model: 'shapes-siglip', dtype: 'fp32' }
 */
export function linkedModel(hash: string, route: 'contrastive' | 'backbone'): { model: string; dtype?: Dtype } | null {
  const parsed = parseHash(hash);
  if (parsed.route !== route) return null;
  const { state } = readState({ model: modelId, dtype: precision }, parsed.entries.filter(([key]) => key === 'model' || key === 'dtype'));
  return state.model ? { model: state.model, ...(state.dtype ? { dtype: state.dtype } : {}) } : null;
}
