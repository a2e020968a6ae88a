// Pins: fields among the outputs, read by name (`pin_value`, `pin_values`), written (`pin_update`) and watched
// (`pin_wait`). The registry is the page's, so each test uses names of its own.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mount, output, settle } from './harness';
import type { Mounted } from './harness';

let page: Mounted;

beforeEach(() => {
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  page = mount();
});

afterEach(() => {
  page.cleanup();
  document.body.replaceChildren();
});

const pin = (input: Record<string, unknown>) => output({ type: 'pin', input });
const control = (name: string) => page.el.querySelector<HTMLInputElement>(`.jps-pin[data-name="${name}"] input`)!;

/** A file whose bytes cannot be read. */
function unreadable(name: string): File {
  return { name, size: 4, type: '', lastModified: 0,
    slice: () => ({ arrayBuffer: () => Promise.reject(new Error('the file went away')) }) } as unknown as File;
}

function choose(input: HTMLInputElement, files: File[]): void {
  Object.defineProperty(input, 'files', { value: files, configurable: true });
}

async function reply(taskId: string) {
  await vi.waitFor(() => expect(page.events().filter(event => event.task_id === taskId)).toHaveLength(1));
  await settle();
  const answers = page.events().filter(event => event.task_id === taskId);
  expect(answers).toHaveLength(1);
  return answers[0];
}

describe('the pin output type', () => {
  it('draws a field among the outputs', () => {
    page.deliver(pin({ type: 'input', name: 'pin_a', label: 'A', value: 'first' }));
    const field = page.el.querySelector<HTMLElement>('.jps-pin')!;
    expect(field.dataset.name).toBe('pin_a');
    expect(field.querySelector('label')?.textContent).toBe('A');
    expect(control('pin_a').value).toBe('first');
  });
});

describe('reading pins', () => {
  it('pin_value answers the current value', async () => {
    page.deliver(pin({ type: 'input', name: 'pin_b', value: 'old' }));
    control('pin_b').value = 'typed';
    page.deliver({ command: 'pin_value', task_id: 'pin-1', spec: { name: 'pin_b' } });
    expect(await reply('pin-1')).toEqual({ event: 'js_yield', task_id: 'pin-1', data: { value: 'typed' } });
  });

  it('pin_value answers null for a name that is no pin in the page', async () => {
    page.deliver({ command: 'pin_value', task_id: 'pin-2', spec: { name: 'pin_never' } });
    expect(await reply('pin-2')).toEqual({ event: 'js_yield', task_id: 'pin-2', data: null });
  });

  it('pin_values answers {name: value} for the names that are pins', async () => {
    page.deliver(pin({ type: 'input', name: 'pin_c', value: 'c' }),
      pin({ type: 'select', name: 'pin_d', options: [{ label: 'x' }, { label: 'y', selected: true }] }));
    page.deliver({ command: 'pin_values', task_id: 'pin-3', spec: { names: ['pin_c', 'pin_d', 'pin_none'] } });
    expect((await reply('pin-3')).data).toEqual({ pin_c: 'c', pin_d: 1 });
  });

  it('pin_update changes the value that is read next', async () => {
    page.deliver(pin({ type: 'input', name: 'pin_e', value: 'before' }));
    page.deliver({ command: 'pin_update', task_id: 'app-1', spec: { name: 'pin_e', attributes: { value: 'after' } } });
    expect(control('pin_e').value).toBe('after');
    page.deliver({ command: 'pin_value', task_id: 'pin-4', spec: { name: 'pin_e' } });
    expect((await reply('pin-4')).data).toEqual({ value: 'after' });
  });

  it('pin_wait answers the first change with {name, value}', async () => {
    page.deliver(pin({ type: 'input', name: 'pin_f' }));
    page.deliver({ command: 'pin_wait', task_id: 'pin-5', spec: { names: ['pin_f'], timeout: 0 } });
    const input = control('pin_f');
    input.value = 'k';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.value = 'ke';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    expect(await reply('pin-5')).toEqual({ event: 'js_yield', task_id: 'pin-5', data: { name: 'pin_f', value: 'k' } });
  });
});

describe('a pin read that fails', () => {
  const filePin = (name: string) => pin({ type: 'file', name, upload_callback_id: `up-${name}` });
  const failure = (taskId: string, command: string) => ({ event: 'command_error', task_id: taskId, data: { command },
    error: { name: 'Error', message: 'the file went away' } });

  it('pin_value answers command_error', async () => {
    page.deliver(filePin('pin_g'));
    choose(control('pin_g'), [unreadable('a.bin')]);
    page.deliver({ command: 'pin_value', task_id: 'pin-6', spec: { name: 'pin_g' } });
    expect(await reply('pin-6')).toMatchObject(failure('pin-6', 'pin_value'));
  });

  it('pin_values answers command_error', async () => {
    page.deliver(pin({ type: 'input', name: 'pin_h', value: 'fine' }), filePin('pin_i'));
    choose(control('pin_i'), [unreadable('b.bin')]);
    page.deliver({ command: 'pin_values', task_id: 'pin-7', spec: { names: ['pin_h', 'pin_i'] } });
    expect(await reply('pin-7')).toMatchObject(failure('pin-7', 'pin_values'));
  });

  it('pin_wait answers command_error', async () => {
    page.deliver(filePin('pin_j'));
    page.deliver({ command: 'pin_wait', task_id: 'pin-8', spec: { names: ['pin_j'], timeout: 0 } });
    const input = control('pin_j');
    choose(input, [unreadable('c.bin')]);
    input.dispatchEvent(new Event('change', { bubbles: true }));
    expect(await reply('pin-8')).toMatchObject(failure('pin-8', 'pin_wait'));
  });
});
