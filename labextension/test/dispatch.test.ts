// dispatch(): every command that fails is answered once, with `command_error`; and the handshake is the host's.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { helloEvent, registerCommand } from '../src/core';
import { mount, output, scope, settle } from './harness';
import type { Mounted } from './harness';

let page: Mounted;

beforeEach(() => {
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  page = mount();
});

afterEach(() => {
  page.cleanup();
  document.body.replaceChildren();
});

const UNKNOWN = (name: string) => `unknown command "${name}": the page's renderer does not match the server's `
  + 'jupyter_session version; reload the page';

describe('command_error', () => {
  it('answers an unknown command, naming it', () => {
    page.deliver({ command: 'teleport', task_id: 'task-1', spec: {} });
    const events = page.events();
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({ event: 'command_error', task_id: 'task-1', data: { command: 'teleport' },
      error: { name: 'TypeError', message: UNKNOWN('teleport'), stack: expect.any(String) } });
    expect(console.warn).toHaveBeenCalledWith('[jupyter_session] unknown command', 'teleport');
  });

  it("does not take the handlers table's inherited properties for handlers", () => {
    page.deliver({ command: 'toString', task_id: 'task-2' }, { command: '__proto__', task_id: 'task-3' },
      { command: 'constructor', task_id: 'task-4' });
    expect(page.events().map(event => [event.event, event.task_id, event.error?.message])).toEqual([
      ['command_error', 'task-2', UNKNOWN('toString')],
      ['command_error', 'task-3', UNKNOWN('__proto__')],
      ['command_error', 'task-4', UNKNOWN('constructor')]
    ]);
  });

  it('answers a malformed command with null task_id and command, and goes on with the next', () => {
    page.deliverRaw({ commands: [null, { task_id: 7, spec: {} }, output({ type: 'text', content: 'still here' })] });
    const events = page.events();
    expect(events.map(event => [event.event, event.task_id, event.data])).toEqual([
      ['command_error', null, { command: null }],
      ['command_error', null, { command: null }]
    ]);
    expect(events[0].error).toMatchObject({ name: 'TypeError', message: expect.stringContaining('unknown command') });
    expect(scope(page, 'ROOT')!.textContent).toBe('still here');
  });

  it('answers a handler that throws with the error, and logs it', () => {
    registerCommand('test_throws', () => {
      throw new RangeError('no such row');
    });
    page.deliver({ command: 'test_throws', task_id: 'task-5' }, output({ type: 'text', content: 'after' }));
    const [event] = page.events();
    expect(event).toEqual({ event: 'command_error', task_id: 'task-5', data: { command: 'test_throws' },
      error: { name: 'RangeError', message: 'no such row', stack: expect.stringContaining('no such row') } });
    expect(page.events()).toHaveLength(1);
    expect(scope(page, 'ROOT')!.textContent).toBe('after');
    expect(console.error).toHaveBeenCalledWith('[jupyter_session] test_throws failed', expect.any(RangeError));
  });

  it('answers a handler whose promise rejects', async () => {
    registerCommand('test_rejects', async () => {
      await new Promise(resolve => setTimeout(resolve, 5));
      throw new Error('too late');
    });
    page.deliver({ command: 'test_rejects', task_id: 'task-6' });
    expect(page.events()).toEqual([]);
    await vi.waitFor(() => expect(page.events()).toHaveLength(1));
    expect(page.events()[0]).toMatchObject({ event: 'command_error', task_id: 'task-6',
      data: { command: 'test_rejects' }, error: { name: 'Error', message: 'too late' } });
  });

  it('describes a thrown value that is not an Error', () => {
    registerCommand('test_throws_value', () => {
      throw { code: 7 };
    });
    page.deliver({ command: 'test_throws_value', task_id: 'task-7' });
    expect(page.events()[0].error).toEqual({ name: 'Error', message: 'a non-Error value was thrown: {"code":7}',
      stack: '' });
  });

  it('does not answer twice a handler that already answered with its own js_yield', async () => {
    registerCommand('test_answers_then_fails', async (context, command) => {
      context.send({ event: 'js_yield', task_id: command.task_id, data: null,
        error: { name: 'Error', message: 'mine', stack: '' } });
      throw new Error('and then this');
    });
    page.deliver({ command: 'test_answers_then_fails', task_id: 'task-8' });
    await settle();
    expect(page.events()).toEqual([{ event: 'js_yield', task_id: 'task-8', data: null,
      error: { name: 'Error', message: 'mine', stack: '' } }]);
    expect(console.error).toHaveBeenCalled(); // still logged
  });

  it('still answers when another task sent a js_yield meanwhile', async () => {
    registerCommand('test_fails_slowly', async () => {
      await new Promise(resolve => setTimeout(resolve, 5));
      throw new Error('slow failure');
    });
    page.deliver({ command: 'test_fails_slowly', task_id: 'task-9' },
      { command: 'run_script', task_id: 'task-10', spec: { code: '1', args: {}, eval: true } });
    await vi.waitFor(() => expect(page.events()).toHaveLength(2));
    expect(page.events().map(event => [event.event, event.task_id])).toEqual([
      ['js_yield', 'task-10'], ['command_error', 'task-9']]);
  });

  it('survives a transport that cannot send the error', () => {
    page.failSend(event => event.event === 'command_error');
    expect(() => page.deliver({ command: 'teleport', task_id: 'task-11' },
      output({ type: 'text', content: 'drawn' }))).not.toThrow();
    expect(scope(page, 'ROOT')!.textContent).toBe('drawn');
    expect(console.error).toHaveBeenCalledWith('[jupyter_session] could not send command_error', expect.any(Error));
  });
});

describe('the hello', () => {
  it('is not sent by render(): the host sends it', async () => {
    const fresh = mount();
    await settle();
    expect(fresh.events()).toEqual([]);
    fresh.deliver(output({ type: 'text', content: 'x' }));
    expect(fresh.events('hello')).toEqual([]);
    fresh.cleanup();
  });

  it('is built by helloEvent()', () => {
    expect(helloEvent()).toEqual({ event: 'hello', task_id: null, data: { protocol_version: 1,
      user_agent: navigator.userAgent, language: navigator.language, origin: location.origin } });
  });
});
