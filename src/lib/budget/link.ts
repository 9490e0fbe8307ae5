/**
 * The explorer's link: `#budget?w=1920&h=1080` opens it on a blank image of that size, and the
 * page writes the current size back into it, so a size can be shared.
 */

/**
 * The width and height a link asks for, as typed text (checked like typed input), or null when
 * the hash is not the explorer's or carries no size.
 * @example sizeFromHash('#budget?w=1920&h=1080') // { width: '1920', height: '1080' }
 */
export function sizeFromHash(hash: string): { width: string; height: string } | null {
  const [route, query = ''] = hash.replace(/^#/, '').split('?');
  if (route !== 'budget') return null;
  const params = new URLSearchParams(query);
  const width = params.get('w');
  const height = params.get('h');
  return width === null || height === null ? null : { width, height };
}

/** The hash for a size. */
export function hashForSize(width: number, height: number): string {
  return `#budget?w=${width}&h=${height}`;
}
