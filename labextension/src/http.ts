// The standalone page's Model over plain HTTP requests to the page's own URL (PROTOCOL.md, "The HTTP
// protocol"), for WSGI servers that cannot hold a WebSocket and proxies that refuse the upgrade. Commands come
// by pulls (long-polled GETs), events go by pushes (POSTs); both directions are numbered, so a request whose
// answer is lost can be sent again as it was: the server applies nothing twice, and the page skips what it has.
import { decodeFrame, encodeFrame } from './core/buffers';
import type { Command, Model } from './core/types';
import { showLost } from './page';
import type { Listener } from './page';

const LONG_POLL_S = 20;
/** How often a hidden tab pulls (unless set_env set an interval): it must not hold one of the browser's six
 * connections to the server, which the tabs in front need. */
const HIDDEN_PULL_INTERVAL_MS = 1000;
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 2000;
const LOST_AFTER_MS = 30_000;
const ID_LENGTH = 24;
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** JSON-only pushes carry at most this many events, so that a burst does not make one huge request. */
const MAX_BATCH = 100;
/** Pushes out at once: an answer to `eval_js` need not wait for the answer to the push before it. The server
 * applies events in their numbers' order whatever order the pushes arrive in. */
const MAX_PUSHES = 4;

type Path = (string | number)[];

interface Queued {
  seq: number;
  /** The event without its `buffer_paths`: in a binary push they are the body's, under ["events", i]. */
  event: object;
  paths: Path[];
  buffers: (ArrayBuffer | ArrayBufferView)[];
}

interface Answer {
  seq: number;
  ack: number;
  messages: { message: unknown; buffers: DataView[] }[];
}

interface Exchange {
  method: 'GET' | 'POST';
  query: Record<string, number>;
  body?: string | ArrayBuffer;
  contentType?: string;
  signal?: AbortSignal;
}

