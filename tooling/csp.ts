/**
 * The page's Content-Security-Policy, carried by the built page itself (a `<meta>` tag that
 * `vite build` writes into index.html, so any static host serves it) and by `vite preview` as a
 * header too. Scripts and workers come only from the page's own origin; WebAssembly may compile
 * ('wasm-unsafe-eval', which ONNX Runtime needs) but nothing may `eval`; no inline script runs.
 * Connections go to the page's own origin (its bundled models, and the test hub mirror under
 * /__hub/) and to the Hugging Face hub: huggingface.co answers `resolve` with a redirect to its
 * storage hosts (cdn-lfs*.huggingface.co, cdn-lfs*.hf.co, cas-bridge.xethub.hf.co,
 * us.aws.cdn.hf.co, …, which change over time), and a policy applies to every redirect's target,
 * so the hub's own domains are allowed with their subdomains. Nothing is sent anywhere else.
 *
 * Images may be blob: URLs (an uploaded file shown on its card) and data: (the empty favicon).
 * Styles: the views set style attributes (Svelte's `style:` directives), hence 'unsafe-inline'
 * for styles only.
 */
import type { ServerResponse } from 'node:http';
import type { Plugin } from 'vite';

export const HUB_HOSTS = ['https://huggingface.co', 'https://*.huggingface.co', 'https://hf.co', 'https://*.hf.co'] as const;

const DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'worker-src': ["'self'"],
  'connect-src': ["'self'", ...HUB_HOSTS],
  'img-src': ["'self'", 'blob:', 'data:'],
  'style-src': ["'self'", "'unsafe-inline'"],
  'font-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
};

/**
 * Where `vite preview`'s browsers report violations (`report-uri`: workers' included, which a
 * page's `securitypolicyviolation` listener never hears). GET lists them, `/reset` clears them.
 */
export const REPORTS = '/__csp/reports';

/** The policy as one header value (or meta content). */
export function contentSecurityPolicy(extra: Readonly<Record<string, readonly string[]>> = {}): string {
  return Object.entries({ ...DIRECTIVES, ...extra })
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/**
 * Writes the policy into the built index.html (first in <head>, before any script) and sends it
 * from `vite preview` on every response, with `frame-ancestors`, which only a header can carry.
 * The header matters for the workers: a worker started from a same-origin script is governed by
 * that script's own response headers, not by the page's meta tag, and the models download in
 * the workers. A static host should send the same header (`contentSecurityPolicy()`). The dev
 * server is left without it: Vite's client needs its websocket while developing.
 */
export function csp(): Plugin {
  return {
    name: 'vlm-playground:csp',
    transformIndexHtml: {
      order: 'pre',
      handler(html, context) {
        if (context.server || !context.filename.endsWith('index.html')) return html;
        return {
          html,
          tags: [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy() }, injectTo: 'head-prepend' }],
        };
      },
    },
    configurePreviewServer(server) {
      const header = contentSecurityPolicy({ 'frame-ancestors': ["'none'"], 'report-uri': [REPORTS] });
      const reports: unknown[] = [];
      server.middlewares.use((request, response, next) => {
        const path = new URL(request.url ?? '/', 'http://preview').pathname;
        if (path === REPORTS && request.method === 'POST') {
          let body = '';
          request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
          request.on('end', () => {
            reports.push(readReport(body));
            response.statusCode = 204;
            response.end();
          });
          return;
        }
        if (path === REPORTS) return sendJson(response, { reports });
        if (path === `${REPORTS}/reset`) {
          reports.length = 0;
          return sendJson(response, { ok: true });
        }
        response.setHeader('Content-Security-Policy', header);
        next();
      });
    },
  };
}

function readReport(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return { unreadable: body.slice(0, 200) };
  }
}

function sendJson(response: ServerResponse, value: unknown): void {
  response.setHeader('Content-Type', 'application/json');
  response.end(JSON.stringify(value));
}
