/**
 * What the browser's model cache holds, grouped by model. transformers.js stores every hub
 * file it downloads in Cache Storage under its full URL, `<host>/<owner>/<name>/resolve/<revision>/<file>`.
 */

export const MODEL_CACHE = 'transformers-cache';

export interface CachedFile {
  readonly url: string;
  readonly bytes: number;
}

export interface CachedModel {
  readonly repo: string;
  readonly revision: string;
  readonly host: string;
  readonly files: readonly CachedFile[];
  readonly bytes: number;
}

const HUB_PATH = /^(.*?)\/([\w.-]+)\/([\w.-]+)\/resolve\/([^/]+)\/(.+)$/;

/** The repo, revision and file a cached URL belongs to, or null for anything else. */
export function parseCachedUrl(url: string): { host: string; repo: string; revision: string; file: string } | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const match = HUB_PATH.exec(parsed.pathname);
  if (!match) return null;
  const [, prefix, owner, name, revision, file] = match;
  return { host: `${parsed.origin}${prefix}/`, repo: `${owner}/${name}`, revision: decodeURIComponent(revision), file };
}

/**
 * Groups cached files by model (repo, revision and host), largest first.
 * @example groupCachedFiles([{ url: 'https://huggingface.co/a/b/resolve/main/config.json', bytes: 10 }])
 * // [{ repo: 'a/b', revision: 'main', host: 'https://huggingface.co/', files: [...], bytes: 10 }]
 */
export function groupCachedFiles(files: readonly CachedFile[]): CachedModel[] {
  const groups = new Map<string, { repo: string; revision: string; host: string; files: CachedFile[] }>();
  for (const f of files) {
    const p = parseCachedUrl(f.url);
    if (!p) continue;
    const key = `${p.host} ${p.repo} ${p.revision}`;
    const group = groups.get(key) ?? { repo: p.repo, revision: p.revision, host: p.host, files: [] };
    group.files.push(f);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map((g) => ({ ...g, bytes: g.files.reduce((n, f) => n + f.bytes, 0) }))
    .sort((a, b) => b.bytes - a.bytes || a.repo.localeCompare(b.repo));
}
