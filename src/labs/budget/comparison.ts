/**
 * One row's count beside transformers.js's count for the same size, and what to say about it:
 * agreement, or the difference, its cause and that the Python processor is the reference.
 */
import { CAUSES, differenceCause, TJS_FAMILIES, type TjsFamily } from '../../lib/budget/differences';
import type { TableRow } from '../../lib/budget/registry';
import type { Size } from '../../lib/budget/types';
import type { ReferenceAnswer } from '../../../workers/budget-reference.worker';

export interface Comparison {
  /** What the transformers.js column shows. */
  readonly text: string;
  /** null: nothing to compare (no processor, or not answered yet). */
  readonly agrees: boolean | null;
  readonly why: string;
}

const isTjs = (id: string): id is TjsFamily => (TJS_FAMILIES as readonly string[]).includes(id);

export function compareWithTjs(row: TableRow, size: Size, reference: ReferenceAnswer | null): Comparison {
  const id = row.architecture.id;
  if (!isTjs(id)) return { text: '—', agrees: null, why: 'transformers.js 4.3.2 has no processor for this family.' };
  if (!reference) return { text: '…', agrees: null, why: 'transformers.js is running its processor on a blank image of this size.' };
  const count = reference.counts[id];
  const collapsed = !('error' in count) && count.resized !== null && (count.resized.width === 0 || count.resized.height === 0);
  const theirs = 'error' in count || collapsed ? null : count.visualTokens;
  const ours = row.budget?.visualTokens ?? null;
  if (theirs === ours) return { text: theirs === null ? 'refused' : String(theirs), agrees: true, why: `Same count (${reference.how}).` };
  const cause = differenceCause(id, size);
  return {
    text: theirs === null ? 'fails' : String(theirs),
    agrees: false,
    why: `transformers.js gives ${theirs ?? 'no count'} where the Python processor (the reference) gives ${ours ?? 'a refusal'}: ${cause ? CAUSES[cause] : 'no known cause.'}`,
  };
}
