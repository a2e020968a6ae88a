// The standalone page's HTTP model (src/http.ts) against a fake server: a stubbed `fetch` whose requests the
// test answers one by one, under fake timers, so that retries, intervals and the 30 s limit run at once.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeFrame, encodeFrame } from '../src/core/buffers';
import { httpModel } from '../src/http';
import type { Model } from '../src/core/types';

interface Call {
  method: string;
  url: URL;
  session: string;
  contentType: string | undefined;
  /** The body, decoded: JSON, or a binary frame's JSON part (its buffers in `buffers`). */
  body: any;
  buffers: DataView[];
  aborted: boolean;
  answer(body: object, buffers?: ArrayBuffer[]): void;
  fail(status?: number): void;
}

let calls: Call[];
let host: HTMLElement;
let model: Model;
let received: { message: any; buffers: DataView[] }[];
const PAGE = 'http://localhost:3000/demo?app=hello';

beforeEach(() => {
  vi.useFakeTimers();
  calls = [];
  vi.stubGlobal('fetch', vi.fn((input: string, init: RequestInit) => new Promise((resolve, reject) => {
    const headers = init.headers as Record<string, string>;
    const frame = init.body instanceof ArrayBuffer ? decodeFrame(init.body) : null;
    const onAbort = () => {
      call.aborted = true;
      reject(new DOMException('The operation was aborted.', 'AbortError'));
    };
    // As fetch does, let go of the signal once answered: a retried pull passes the same signal again and again.
    const settled = () => init.signal?.removeEventListener('abort', onAbort);
    const call: Call = {
      method: init.method ?? 'GET',
      url: new URL(input),
      session: headers['webio-session-id'],
      contentType: headers['Content-Type'],
      body: frame ? frame.message : init.body === undefined ? undefined : JSON.parse(init.body as string),
      buffers: frame ? frame.buffers : [],
      aborted: false,
      answer(body, buffers = []) {
        settled();
        // Only what http.ts reads of a Response: a real one reads its body on timers the fake clock holds.
        const binary = buffers.length > 0;
        resolve({ ok: true, status: 200,
          headers: new Headers({ 'Content-Type': binary ? 'application/octet-stream' : 'application/json' }),
          json: async () => JSON.parse(JSON.stringify(body)),
          arrayBuffer: async () => encodeFrame(body, buffers) });
      },
      fail(status) {
        settled();
        if (status === undefined) {
          reject(new TypeError('Failed to fetch'));
        } else {
          resolve({ ok: false, status, headers: new Headers(), json: async () => null, arrayBuffer: async () => null });
        }
      }
    };
    init.signal?.addEventListener('abort', onAbort, { once: true });
    calls.push(call);
  })));
  host = document.body.appendChild(document.createElement('div'));
  received = [];
  model = httpModel(new URL(PAGE), host);
  model.on('msg', (message, buffers) => received.push({ message, buffers }));
});

afterEach(() => {
  host.dispatchEvent(new CustomEvent('jupyter-session:closed', { bubbles: true }));
  setVisibility('visible');
  vi.useRealTimers();
  vi.unstubAllGlobals();
  document.body.replaceChildren();
});

/** Let the page act on what it has (answers, timers due now). */
const settle = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

/** The request the page is waiting on, of `method`: the only one not answered yet. */
async function pending(method: 'GET' | 'POST'): Promise<Call> {
  await settle();
  const open = calls.filter(call => call.method === method && !answered.has(call) && !call.aborted);
  expect(open).toHaveLength(1);
  return open[0];
}

const answered = new WeakSet<Call>();
function reply(call: Call, body: object, buffers?: ArrayBuffer[]): void {
  answered.add(call);
  call.answer(body, buffers);
}
function fail(call: Call, status?: number): void {
  answered.add(call);
  call.fail(status);
}

/** Answer the first pull, which makes the session: from then on pushes go out and pulls are held. */
async function open(): Promise<string> {
  const first = await pending('GET');
  reply(first, { seq: 1, messages: [], ack: 0 });
  await settle();
  return first.session.replace(/^NEW-/, '');
}

const event = (name: string, data: unknown = null) => ({ event: name, task_id: null, data });
const command = (name: string, spec: unknown = null) => ({ commands: [{ command: name, task_id: null, spec }] });

function setVisibility(state: 'visible' | 'hidden'): void {
  Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
}

describe('the session id', () => {
  it('is NEW-<id> until the first answer, then <id>; pushes wait for it', async () => {
    model.send(event('hello'));
    const first = await pending('GET');
    expect(first.session).toMatch(/^NEW-[A-Za-z0-9]{24}$/);
    // A fresh session is made by a GET only, so this one answers at once and the hello waits for it.
    expect(first.url.searchParams.get('wait')).toBe('0');
    expect(first.url.searchParams.get('app')).toBe('hello');
    expect(calls.filter(call => call.method === 'POST')).toEqual([]);

    reply(first, { seq: 1, messages: [], ack: 0 });
    const id = first.session.slice(4);
    expect((await pending('POST')).session).toBe(id);
    const second = await pending('GET');
    expect(second.session).toBe(id);
    expect(second.url.pathname).toBe('/demo');
    expect(Object.fromEntries(second.url.searchParams)).toEqual({ app: 'hello', ack: '0', wait: '20' });
  });

  it('differs between pages', async () => {
    httpModel(new URL(PAGE), host); // stopped with this one, by the closed event of afterEach
    await settle();
    expect(new Set(calls.map(call => call.session)).size).toBe(2);
  });
});

