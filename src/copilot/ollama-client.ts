// Talking to an Ollama server through the official `ollama` client: where the server is,
// a client whose every request can time out and be cancelled, and what a failure means.

import { Ollama } from 'ollama';
import type { FailureKind } from './controllers/types';

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';
export const DEFAULT_CONTROLLER_MODEL = 'hyperprompt-controller';
/** A small instruct model that follows JSON schemas well; `controller setup` pulls it. */
export const DEFAULT_BASE_MODEL = 'qwen2.5:3b';

/** `--ollama-host`, else OLLAMA_HOST, else the local default. */
export function resolveOllamaHost(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const raw = option?.trim() || env.OLLAMA_HOST?.trim() || DEFAULT_OLLAMA_HOST;
  return /^[a-z]+:\/\//i.test(raw) ? raw.replace(/\/+$/, '') : `http://${raw.replace(/\/+$/, '')}`;
}

/**
 * A client whose requests abort when `signal` aborts. The `ollama` client passes no signal to
 * non-streaming requests, so the signal goes in through its `fetch` option instead; that also
 * covers reading the body.
 */
export function ollamaClient(host: string, signal?: AbortSignal): Ollama {
  const boundFetch: typeof fetch = (input, init) => {
    const signals = [init?.signal, signal].filter((s): s is AbortSignal => s instanceof AbortSignal);
    return fetch(input, { ...init, signal: signals.length ? AbortSignal.any(signals) : undefined });
  };
  return new Ollama({ host, fetch: boundFetch });
}

/** True when a model name matches, with `:latest` implied when no tag is given. */
export function sameModel(a: string, b: string): boolean {
  const norm = (s: string): string => (s.includes(':') ? s : `${s}:latest`);
  return norm(a) === norm(b);
}

function causeCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

export interface ClassifyOptions {
  /** The per-request timeout fired. */
  timedOut?: boolean;
  /** The caller cancelled (the session closed). */
  aborted?: boolean;
  /** The timeout, ms, for the message. */
  timeoutMs?: number;
  /** Characters of the reply received before it broke off (streamed replies). */
  received?: number;
}

/** Maps an error thrown by the client (or fetch) to a failure kind and a message a person can act on. */
export function classifyOllamaError(e: unknown, host: string, opts: ClassifyOptions = {}): { kind: FailureKind; message: string } {
  const msg = e instanceof Error ? e.message : String(e);
  const got = opts.received ? ` after ${opts.received} characters` : '';
  if (opts.timedOut)
    return {
      kind: 'timeout',
      message: `Ollama at ${host} did not finish its reply${opts.timeoutMs ? ` within ${opts.timeoutMs} ms` : ' in time'}${got ? ` (it went silent${got})` : ''}: check that the server is running and not overloaded, or raise the timeout (--llm-timeout)`,
    };
  if (opts.aborted) return { kind: 'aborted', message: 'the request was cancelled' };
  const status = (e as { status_code?: unknown } | null)?.status_code;
  if (typeof status === 'number') {
    if (status === 404) return { kind: 'model-missing', message: `Ollama at ${host}: ${msg} (run "hyperprompt controller setup")` };
    if (status >= 500) return { kind: 'server-error', message: `Ollama at ${host} failed with HTTP ${status}: ${msg}` };
    return { kind: 'error', message: `Ollama at ${host} refused the request (HTTP ${status}): ${msg}` };
  }
  const code = causeCode(e);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'EAI_AGAIN')
    return { kind: 'unreachable', message: `cannot reach Ollama at ${host} (${code}): start it with "ollama serve" or pass --ollama-host` };
  // The server went away in the middle of a reply: the socket closed or was reset (undici says
  // "terminated" with UND_ERR_SOCKET, or "fetch failed" with ECONNRESET before any byte).
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE' || /^terminated$|other side closed|socket hang up/i.test(msg))
    return {
      kind: 'invalid-reply',
      message: `Ollama at ${host} closed the connection in the middle of its reply${got} (${code ?? msg}): the server stopped or crashed; check "ollama serve"`,
    };
  // A stream that ends without `done`, a body that is not JSON.
  if (/did not receive done|unexpected end|json/i.test(msg))
    return { kind: 'invalid-reply', message: `Ollama at ${host} sent an incomplete or malformed reply${got}: ${msg}` };
  if (/fetch failed/i.test(msg)) return { kind: 'unreachable', message: `cannot reach Ollama at ${host} (${code ?? msg}): start it with "ollama serve" or pass --ollama-host` };
  return { kind: 'error', message: `Ollama at ${host}: ${msg}` };
}
