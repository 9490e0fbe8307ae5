/**
 * One progress line over every file of a model load: transformers.js reports each file
 * separately (and the two towers load one after the other), a person wants one bar in bytes.
 */

export interface FileProgress {
  readonly name: string;
  readonly loaded: number;
  readonly total: number;
}

export type Progress = (
  stage: string,
  detail?: { fraction?: number; bytes?: { loaded: number; total: number }; files?: FileProgress[] },
) => void;

/** transformers.js's progress events, as far as they matter here. */
export interface LoaderEvent {
  readonly status: string;
  readonly file?: string;
  readonly loaded?: number;
  readonly total?: number;
}

/**
 * A progress_callback for transformers.js that sums bytes over all files seen so far.
 * @example const cb = byteProgress(report); cb({ status: 'progress', file: 'a.onnx', loaded: 5, total: 10 })
 */
export function byteProgress(onProgress: Progress): (event: LoaderEvent) => void {
  const files = new Map<string, { loaded: number; total: number }>();
  return (event) => {
    if (event.status !== 'progress' || !event.file || !event.total) return;
    files.set(event.file, { loaded: event.loaded ?? 0, total: event.total });
    const list = [...files].map(([name, f]) => ({ name, ...f }));
    const loaded = list.reduce((n, f) => n + f.loaded, 0);
    const total = list.reduce((n, f) => n + f.total, 0);
    onProgress(`Downloading ${event.file}`, { fraction: total ? loaded / total : undefined, bytes: { loaded, total }, files: list });
  };
}