describe('pulls', () => {
  it('hand the messages on in order, acknowledge them, and skip a resent one', async () => {
    const first = await pending('GET');
    reply(first, { seq: 1, messages: [command('toast', 1), command('toast', 2)], ack: 0 });
    const second = await pending('GET');
    expect(second.url.searchParams.get('ack')).toBe('2');
    // The answer to `second` was lost on its way, say, after the server had sent message 2 again.
    reply(second, { seq: 2, messages: [command('toast', 2), command('toast', 3)], ack: 0 });
    const third = await pending('GET');
    expect(third.url.searchParams.get('ack')).toBe('3');
    expect(received.map(item => item.message.commands[0].spec)).toEqual([1, 2, 3]);
  });

  it('give each message of a binary answer its own buffers and paths', async () => {
    const bytes = (...values: number[]) => new Uint8Array(values).buffer;
    reply(await pending('GET'), {
      seq: 1, ack: 0,
      messages: [command('output', { a: null }), command('output', { b: null, c: null })],
      buffer_paths: [['messages', 0, 'commands', 0, 'spec', 'a'], ['messages', 1, 'commands', 0, 'spec', 'b'],
        ['messages', 1, 'commands', 0, 'spec', 'c']]
    }, [bytes(1), bytes(2, 2), bytes(3, 3, 3)]);
    await settle();
    expect(received.map(item => item.message.buffer_paths)).toEqual([
      [['commands', 0, 'spec', 'a']],
      [['commands', 0, 'spec', 'b'], ['commands', 0, 'spec', 'c']]
    ]);
    const contents = received.map(item => item.buffers.map(view => [...new Uint8Array(view.buffer, view.byteOffset,
      view.byteLength)]));
    expect(contents).toEqual([[[1]], [[2, 2], [3, 3, 3]]]);
  });

  it('every http_pull_interval ms with wait=0 once set_env asks for it', async () => {
    await open();
    const held = await pending('GET');
    expect(held.url.searchParams.get('wait')).toBe('20');
    reply(held, { seq: 2, messages: [command('set_env', { http_pull_interval: 500 })], ack: 0 });
    await settle(499);
    expect(calls.filter(call => call.method === 'GET')).toHaveLength(2);
    await settle(1);
    const polled = await pending('GET');
    expect(polled.url.searchParams.get('wait')).toBe('0');
    reply(polled, { seq: 3, messages: [], ack: 0 });
    await settle(500);
    expect((await pending('GET')).url.searchParams.get('wait')).toBe('0');
  });

  it('do not hold a connection while the tab is hidden, and come back at once when it shows', async () => {
    await open();
    const held = await pending('GET');
    setVisibility('hidden');
    await settle();
    expect(held.aborted).toBe(true);
    await settle(1000);
    const polled = await pending('GET');
    expect(polled.url.searchParams.get('wait')).toBe('0');
    reply(polled, { seq: 2, messages: [], ack: 0 });
    await settle(10);
    setVisibility('visible');
    expect((await pending('GET')).url.searchParams.get('wait')).toBe('20');
  });
});

