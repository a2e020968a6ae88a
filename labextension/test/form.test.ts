// Forms (input/form.ts) with their fields (input/fields.ts) and file uploads (input/uploads.ts).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mount, settle } from './harness';
import type { Mounted } from './harness';

let page: Mounted;

beforeEach(() => {
  page = mount();
});

afterEach(() => {
  page.cleanup();
  document.body.replaceChildren();
});

const form = () => page.el.querySelector<HTMLFormElement>('form.jps-form')!;
const field = (name: string) => page.el.querySelector<HTMLElement>(`.jps-field[data-name="${name}"]`)!;

function inputGroup(inputs: Record<string, unknown>[], spec: Record<string, unknown> = {}, taskId = 'input-1') {
  page.deliver({ command: 'input_group', task_id: taskId, spec: { label: 'Who', inputs, ...spec } });
}

describe('input_group', () => {
  it('draws the fields and submits their values, choices as indexes', async () => {
    inputGroup([
      { type: 'input', name: 'who', label: 'Name', value: 'Ann' },
      { type: 'radio', name: 'pick', options: [{ label: 'a' }, { label: 'b' }] },
      { type: 'checkbox', name: 'many', options: [{ label: 'x', selected: true }, { label: 'y' }, { label: 'z' }] }
    ]);
    expect(form().querySelector('.jps-form-title')?.textContent).toBe('Who');
    field('pick').querySelectorAll<HTMLInputElement>('input')[1].checked = true;
    field('many').querySelectorAll<HTMLInputElement>('input')[2].checked = true;
    form().requestSubmit();
    await settle();
    expect(page.events()).toEqual([{ event: 'from_submit', task_id: 'input-1',
      data: { who: 'Ann', pick: 1, many: [0, 2] } }]);
  });

  it('update_input changes a field; destroy_form removes the form', () => {
    inputGroup([{ type: 'input', name: 'age' }]);
    page.deliver({ command: 'update_input', task_id: 'input-1',
      spec: { target_name: 'age', attributes: { value: '41', valid_status: false, invalid_feedback: 'too old' } } });
    expect(field('age').querySelector('input')!.value).toBe('41');
    expect(field('age').classList.contains('jps-field--invalid')).toBe(true);
    expect(field('age').querySelector('.jps-field-feedback')?.textContent).toBe('too old');
    page.deliver({ command: 'destroy_form', task_id: 'input-1' });
    expect(page.el.querySelector('form')).toBeNull();
  });

  it('a cancelable form answers from_cancel', () => {
    inputGroup([{ type: 'input', name: 'x' }], { cancelable: true });
    [...form().querySelectorAll('button')].find(button => button.textContent === 'Cancel')!.click();
    expect(page.events()).toEqual([{ event: 'from_cancel', task_id: 'input-1', data: null }]);
  });
});

describe('file uploads', () => {
  function chooseFiles(name: string, files: File[]): void {
    Object.defineProperty(field(name).querySelector('input[type=file]'), 'files', { value: files, configurable: true });
  }

  it('sends the bytes as file_chunk and submits once the session acknowledged them', async () => {
    inputGroup([{ type: 'file', name: 'doc' }]);
    chooseFiles('doc', [new File(['hello'], 'hi.txt', { type: 'text/plain', lastModified: 5 })]);
    form().requestSubmit();
    await vi.waitFor(() => expect(page.events('file_chunk')).toHaveLength(1));
    const [chunk] = page.sent.filter(item => item.message.event === 'file_chunk');
    const data = chunk.message.data as { upload_id: string; name: string; offset: number };
    expect(data).toMatchObject({ name: 'doc', offset: 0 });
    expect(new TextDecoder().decode(chunk.buffers[0] as ArrayBuffer)).toBe('hello');
    await settle();
    expect(page.events('from_submit')).toEqual([]); // not before the acknowledgement
    page.deliver({ command: 'file_ack', task_id: 'input-1', spec: { upload_id: data.upload_id, received: 5 } });
    await vi.waitFor(() => expect(page.events('from_submit')).toHaveLength(1));
    expect(page.events('from_submit')[0].data).toEqual({ doc: [{ upload_id: data.upload_id, filename: 'hi.txt',
      size: 5, mime_type: 'text/plain', last_modified: 5 }] });
  });

  it('refuses a file over max_size: the field says so, nothing is sent', async () => {
    inputGroup([{ type: 'file', name: 'big', max_size: 3 }]);
    chooseFiles('big', [new File(['four'], 'big.bin')]);
    form().requestSubmit();
    await settle();
    expect(page.events()).toEqual([]);
    expect(field('big').classList.contains('jps-field--invalid')).toBe(true);
    expect(field('big').querySelector('.jps-field-feedback')?.textContent).toContain('big.bin is');
  });
});
