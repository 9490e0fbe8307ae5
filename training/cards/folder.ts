/**
 * What a card is written from: the model folder's own files (config, training report, eval
 * results, goldens, graph sizes) and, for comparisons, the shipped shapes-clip's.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The CLIP the other families' cards compare against. */
const SHIPPED_CLIP = 'static/models/shapes-clip';

/**
 * JSON the forge wrote (training.json, eval.json, config.json): its shape is the forge's, and each
 * card states the fields it reads where it reads them.
 */
type Json = any;

export class ModelFolder {
  constructor(readonly dir: string) {}

  /** A JSON file of the folder, e.g. `read('eval.json')`. */
  read(name: string): Json {
    return JSON.parse(readFileSync(join(this.dir, name), 'utf8'));
  }

  /** The forge's training report (training.json). */
  get training(): Json {
    return this.read('training.json');
  }

  /** A file's size: "0.84 MB". */
  megabytes(file: string): string {
    return `${(statSync(join(this.dir, file)).size / 1e6).toFixed(2)} MB`;
  }
}

/** A JSON file of the shipped shapes-clip, or undefined where there is none. */
export function shippedClip(name: string): Json {
  const path = join(SHIPPED_CLIP, name);
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}