describe('pushes', () => {
  const posts = () => calls.filter(call => call.method === 'POST');
  const open_posts = () => posts().filter(call => !answered.has(call));

  it('number the events, send up to four pushes at once, batch the rest, retry the same', async () => {
    await open();
    for (const name of ['one', 'two', 'three', 'four', 'five', 'six']) {
      model.send(event(name));
    }
    await settle();
    // Four pushes out at once, one event each; the two events after them wait, batched, for a free slot.
    expect(open_posts().map(call => [call.url.searchParams.get('seq'), call.body])).toEqual(
      ['one', 'two', 'three', 'four'].map((name, index) => [String(index + 1), { events: [event(name)] }]));

    const [first, second, third, fourth] = open_posts();
    fail(first); // no answer: the server may or may not have applied it, and the same push is safe either way
    await settle(99);
    expect(posts()).toHaveLength(4);
    await settle(1);
    const again = posts()[4];
    expect(again.url.searchParams.get('seq')).toBe('1');
    expect(again.body).toEqual({ events: [event('one')] });

    // The server held two, three and four until one came again: its answers acknowledge all four.
    reply(second, { seq: 2, messages: [], ack: 0 });
    await settle();
    const batch = posts()[5];
    expect(batch.url.searchParams.get('seq')).toBe('5');
    expect(batch.body).toEqual({ events: [event('five'), event('six')] });
    for (const call of [again, third, fourth, batch]) {
      reply(call, { seq: 2, messages: [], ack: 6 });
    }
    await settle();
    model.send(event('seven'));
    const last = await pending('POST');
    expect(last.url.searchParams.get('seq')).toBe('7');
    expect(last.body).toEqual({ events: [event('seven')] });
  });

  it('send an event with buffers alone, as a binary frame with its paths under ["events", 0]', async () => {
    await open();
    const chunk = new Uint8Array([7, 8, 9]).buffer;
    model.send({ ...event('file_chunk', { upload_id: 'up-1', offset: 0, chunk: null }),
      buffer_paths: [['data', 'chunk']] }, [chunk]);
    model.send(event('after'));
    await settle();
    const [binary, after] = open_posts();
    expect(binary.contentType).toBe('application/octet-stream');
    expect(binary.url.searchParams.get('seq')).toBe('1');
    expect(binary.body).toEqual({ events: [event('file_chunk', { upload_id: 'up-1', offset: 0, chunk: null })],
      buffer_paths: [['events', 0, 'data', 'chunk']] });
    expect([...new Uint8Array(binary.buffers[0].buffer, binary.buffers[0].byteOffset,
      binary.buffers[0].byteLength)]).toEqual([7, 8, 9]);
    expect(after.contentType).toBe('application/json');
    expect(after.url.searchParams.get('seq')).toBe('2');
    expect(after.body).toEqual({ events: [event('after')] });
  });
});

describe('the end', () => {
  it('close_session stops pulling and pushing', async () => {
    await open();
    reply(await pending('GET'), { seq: 2, messages: [command('close_session')], ack: 0 });
    await settle(60_000);
    model.send(event('late'));
    await settle(60_000);
    expect(received).toHaveLength(1);
    expect(calls.map(call => call.method)).toEqual(['GET', 'GET']);
  });

  it("the renderer's jupyter-session:closed ends a held pull", async () => {
    await open();
    const held = await pending('GET');
    host.firstChild?.dispatchEvent(new CustomEvent('jupyter-session:closed', { bubbles: true }));
    host.dispatchEvent(new CustomEvent('jupyter-session:closed', { bubbles: true }));
    await settle(60_000);
    expect(held.aborted).toBe(true);
    expect(calls).toHaveLength(2);
  });

  it('pagehide sends one beacon that closes the session', async () => {
    const beacon = vi.fn(() => true);
    Object.defineProperty(navigator, 'sendBeacon', { value: beacon, configurable: true });
    const id = await open();
    window.dispatchEvent(new Event('pagehide'));
    window.dispatchEvent(new Event('pagehide'));
    // Pages of the tests before this one listen too: count this page's beacons only.
    const ours = beacon.mock.calls.map(([address]) => new URL(address as string))
      .filter(address => address.searchParams.get('session') === id);
    expect(ours).toHaveLength(1);
    expect(Object.fromEntries(ours[0].searchParams)).toEqual({ app: 'hello', close: '1', session: id });
    delete (navigator as any).sendBeacon;
  });

  it('after 30 s without an answer, says the connection is lost and stops', async () => {
    await open();
    const failFor = async (ms: number) => {
      for (let elapsed = 0; elapsed < ms; elapsed += 100) {
        calls.filter(call => !answered.has(call)).forEach(call => fail(call));
        await settle(100);
      }
    };
    await failFor(29_000);
    expect(host.querySelector('.jps-notice')).toBeNull();
    expect(host.classList.contains('jps-disconnected')).toBe(true);
    await failFor(3500);
    expect(host.querySelector('.jps-notice')?.textContent).toBe('Connection lost. Reload the page to start again.');
    const made = calls.length;
    await settle(60_000);
    expect(calls).toHaveLength(made);
    // Retries back off to one every 2 s: 100, 200, ..., 1600 ms, then 2 s apart.
    expect(made).toBeLessThan(2 + 5 + 16);
  });

  it('a refusal (4xx) is logged, shown, and stops the page', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await open();
    fail(await pending('GET'), 403);
    await settle(60_000);
    expect(logged).toHaveBeenCalledOnce();
    expect(calls).toHaveLength(2);
    expect(host.querySelector('.jps-notice')?.textContent).toBe(
      'Connection lost (the server refused the page: HTTP 403). Reload the page to start again.');
  });

  it('behind a proxy that cuts held pulls sooner, asks for shorter ones and is never lost', async () => {
    await open();
    for (const wait of ['20', '10', '5']) {
      const held = await pending('GET');
      expect(held.url.searchParams.get('wait')).toBe(wait);
      await settle(4000);
      fail(held, 504); // the proxy's read timeout
    }
    for (let round = 0; round < 2; round++) {
      const held = await pending('GET');
      expect(held.url.searchParams.get('wait')).toBe('2');
      await settle(1000);
      reply(held, { seq: 2, messages: [], ack: 0 }); // within the proxy's time: an empty answer
    }
    expect(host.querySelector('.jps-notice')).toBeNull();
  });
});
