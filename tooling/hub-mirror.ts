/**
 * A local stand-in for the Hugging Face hub, for tests and offline demos: the bundled models,
 * served under hub-shaped URLs, so the app's real remote-loading path (fetch, progress,
 * browser cache) runs with no network.
 *
 *   /__hub/playground/<model>/resolve/<revision>/<file>   static/models/<model>/<file>
 *
 * Repos under the owner `faults` misbehave on purpose, each the way a real download can:
 *   faults/missing-file          tokenizer.json is a 404
 *   faults/html-config           config.json is an HTML page with status 200
 *   faults/cut-download          the vision model's connection drops halfway (until /__hub/heal)
 *   faults/unsupported           config.json names a model type the playground does not run
 *
 * Repos under the owner `fixtures` are copies of shapes-clip whose graphs differ, written by
 * `python3 -m forge.fixtures` to tests/fixtures/hub/<name>/onnx/ (the JSON files are shapes-clip's):
 *   fixtures/shapes-clip-untapped   no attention outputs, as the hub's CLIP exports
 *   fixtures/shapes-clip-fused      the image tower's attention in fused com.microsoft.Attention nodes
 *   fixtures/shapes-clip-nosoftmax  every Softmax written out as Exp / ReduceSum / Div
 *   fixtures/shapes-clip-corrupt    an image tower file that is not a model
 *   fixtures/shapes-smolvlm-untapped  shapes-smolvlm's three graphs without attention outputs
 *                                   (its JSON files are shapes-smolvlm's)
 * A graph a fixture does not hold is shapes-clip-untapped's.
 *
 * GET /__hub/stats lists every file served, ranges marked (so a test can tell a cached load from a
 * download, and a size check from either),
 * /__hub/reset clears it.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'vite';

const PREFIX = '/__hub/';
const ROOT = join(process.cwd(), 'static', 'models');
const FAULT_BASE = 'shapes-clip';
const FIXTURES = join(process.cwd(), 'tests', 'fixtures', 'hub');

type Handler = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

export function hubMirror(): Plugin {
  const served: string[] = [];
  let healed = false;

  const handler: Handler = (request, response, next) => {
    const url = new URL(request.url ?? '/', 'http://mirror');
    if (!url.pathname.startsWith(PREFIX)) return next();
    const rest = url.pathname.slice(PREFIX.length);
    if (rest === 'stats') return json(response, { served });
    if (rest === 'reset') {
      served.length = 0;
      healed = false;
      return json(response, { ok: true });
    }
    if (rest === 'heal') {
      healed = true;
      return json(response, { ok: true });
    }
    const match = /^([\w.-]+)\/([\w.-]+)\/resolve\/([\w.-]+)\/(.+)$/.exec(rest);
    if (!match) return notFound(response);
    const [, owner, name, , file] = match;
    // Size checks (ranges) are told apart from downloads.
    served.push(`${owner}/${name}/${file}${request.headers.range ? ` (${request.headers.range})` : ''}`);
    if (owner === 'faults') return fault(name, file, response, healed, request.headers.range);
    if (owner === 'fixtures') return fixture(name, file, response, request.headers.range);
    if (owner !== 'playground') return notFound(response);
    return sendFile(join(name, file), response, request.headers.range);
  };

  return {
    name: 'vlm-hub-mirror',
    configureServer: (server) => void server.middlewares.use(handler),
    configurePreviewServer: (server) => void server.middlewares.use(handler),
  };
}

function fault(name: string, file: string, response: ServerResponse, healed: boolean, range?: string): void {
  switch (name) {
    case 'missing-file':
      return file === 'tokenizer.json' ? notFound(response) : sendFile(join(FAULT_BASE, file), response, range);
    case 'html-config':
      if (file !== 'config.json') return sendFile(join(FAULT_BASE, file), response, range);
      response.writeHead(200, { 'Content-Type': 'text/html' });
      return void response.end('<!doctype html><html><body>Sign in to continue</body></html>');
    case 'cut-download':
      if (file !== 'onnx/vision_model.onnx' || healed || range) return sendFile(join(FAULT_BASE, file), response, range);
      return cutHalfway(join(ROOT, FAULT_BASE, file), response);
    case 'unsupported':
      if (file !== 'config.json') return sendFile(join(FAULT_BASE, file), response, range);
      return json(response, { model_type: 'bert', architectures: ['BertModel'] });
    default:
      return notFound(response);
  }
}

function fixture(name: string, file: string, response: ServerResponse, range?: string): void {
  if (!existsSync(join(FIXTURES, name))) return notFound(response);
  if (!file.endsWith('.onnx')) return sendFile(join(name.startsWith('shapes-smolvlm') ? 'shapes-smolvlm' : FAULT_BASE, file), response, range);
  const own = existsSync(join(FIXTURES, name, file)) ? name : 'shapes-clip-untapped';
  return sendFile(join(own, file), response, range, FIXTURES);
}

/** Sends a file, or the byte range asked for (as the hub does: transformers.js reads sizes with `Range: bytes=0-0`). */
function sendFile(relative: string, response: ServerResponse, range?: string, root = ROOT): void {
  const path = normalize(join(root, relative));
  if (!path.startsWith(root) || !existsSync(path) || !statSync(path).isFile()) return notFound(response);
  const size = statSync(path).size;
  const headers = {
    'Content-Type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream',
    'Access-Control-Allow-Origin': '*',
    'Cross-Origin-Resource-Policy': 'cross-origin',
  };
  const asked = range ? /^bytes=(\d+)-(\d*)$/.exec(range) : null;
  if (asked) {
    const start = Number(asked[1]);
    const end = Math.min(size - 1, asked[2] ? Number(asked[2]) : size - 1);
    response.writeHead(206, { ...headers, 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${size}` });
    return void createReadStream(path, { start, end }).pipe(response);
  }
  response.writeHead(200, { ...headers, 'Content-Length': size });
  createReadStream(path).pipe(response);
}

/** Announces the whole file, sends half of it, then drops the connection. */
function cutHalfway(path: string, response: ServerResponse): void {
  const size = statSync(path).size;
  response.writeHead(200, { 'Content-Length': size, 'Content-Type': 'application/octet-stream', 'Access-Control-Allow-Origin': '*' });
  const stream = createReadStream(path, { start: 0, end: Math.floor(size / 2) });
  stream.on('data', (chunk) => response.write(chunk));
  stream.on('end', () => setTimeout(() => response.socket?.destroy(), 50));
}

function json(response: ServerResponse, value: unknown): void {
  response.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
  response.end(JSON.stringify(value));
}

function notFound(response: ServerResponse): void {
  response.writeHead(404, { 'Content-Type': 'text/plain' });
  response.end('Not found');
}
