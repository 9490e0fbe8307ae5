/**
 * The forge's TypeScript commands read their flags the same way: `--name value`, with a default.
 * @example flag(['--count', '200'], 'count', '500') // '200'
 */
export function flag(argv: readonly string[], name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
}
