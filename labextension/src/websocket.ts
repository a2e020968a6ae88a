// The standalone page's Model over a WebSocket to the server that served the page (Tornado, aiohttp,
// Starlette), which resumes a dropped connection by session id for RECONNECT_FOR_MS.
import { decodeFrame, encodeFrame } from './core/buffers';
import type { Model } from './core/types';
import { appUrl, showLost } from './page';
import type { Listener } from './page';

const RECONNECT_FOR_MS = 30_000;

export function websocketModel(wsPath: string, host: HTMLElement): Model {
  const listeners = new Set<Listener>();
  const outbox: (string | ArrayBuffer)[] = []; // events sent while the socket is down go out on reconnect
  let socket: WebSocket;
  let sessionId: string | null = null;
  let ended = false;

  const model: Model = {
    send(message, buffers = []) {
      const frame = buffers.length ? encodeFrame(message, buffers) : JSON.stringify(message);
      if (socket.readyState === WebSocket.OPEN) {
        socket.send(frame);
      } else {
        outbox.push(frame);
      }
    },
    on(_name, listener) {
      listeners.add(listener);
    },
    off(_name, listener) {
      listeners.delete(listener);
    }
  };

  const url = (resume: boolean) => {
    const address = appUrl(wsPath);
    address.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    if (resume && sessionId) {
      address.searchParams.set('session_id', sessionId);
    }
    return address.href;
  };

  let droppedAt: number | null = null;
  const connect = (resume: boolean) => {
    socket = new WebSocket(url(resume));
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      droppedAt = null;
      host.classList.remove('jps-disconnected');
      while (outbox.length && socket.readyState === WebSocket.OPEN) {
        socket.send(outbox.shift()!);
      }
    };
    socket.onmessage = event => {
      let message: unknown;
      let buffers: DataView[] = [];
      try {
        if (typeof event.data === 'string') {
          message = JSON.parse(event.data);
        } else {
          ({ message, buffers } = decodeFrame(event.data as ArrayBuffer));
        }
      } catch (error) {
        console.error('[jupyter_session] dropped an unreadable frame', error);
        return;
      }
      listeners.forEach(listener => listener(message, buffers));
    };
    socket.onclose = event => {
      host.classList.add('jps-disconnected');
      if (ended) {
        return;
      }
      if (!sessionId) {
        // Without a session id the server cannot resume this session (or it refused the page, or never took it).
        ended = true;
        showLost(host, event.reason);
        return;
      }
      droppedAt ??= Date.now();
      const away = Date.now() - droppedAt;
      if (away > RECONNECT_FOR_MS) {
        showLost(host);
        return;
      }
      setTimeout(() => connect(true), Math.min(100 * 2 ** Math.floor(away / 1000), 2000));
    };
  };

  host.addEventListener('jupyter-session:session-id', event => {
    sessionId = (event as CustomEvent<string>).detail;
  });
  host.addEventListener('jupyter-session:closed', () => {
    ended = true;
  });
  connect(false);
  return model;
}
