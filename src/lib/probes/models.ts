/**
 * The models the Probe lab scores, and how each scores a pair: a dual encoder's cosine, Llip's
 * caption-conditioned logit, CoCa's contrastive cosine or its caption likelihood, or a VLM's
 * answers to questions.
 */
import type { Family, ModelSource } from '../runtime/protocol';

export type ScoreKind = 'cosine' | 'llip' | 'coca-contrastive' | 'coca-likelihood' | 'answers';

export interface ProbeModel {
  /** Row key of the table: the model and how it scores. */
  readonly key: string;
  readonly label: string;
  readonly source: ModelSource;
  readonly family: Family;
  readonly score: ScoreKind;
}

const bundled = (id: string): ModelSource => ({ id, origin: 'bundled' });

export const BUNDLED_PROBE_MODELS: readonly ProbeModel[] = [
  { key: 'shapes-clip', label: 'shapes-clip (cosine)', source: bundled('shapes-clip'), family: 'clip', score: 'cosine' },
  { key: 'shapes-siglip', label: 'shapes-siglip (cosine)', source: bundled('shapes-siglip'), family: 'siglip', score: 'cosine' },
  { key: 'shapes-llip', label: 'shapes-llip (contextual logit)', source: bundled('shapes-llip'), family: 'llip', score: 'llip' },
  { key: 'shapes-coca:contrastive', label: 'shapes-coca (contrastive cosine)', source: bundled('shapes-coca'), family: 'coca', score: 'coca-contrastive' },
  { key: 'shapes-coca:likelihood', label: 'shapes-coca (caption likelihood)', source: bundled('shapes-coca'), family: 'coca', score: 'coca-likelihood' },
  { key: 'shapes-smolvlm', label: 'shapes-smolvlm (answers)', source: bundled('shapes-smolvlm'), family: 'smolvlm', score: 'answers' },
];

/** A hub repo as a probe model: its family decides the score once it has loaded. */
export function hubProbeModel(id: string, family: Family, revision?: string): ProbeModel {
  const score: ScoreKind = family === 'smolvlm' ? 'answers' : family === 'llip' ? 'llip' : family === 'coca' ? 'coca-contrastive' : 'cosine';
  return { key: `hub:${id}`, label: `${id} (hub, ${score === 'answers' ? 'answers' : 'cosine'})`, source: { id, origin: 'hub', ...(revision ? { revision } : {}) }, family, score };
}

/** Families a hub repo may be in for the Probe lab. */
export const PROBE_FAMILIES: readonly Family[] = ['clip', 'siglip', 'jina_clip', 'smolvlm'];
