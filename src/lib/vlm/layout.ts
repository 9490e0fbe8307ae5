/**
 * How an Idefics3 / SmolVLM prompt is laid out: which of its tokens are text, which are the
 * image-layout markers (`<fake_token_around_image>`, `<row_r_col_c>`, `<global-img>`), and which
 * are visual tokens of which frame; where each visual token comes from in its frame (the pixel
 * shuffle); and an answer token's attention row split the same way. Pure functions over the
 * processor's real token ids and the graphs' real attentions: nothing is recomputed.
 */
import type { PromptSegment } from '../runtime/protocol';

/**
 * Cuts the expanded token ids into runs. Visual tokens are numbered frame by frame, in the
 * order the processor wrote them (tiles row by row, then the global image).
 * @example promptSegments([5, 9, 7, 7, 9, 6], { imageTokenId: 7, markerIds: new Set([9]), imageSeqLen: 2 })
 * // [{kind:'text',start:0,length:1}, {kind:'marker',start:1,length:1}, {kind:'image',start:2,length:2,frame:0}, {kind:'marker',…}, {kind:'text',…}]
 */
export function promptSegments(
  ids: readonly number[],
  { imageTokenId, markerIds, imageSeqLen }: { imageTokenId: number; markerIds: ReadonlySet<number>; imageSeqLen: number },
): PromptSegment[] {
  const segments: PromptSegment[] = [];
  let visual = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    const kind: PromptSegment['kind'] = id === imageTokenId ? 'image' : markerIds.has(id) ? 'marker' : 'text';
    const frame = kind === 'image' ? Math.floor(visual++ / imageSeqLen) : undefined;
    const last = segments[segments.length - 1];
    // A frame's tokens form one run even when two frames' tokens touch.
    if (last && last.kind === kind && last.frame === frame && kind !== 'marker') {
      segments[segments.length - 1] = { ...last, length: last.length + 1 };
    } else {
      segments.push(frame === undefined ? { kind, start: i, length: 1 } : { kind, start: i, length: 1, frame });
    }
  }
  return segments;
}

/** Visual tokens per side of a frame (the connector's output is square). */
export function tokenGridSide(imageSeqLen: number): number {
  const side = Math.round(Math.sqrt(imageSeqLen));
  if (side * side !== imageSeqLen) throw new RangeError(`${imageSeqLen} visual tokens do not make a square grid`);
  return side;
}

/**
 * The patches one visual token was made of. Idefics3's pixel shuffle folds each
 * `scaleFactor × scaleFactor` block of neighbouring patch features into one token, blocks in
 * row-major order: token k is block (⌊k / side⌋, k mod side).
 * @example shuffledPatches(5, 16, 2) // { row: 1, col: 1, patches: [[2,2],[2,3],[3,2],[3,3]] }
 */
export function shuffledPatches(token: number, imageSeqLen: number, scaleFactor: number): { row: number; col: number; patches: [number, number][] } {
  const side = tokenGridSide(imageSeqLen);
  if (token < 0 || token >= imageSeqLen) throw new RangeError(`token ${token} is not in 0..${imageSeqLen - 1}`);
  const row = Math.floor(token / side);
  const col = token % side;
  const patches: [number, number][] = [];
  for (let r = 0; r < scaleFactor; r++) for (let c = 0; c < scaleFactor; c++) patches.push([row * scaleFactor + r, col * scaleFactor + c]);
  return { row, col, patches };
}

/** One answer token's attention, split as the prompt is: a grid per frame, and the other positions. */
export interface SplitAttention {
  /** Per frame, its visual tokens' weights in the connector's row-major grid. */
  readonly frames: Float32Array[];
  /** Every other position (text, markers, earlier answer tokens), with its weight. */
  readonly others: { readonly position: number; readonly kind: 'text' | 'marker' | 'answer'; readonly weight: number }[];
  readonly visualTotal: number;
  readonly textTotal: number;
}

/**
 * Splits an attention row over `[prompt …, answer so far …]` positions by the prompt's segments.
 * Positions past the prompt are the answer's own earlier tokens.
 */
export function splitAttention(row: ArrayLike<number>, segments: readonly PromptSegment[], imageSeqLen: number): SplitAttention {
  const frameCount = segments.reduce((n, s) => (s.kind === 'image' ? Math.max(n, (s.frame ?? 0) + 1) : n), 0);
  const frames = Array.from({ length: frameCount }, () => new Float32Array(imageSeqLen));
  const others: SplitAttention['others'][number][] = [];
  let visualTotal = 0;
  let textTotal = 0;
  let promptLength = 0;
  let seen = 0;
  for (const s of segments) {
    promptLength = Math.max(promptLength, s.start + s.length);
    for (let i = s.start; i < s.start + s.length && i < row.length; i++) {
      if (s.kind === 'image') {
        frames[s.frame ?? 0][seen++ % imageSeqLen] = row[i];
        visualTotal += row[i];
      } else {
        others.push({ position: i, kind: s.kind, weight: row[i] });
        textTotal += row[i];
      }
    }
  }
  for (let i = promptLength; i < row.length; i++) {
    others.push({ position: i, kind: 'answer', weight: row[i] });
    textTotal += row[i];
  }
  return { frames, others, visualTotal, textTotal };
}

/** Token counts of a prompt by kind, for the prompt view's summary. */
export function segmentCounts(segments: readonly PromptSegment[]): { text: number; marker: number; image: number; frames: number } {
  const counts = { text: 0, marker: 0, image: 0, frames: 0 };
  for (const s of segments) {
    counts[s.kind] += s.length;
    if (s.kind === 'image') counts.frames = Math.max(counts.frames, (s.frame ?? 0) + 1);
  }
  return counts;
}

/** A frame's name: the tiles come row by row, then the global image. */
export function frameName(frame: number, rows: number, cols: number): string {
  return frame < rows * cols ? `tile row ${Math.floor(frame / cols) + 1}, column ${(frame % cols) + 1}` : 'global image';
}
