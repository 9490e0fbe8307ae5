/**
 * The prompt an image expands to, kept as runs (`<image>` × 576 is one segment, not 576
 * strings), with the counts the table shows and the text the page prints.
 */
import type { Segment } from './types';

/** Builds a segment list, merging a run into the previous one when it repeats the same text. */
export class SequenceBuilder {
  private readonly segments: Segment[] = [];

  image(text: string, count: number): this {
    return this.push({ text, count, kind: 'image' });
  }

  marker(text: string, count = 1): this {
    return this.push({ text, count, kind: 'marker' });
  }

  text(text: string, count = 1): this {
    return this.push({ text, count, kind: 'text' });
  }

  build(): readonly Segment[] {
    return this.segments;
  }

  private push(segment: Segment): this {
    if (segment.count <= 0) return this;
    const last = this.segments.at(-1);
    if (last && last.text === segment.text && last.kind === segment.kind) {
      this.segments[this.segments.length - 1] = { ...last, count: last.count + segment.count };
    } else {
      this.segments.push(segment);
    }
    return this;
  }
}

/** Tokens of one kind in a sequence (markers and image placeholders are one token each). */
export function countKind(segments: readonly Segment[], kind: Segment['kind']): number {
  let total = 0;
  for (const s of segments) if (s.kind === kind) total += s.count;
  return total;
}

/**
 * The sequence as text, with long runs written `<image>×64` so a 5000-token prompt stays
 * readable; newlines are shown as `\n` then broken.
 * @example sequenceText([{ text: '<image>', count: 3, kind: 'image' }]) // '<image>×3'
 */
export function sequenceText(segments: readonly Segment[], spellOutUpTo = 2): string {
  return segments
    .map((s) => {
      const shown = s.text === '\n' ? '\\n\n' : s.text;
      return s.count <= spellOutUpTo ? shown.repeat(s.count) : `${s.text === '\n' ? '\\n' : s.text}×${s.count}${s.text === '\n' ? '\n' : ''}`;
    })
    .join('');
}

/** The full prompt text, every token spelled out (what the Python processor writes). */
export function expandedText(segments: readonly Segment[]): string {
  return segments.map((s) => s.text.repeat(s.count)).join('');
}
