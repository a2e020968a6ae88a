// The standalone page's Model over a WebSocket to the server that served the page (Tornado, aiohttp,
// Starlette), which resumes a dropped connection by session id for RECONNECT_FOR_MS. A page with a session id
// counts the messages it has applied, acknowledges them ({"ack": N}), and says how many when it comes back
// (?applied=N), so the server sends again what was lost on the way.
import { decodeFrame, encodeFrame } from './core/buffers';
import type { Model } from './core/types';
import { appUrl, showLost } from './page';
import type { Listener } from './page';

const RECONNECT_FOR_MS = 30_000;
// Acknowledge after this many messages, or this long after the first one not acknowledged yet.
const ACK_EVERY = 64;
const ACK_AFTER_MS = 1_000;

export function websocketModel(wsPath: string, host: HTMLElement): Model {
  const listeners = new Set<Listener>();
  const outbox: (string | ArrayBuffer)[] = []; // events sent while the socket is down go out on reconnect
  let socket: WebSocket;
  let sessionId: string | null = null;
  let ended = false;
  let applied = 0; // messages of this session handed on (or unreadable), over every socket
  let acknowledged = 0;
  let ackTimer: ReturnType<typeof setTimeout> | null = null;

  const acknowledge = () => {
    if (ackTimer !== null) {
      clearTimeout(ackTimer);
      ackTimer = null;
    }
    if (sessionId && applied > acknowledged && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ ack: applied }));
      acknowledged = applied;
    }
  };

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
      address.searchParams.set('applied', String(applied));
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
      applied += 1; // the server numbered it, readable or not
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
      if (applied - acknowledged >= ACK_EVERY) {
        acknowledge();
      } else if (sessionId && ackTimer === null) {
        ackTimer = setTimeout(acknowledge, ACK_AFTER_MS);
      }
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