/** A Model over HTTP to `url` (the page's own address, with its `?app=`); `host` shows the connection's state. */
export function httpModel(url: URL, host: HTMLElement): Model {
  const listeners = new Set<Listener>();
  const id = sessionId();
  let created = false; // the server knows the id once it has answered a request
  let stopped = false;
  let applied = 0; // seq of the last message handed on
  let lastAnswerAt = 0;
  let interval: number | null = null; // set_env(http_pull_interval)
  let longPollS = LONG_POLL_S; // shortened when a proxy cuts held pulls sooner

  const queue: Queued[] = []; // events not yet acknowledged, oldest first
  let nextEvent = 1;
  let sentUpTo = 0; // the number of the last event sent in a push (each push is sent until answered)
  let pushes = 0; // pushes out

  let heldPull: AbortController | null = null;
  let wake: (() => void) | null = null;

  const stop = () => {
    stopped = true;
    heldPull?.abort();
    wake?.();
    document.removeEventListener('visibilitychange', onVisibility);
  };

  /** Send one request until it is answered; null when it is not to be answered (stopped, or aborted). */
  const exchange = async (request: Exchange): Promise<Answer | null> => {
    let failingSince: number | null = null;
    for (let attempt = 0; !stopped; attempt++) {
      const address = new URL(url);
      for (const [key, value] of Object.entries(request.query)) {
        address.searchParams.set(key, String(value));
      }
      let status = 0; // 0: no answer, or one that could not be read
      try {
        const response = await fetch(address.href, {
          method: request.method,
          headers: { 'webio-session-id': created ? id : `NEW-${id}`,
            ...(request.contentType ? { 'Content-Type': request.contentType } : {}) },
          body: request.body,
          signal: request.signal,
          cache: 'no-store'
        });
        status = response.status;
        if (response.ok) {
          const answer = await readAnswer(response);
          created = true;
          lastAnswerAt = Date.now();
          host.classList.remove('jps-disconnected');
          return stopped ? null : answer;
        }
      } catch (error) {
        if (request.signal?.aborted) {
          return null;
        }
        status = 0;
      }
      // A proxy that cut a held request answers 502 or 504, sometimes 408; 429 asks to come back later.
      const cut = status === 502 || status === 504 || status === 408;
      if (cut && request.method === 'GET' && Number(request.query.wait) > 1) {
        // The proxy holds requests for less time than the page asked: ask for half as long, from now on.
        longPollS = request.query.wait = Math.max(1, Math.floor(Number(request.query.wait) / 2));
        continue;
      }
      if (status >= 400 && status < 500 && !cut && status !== 429) {
        console.error(`[jupyter_session] the server refused a ${request.method} of the exchange (HTTP ${status}); `
          + 'the page stops', address.href);
        showLost(host, `the server refused the page: HTTP ${status}`);
        stop();
        return null;
      }
      host.classList.add('jps-disconnected');
      failingSince ??= Date.now();
      if (Date.now() - Math.max(failingSince, lastAnswerAt) > LOST_AFTER_MS) {
        showLost(host);
        stop();
        return null;
      }
      await new Promise(resolve => setTimeout(resolve, Math.min(RETRY_FIRST_MS * 2 ** attempt, RETRY_MAX_MS)));
    }
    return null;
  };

  /** Apply an answer: forget the events it acknowledges, hand on the messages the page does not have yet. */
  const take = (answer: Answer) => {
    while (queue.length && queue[0].seq <= answer.ack) {
      queue.shift();
    }
    answer.messages.forEach(({ message, buffers }, index) => {
      const seq = answer.seq + index;
      if (seq <= applied) {
        return; // a resend: the answer with it was lost after the server sent it
      }
      applied = seq;
      listeners.forEach(listener => listener(message, buffers));
      notice(message);
    });
    push();
  };

  /** The commands that change the exchange itself (the renderer handles them too). */
  const notice = (message: unknown) => {
    const commands = (message as { commands?: Command[] } | null)?.commands;
    for (const command of Array.isArray(commands) ? commands : []) {
      if (command?.command === 'set_env' && command.spec && 'http_pull_interval' in command.spec) {
        const ms = Number(command.spec.http_pull_interval);
        interval = ms > 0 && Number.isFinite(ms) ? ms : null; // 0 or null: back to long polling
      } else if (command?.command === 'close_session') {
        stop();
      }
    }
  };

  const pullInterval = () => interval ?? (document.visibilityState === 'hidden' ? HIDDEN_PULL_INTERVAL_MS : null);

  const pause = (ms: number) => new Promise<void>(resolve => {
    const timer = setTimeout(() => { wake = null; resolve(); }, ms);
    wake = () => { clearTimeout(timer); wake = null; resolve(); };
  });

  const pull = async () => {
    while (!stopped) {
      // The first pull answers at once: pushes wait for it, as the server makes a session on a GET only.
      const held = created && pullInterval() === null;
      const controller = new AbortController();
      heldPull = held ? controller : null;
      const answer = await exchange({ method: 'GET', query: { ack: applied, wait: held ? longPollS : 0 },
        signal: controller.signal });
      heldPull = null;
      if (answer) {
        take(answer);
      }
      const every = pullInterval();
      if (!stopped && every !== null) {
        await pause(every);
      }
    }
  };

  const push = () => {
    while (pushes < MAX_PUSHES && !stopped && created) {
      const unsent = queue.findIndex(item => item.seq > sentUpTo);
      if (unsent < 0) {
        return;
      }
      const first = queue[unsent];
      let request: Exchange;
      if (first.buffers.length) {
        // Alone, so that a 1 MiB upload chunk does not make the events queued behind it wait for a bigger body.
        request = { method: 'POST', query: { ack: applied, seq: first.seq },
          contentType: 'application/octet-stream',
          body: encodeFrame({ events: [first.event], buffer_paths: first.paths.map(path => ['events', 0, ...path]) },
            first.buffers) };
        sentUpTo = first.seq;
      } else {
        const batch: Queued[] = [];
        for (const item of queue.slice(unsent)) {
          if (item.buffers.length || batch.length === MAX_BATCH) {
            break;
          }
          batch.push(item);
        }
        request = { method: 'POST', query: { ack: applied, seq: first.seq }, contentType: 'application/json',
          body: JSON.stringify({ events: batch.map(item => item.event) }) };
        sentUpTo = batch[batch.length - 1].seq;
      }
      pushes++;
      void exchange(request).then(answer => {
        pushes--;
        if (answer) {
          take(answer);
        }
      });
    }
  };

  const onVisibility = () => {
    if (document.visibilityState === 'hidden') {
      heldPull?.abort();
    } else {
      wake?.();
    }
  };

  const model: Model = {
    send(message, buffers = []) {
      if (stopped) {
        return;
      }
      const { buffer_paths: paths = [], ...event } = message as { buffer_paths?: Path[] };
      if (buffers.length && paths.length !== buffers.length) {
        throw new Error(`[jupyter_session] ${buffers.length} buffers for ${paths.length} buffer paths`);
      }
      queue.push(buffers.length ? { seq: nextEvent++, event, paths, buffers }
        : { seq: nextEvent++, event: message, paths: [], buffers: [] });
      push();
    },
    on(_name, listener) {
      listeners.add(listener);
    },
    off(_name, listener) {
      listeners.delete(listener);
    }
  };

  host.addEventListener('jupyter-session:closed', stop);
  document.addEventListener('visibilitychange', onVisibility);
  // sendBeacon cannot set headers, so the id goes in the address; a beacon still goes out as the page unloads.
  window.addEventListener('pagehide', () => {
    const address = new URL(url);
    address.searchParams.set('close', '1');
    address.searchParams.set('session', id);
    navigator.sendBeacon?.(address.href);
  }, { once: true });
  void pull();
  return model;
}

