// run_script: code with its arguments as parameters; with `eval`, one js_yield with the value or the error.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mount, settle } from './harness';
import type { Mounted } from './harness';

let page: Mounted;

beforeEach(() => {
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  page = mount();
});

afterEach(() => {
  page.cleanup();
  document.body.replaceChildren();
  delete (window as any).__jpsRan;
});

const evalJs = (code: string, args: Record<string, unknown> = {}, taskId = 'eval_js-1') =>
  ({ command: 'run_script', task_id: taskId, spec: { code, args, eval: true } });

/** The replies for `taskId`, once the page has answered. */
async function replies(taskId = 'eval_js-1') {
  await vi.waitFor(() => expect(page.events().some(event => event.task_id === taskId)).toBe(true));
  await settle(); // a second answer would come now
  return page.events().filter(event => event.task_id === taskId);
}

describe('run_script with eval', () => {
  it('answers js_yield with the value, the arguments being parameters', async () => {
    page.deliver(evalJs('a * 10 + b.length', { a: 4, b: [1, 2] }));
    expect(await replies()).toEqual([{ event: 'js_yield', task_id: 'eval_js-1', data: 42 }]);
  });

  it('passes argument values as data: a string value is not code', async () => {
    page.deliver(evalJs('text', { text: '"); window.__jpsRan = 1; ("' }));
    const [reply] = await replies();
    expect(reply.data).toBe('"); window.__jpsRan = 1; ("');
    expect((window as any).__jpsRan).toBeUndefined();
  });

  it("answers with a promise's value once it settles", async () => {
    page.deliver(evalJs('new Promise(resolve => setTimeout(() => resolve({ late: [1, "two"] }), 20))'));
    expect(page.events()).toEqual([]); // not before
    expect(await replies()).toEqual([{ event: 'js_yield', task_id: 'eval_js-1', data: { late: [1, 'two'] } }]);
  });

  it('answers null for undefined', async () => {
    page.deliver(evalJs('undefined'));
    expect(await replies()).toEqual([{ event: 'js_yield', task_id: 'eval_js-1', data: null }]);
  });

  it('answers error {name, message, stack} when the code throws, and nothing else', async () => {
    page.deliver(evalJs('throw new RangeError("out of range")'));
    const answered = await replies();
    expect(answered).toHaveLength(1); // no command_error besides
    const [reply] = answered;
    expect(reply).toMatchObject({ event: 'js_yield', task_id: 'eval_js-1', data: null,
      error: { name: 'RangeError', message: 'out of range' } });
    expect(typeof reply.error!.stack).toBe('string');
  });

  it('answers the error of a rejected promise', async () => {
    page.deliver(evalJs('Promise.reject(new TypeError("refused"))'));
    const answered = await replies();
    expect(answered).toHaveLength(1);
    expect(answered[0].error).toMatchObject({ name: 'TypeError', message: 'refused' });
  });

  it('answers a TypeError for a value that is not JSON', async () => {
    page.deliver(evalJs('10n'));
    const [reply] = await replies();
    expect(reply.error?.name).toBe('TypeError');
    expect(reply.error?.message).toMatch(/not JSON-serializable/);
  });

  it('refuses an argument name that is not an identifier, running nothing', async () => {
    page.deliver(evalJs('window.__jpsRan = 1; 1', { 'x, y = (window.__jpsRan = 2)': 1 }));
    const answered = await replies();
    expect(answered).toHaveLength(1);
    expect(answered[0]).toMatchObject({ event: 'js_yield', data: null, error: { name: 'TypeError' } });
    expect(answered[0].error!.message).toContain('is not a JavaScript identifier');
    expect((window as any).__jpsRan).toBeUndefined();
  });
});

describe('run_script without eval', () => {
  it('runs the code and answers nothing', async () => {
    page.deliver({ command: 'run_script', task_id: 'app-1', spec: { code: 'window.__jpsRan = x', args: { x: 7 } } });
    await settle();
    expect((window as any).__jpsRan).toBe(7);
    expect(page.events()).toEqual([]);
  });

  it('refuses a bad argument name silently (nobody waits), running nothing', async () => {
    page.deliver({ command: 'run_script', task_id: 'app-1', spec: { code: 'window.__jpsRan = 1', args: { 'x, y = (window.__jpsRan = 2)': 1 } } });
    await settle();
    expect((window as any).__jpsRan).toBeUndefined();
    expect(page.events()).toEqual([]);
    expect(console.error).toHaveBeenCalled();
  });
});

describe('run_script and jQuery', () => {
  // First: jQuery loads once per page, on the first code that names it.
  it('keeps run_js calls in order while jQuery loads', async () => {
    page.deliver({ command: 'run_script', task_id: 'app-1', spec: { code: 'window.__jpsRan = [$.fn.jquery]', args: {} } },
      { command: 'run_script', task_id: 'app-2', spec: { code: 'window.__jpsRan.push("after")', args: {} } });
    await vi.waitFor(() => expect((window as any).__jpsRan).toEqual(['3.7.1', 'after']));
  });

  it('gives code that names `$` or `jQuery` the real jQuery as parameters, with no global', async () => {
    page.deliver(evalJs('[typeof $, jQuery.fn.jquery, $ === jQuery]'));
    expect((await replies())[0].data).toEqual(['function', '3.7.1', true]);
    expect((window as any).$).toBeUndefined();
    expect((window as any).jQuery).toBeUndefined();
  });

  it("lets the app's own argument named `$` win", async () => {
    page.deliver(evalJs('[$, typeof jQuery]', { $: 'mine' }));
    expect((await replies())[0].data).toEqual(['mine', 'function']);
  });
});
