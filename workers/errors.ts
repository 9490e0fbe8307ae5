/**
 * Errors as the person sees them: every failure the runtime meets is sorted into a code and a
 * message that says what happened and what to do.
 */
import type { WorkerError } from '../src/lib/runtime/protocol';

/** A repo whose config names a model type the playground does not run. */
export class UnsupportedModelError extends Error {}

/** An input the model cannot use (an unreadable image file): the person's to fix, nothing is broken. */
export class BadImageError extends Error {}

/** Sorts a thrown error into a code and a message a person can act on. */
export function classify(error: unknown, source?: string): WorkerError {
  const text = error instanceof Error ? error.message : String(error);
  if (error instanceof UnsupportedModelError) return { code: 'unsupported-model', message: text };
  if (error instanceof BadImageError) return { code: 'bad-input', message: text };
  if (/unexpected token '<'|is not valid json|<!doctype/i.test(text)) {
    return { code: 'model-invalid', message: `A file of "${source}" is a web page, not the JSON the model needs: the repo may be private or gated, or the address wrong.` };
  }
  if (/network error|failed to fetch|err_connection|body stream|terminated|premature|content-length/i.test(text)) {
    return { code: 'download-cut', message: `The download of "${source}" was cut before it finished (${text.slice(0, 120)}). Nothing broken was kept: load it again to retry.` };
  }
  if (/could not locate file|404|not found/i.test(text)) {
    return { code: 'model-missing', message: `A file of the model "${source}" is missing (${text.slice(0, 160)}). Rebuild or re-download the model, or pick another.` };
  }
  if (/model-invalid|protobuf|invalid model|failed to load model/i.test(text)) {
    return { code: 'model-invalid', message: `The model "${source}" could not be read (${text.slice(0, 160)}). Its files may be damaged: download it again.` };
  }
  if (/device.*lost|gpudevice|webgpu.*(lost|error)|mapasync/i.test(text)) {
    return { code: 'gpu-lost', message: 'The GPU stopped answering (device lost). Switching to WASM keeps everything working.' };
  }
  if (/no available backend|backend/i.test(text)) {
    return { code: 'backend-unavailable', message: `No runtime backend could start (${text.slice(0, 160)}). Choose WASM in the runtime menu.` };
  }
  return { code: 'internal', message: `Something went wrong inside the model runtime: ${text.slice(0, 200)}` };
}