/** An answer's frame: JSON, or binary with the buffers of all its messages, each path under ["messages", i]. */
async function readAnswer(response: Response): Promise<Answer> {
  let body: any;
  let buffers: DataView[] = [];
  if (response.headers.get('Content-Type')?.startsWith('application/json')) {
    body = await response.json();
  } else {
    ({ message: body, buffers } = decodeFrame(await response.arrayBuffer()));
  }
  if (!body || !Number.isInteger(body.seq) || !Array.isArray(body.messages)) {
    throw new Error('[jupyter_session] not an answer of the exchange');
  }
  const paths: Path[] = body.buffer_paths ?? [];
  if (!Array.isArray(paths) || paths.length !== buffers.length) {
    throw new Error(`[jupyter_session] ${buffers.length} buffers for ${paths.length} buffer paths`);
  }
  const split: DataView[][] = body.messages.map(() => []);
  paths.forEach((path, index) => {
    const [head, at, ...rest] = path;
    const message = body.messages[at as number];
    if (head !== 'messages' || typeof message !== 'object' || message === null || !rest.length) {
      throw new Error(`[jupyter_session] a buffer path names no message: ${JSON.stringify(path)}`);
    }
    // The message as it would be one WebSocket frame: its own paths, and its buffers in their order.
    (message.buffer_paths ??= []).push(rest);
    split[at as number].push(buffers[index]);
  });
  return { seq: body.seq, ack: Number(body.ack) || 0,
    messages: body.messages.map((message: unknown, index: number) => ({ message, buffers: split[index] })) };
}

/** 24 random characters of [A-Za-z0-9], without the bias of a plain modulo. */
function sessionId(): string {
  let id = '';
  while (id.length < ID_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(ID_LENGTH))) {
      if (byte < 248 && id.length < ID_LENGTH) { // 248 = 4 * 62
        id += ID_ALPHABET[byte % ID_ALPHABET.length];
      }
    }
  }
  return id;
}
