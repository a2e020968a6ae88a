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

const form = () => page.el.querySelector<HTMLFormElement>('.jps-form form')!;
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
    expect(page.el.querySelector('.jps-form > .jps-form-title')?.textContent).toBe('Who');
    field('pick').querySelectorAll<HTMLInputElement>('input')[1].checked = true;
    field('many').querySelectorAll<HTMLInputElement>('input')[2].checked = true;
    form().requestSubmit();
    await settle();
    expect(page.events()).toEqual([{ event: 'from_submit', task_id: 'input-1',
      data: { who: 'Ann', pick: 1, many: [0, 2] } }]);
  });

  it('Reset comes back to the values the form opened with, as on PyWebIO\'s page', async () => {
    inputGroup([
      { type: 'input', name: 'who', value: 'Ann' },
      { type: 'select', name: 'one', options: [{ label: 'a' }, { label: 'b', selected: true }] },
      { type: 'checkbox', name: 'many', options: [{ label: 'x', selected: true }, { label: 'y' }] }
    ]);
    field('who').querySelector('input')!.value = 'Bob';
    field('one').querySelector('select')!.selectedIndex = 0;
    field('many').querySelectorAll<HTMLInputElement>('input')[1].checked = true;
    form().reset();
    form().requestSubmit();
    await settle();
    expect(page.events('from_submit')[0].data).toEqual({ who: 'Ann', one: 1, many: [0] });
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

describe('actions in a form', () => {
  const chat = [
    { type: 'input', name: 'msg' },
    { type: 'actions', name: 'cmd', buttons: [{ label: 'Send', value: 0, type: 'submit' },
      { label: 'Multiline', value: 1, type: 'submit' }, { label: 'Exit', value: 2, type: 'cancel' }] }
  ];

  it('a last actions replaces the form buttons; Enter submits with its first submit button, once', async () => {
    inputGroup(chat);
    expect(form().querySelector('.jps-form-buttons')).toBeNull();
    // What Enter in a one-line field does: the browser clicks the form's first submit button (its default).
    const submitButtons = [...form().querySelectorAll<HTMLButtonElement>('button[type=submit]')];
    expect(submitButtons.map(button => button.textContent)).toEqual(['Send', 'Multiline']);
    field('msg').querySelector('input')!.value = 'hi';
    submitButtons[0].click();
    await settle();
    expect(page.events()).toEqual([{ event: 'from_submit', task_id: 'input-1', data: { msg: 'hi', cmd: 0 } }]);
    submitButtons[1].click();
    await settle();
    expect(page.events('from_submit')[1].data).toEqual({ msg: 'hi', cmd: 1 });
    [...form().querySelectorAll('button')].find(button => button.textContent === 'Exit')!.click();
    expect(page.events().at(-1)).toEqual({ event: 'from_cancel', task_id: 'input-1', data: null });
  });

  it('actions that are not last keep the form buttons, as in PyWebIO; their own submit button comes first', async () => {
    inputGroup([chat[1], chat[0]]);
    expect(form().querySelector('.jps-form-buttons')).not.toBeNull();
    expect(form().querySelector('button[type=submit]')?.textContent).toBe('Send');
    [...form().querySelectorAll('button')].find(button => button.textContent === 'Submit')!.click();
    await settle();
    expect(page.events()).toEqual([{ event: 'from_submit', task_id: 'input-1', data: { msg: '', cmd: null } }]);
  });
});

describe('the keyboard in a form', () => {
  const key = (target: Element, init: KeyboardEventInit) => {
    const event = new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init });
    target.dispatchEvent(event);
    return event;
  };

  it('Enter in a one-line field submits the form once, and cancels the browser\'s own submission', async () => {
    inputGroup([{ type: 'input', name: 'who' }, { type: 'textarea', name: 'note' },
      { type: 'select', name: 'many', multiple: true, options: [{ label: 'a' }] }]);
    const who = field('who').querySelector('input')!;
    who.value = 'ada';
    const enter = key(who, { key: 'Enter' });
    await settle();
    expect(enter.defaultPrevented).toBe(true); // the browser would submit the form a second time
    expect(page.events()).toEqual([{ event: 'from_submit', task_id: 'input-1',
      data: { who: 'ada', note: '', many: [] } }]);
    // Not where Enter means something else: a line break, a choice, a modifier's command, an IME composition.
    const ignored = [key(field('note').querySelector('textarea')!, { key: 'Enter' }),
      key(field('many').querySelector('select')!, { key: 'Enter' }),
      ...['shiftKey', 'ctrlKey', 'altKey', 'metaKey'].map(modifier => key(who, { key: 'Enter', [modifier]: true })),
      key(who, { key: 'Enter', isComposing: true }), key(who, { key: 'Enter', keyCode: 229 })];
    await settle();
    expect(page.events()).toHaveLength(1);
    expect(ignored.map(event => event.defaultPrevented)).toEqual(ignored.map(() => false));
  });

  it('Enter submits with the first submit button of a last actions, as the browser would; not when it is disabled',
    async () => {
      inputGroup([{ type: 'input', name: 'msg' }, { type: 'actions', name: 'cmd', buttons: [
        { label: 'Send', value: 0, type: 'submit' }, { label: 'Exit', value: 1, type: 'cancel' }] }]);
      key(field('msg').querySelector('input')!, { key: 'Enter' });
      await settle();
      expect(page.events()).toEqual([{ event: 'from_submit', task_id: 'input-1', data: { msg: '', cmd: 0 } }]);
      page.deliver({ command: 'destroy_form', task_id: 'input-1' });
      inputGroup([{ type: 'input', name: 'msg' }, { type: 'actions', name: 'cmd', buttons: [
        { label: 'Send', value: 0, type: 'submit', disabled: true }, { label: 'Other', value: 1, type: 'submit' }] }]);
      key(field('msg').querySelector('input')!, { key: 'Enter' });
      await settle();
      expect(page.events()).toHaveLength(1);
    });

  it('Escape gives the focus to the nearest focusable element around the form (a notebook\'s cell)', () => {
    const cell = document.body.appendChild(Object.assign(document.createElement('div'), { tabIndex: 0 }));
    cell.appendChild(page.el);
    inputGroup([{ type: 'input', name: 'who', auto_focus: true }, { type: 'textarea', name: 'note' }]);
    const who = field('who').querySelector('input')!;
    expect(document.activeElement).toBe(who);
    key(who, { key: 'Escape', isComposing: true }); // cancels the composition only
    expect(document.activeElement).toBe(who);
    key(who, { key: 'Escape' });
    expect(document.activeElement).toBe(cell);
    const note = field('note').querySelector('textarea')!;
    note.focus();
    key(note, { key: 'Escape' });
    expect(document.activeElement).toBe(cell);
    expect(page.events()).toEqual([]);
  });

  it('Escape on a page of its own, with nothing focusable around, just leaves the field', () => {
    inputGroup([{ type: 'input', name: 'who', auto_focus: true }]);
    const who = field('who').querySelector('input')!;
    expect(document.activeElement).toBe(who);
    key(who, { key: 'Escape' });
    expect(document.activeElement).toBe(document.body);
  });
});

describe('field messages', () => {
  it('each submit clears every field\'s message, as on PyWebIO\'s page', async () => {
    inputGroup([{ type: 'input', name: 'name' }, { type: 'input', name: 'age', input_type: 'number' }]);
    page.deliver({ command: 'update_input', task_id: 'input-1',
      spec: { target_name: 'name', attributes: { valid_status: false, invalid_feedback: 'Name too long!' } } });
    expect(field('name').classList.contains('jps-field--invalid')).toBe(true);
    form().requestSubmit();
    await settle();
    expect(field('name').classList.contains('jps-field--invalid')).toBe(false);
    expect(field('name').querySelector('.jps-field-feedback')?.textContent).toBe('');
    expect(page.events('from_submit')).toHaveLength(1);
  });

  it('a number field refuses a fraction where a whole number is expected, and text that is no number', async () => {
    inputGroup([{ type: 'input', name: 'count', input_type: 'number' },
      { type: 'input', name: 'ratio', input_type: 'number', step: 'any' }]);
    const count = field('count').querySelector('input')!;
    const ratio = field('ratio').querySelector('input')!;
    count.value = '2.5';
    ratio.value = '2.5';
    form().requestSubmit();
    await settle();
    expect(page.events()).toEqual([]);
    expect(field('count').querySelector('.jps-field-feedback')?.textContent).toBe('Please enter a whole number.');
    expect(field('ratio').classList.contains('jps-field--invalid')).toBe(false);
    count.value = '3';
    // What the browser reports for `1e` typed into a number field, whose value then reads as empty.
    Object.defineProperty(ratio, 'validity', { value: { valid: false, badInput: true, valueMissing: false } });
    ratio.value = '';
    form().requestSubmit();
    await settle();
    expect(page.events()).toEqual([]);
    expect(field('count').querySelector('.jps-field-feedback')?.textContent).toBe('');
    expect(field('ratio').querySelector('.jps-field-feedback')?.textContent).toBe('Please enter a number.');
  });
});

describe('input events', () => {
  it('a field reports leaving it only with text in it, and a closed form reports nothing', () => {
    inputGroup([{ type: 'input', name: 'nick', onblur: true }, { type: 'textarea', name: 'note', onblur: true }]);
    const nick = field('nick').querySelector('input')!;
    nick.dispatchEvent(new FocusEvent('focusout', { bubbles: true }));
    field('note').querySelector('textarea')!.dispatchEvent(new FocusEvent('focusout', { bubbles: true }));
    expect(page.events()).toEqual([]); // as PyWebIO's page: nothing typed yet, and a text area never
    nick.value = 'ada';
    nick.dispatchEvent(new FocusEvent('focusout', { bubbles: true }));
    expect(page.events()).toEqual([{ event: 'input_event', task_id: 'input-1',
      data: { event_name: 'blur', name: 'nick', value: 'ada' } }]);
    // Chrome fires blur on the focused field while destroy_form removes it.
    page.deliver({ command: 'destroy_form', task_id: 'input-1' });
    nick.dispatchEvent(new FocusEvent('focusout', { bubbles: true }));
    expect(page.events()).toHaveLength(1);
  });
});

describe('file uploads', () => {
  function chooseFiles(name: string, files: File[]): void {
    Object.defineProperty(field(name).querySelector('input[type=file]'), 'files', { value: files, configurable: true });
  }

  it('sends the bytes as file_chunk and submits once the session acknowledged them', async () => {
    inputGroup([{ type: 'file', name: 'doc' }]);
    chooseFiles('doc', [new File(['hello'], 'hi.txt', { type: 'text/plain', lastModified: 1600000000250 })]);
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
      size: 5, mime_type: 'text/plain', last_modified: 1600000000.25 }] }); // seconds, as PyWebIO's page
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

describe('forms of several tasks', () => {
  const formOf = (label: string) => [...page.el.querySelectorAll<HTMLElement>('.jps-form')]
    .find(element => element.querySelector('.jps-form-title')?.textContent === label)!;
  const shown = () => [...page.el.querySelectorAll<HTMLElement>('.jps-form')]
    .filter(element => element.style.display !== 'none')
    .map(element => element.querySelector('.jps-form-title')?.textContent);

  it('shows only the newest; the older comes back with its text and its focus when the newer goes', () => {
    inputGroup([{ type: 'input', name: 'who', auto_focus: true }], { label: 'Thread' }, 'thread-1');
    formOf('Thread').querySelector('input')!.value = 'ada';
    inputGroup([{ type: 'input', name: 'what', auto_focus: true }], { label: 'Main' }, 'main');
    expect(shown()).toEqual(['Main']);
    expect(document.activeElement).toBe(formOf('Main').querySelector('input'));
    page.deliver({ command: 'destroy_form', task_id: 'main' });
    expect(shown()).toEqual(['Thread']);
    expect(formOf('Thread').querySelector('input')!.value).toBe('ada');
    expect(document.activeElement).toBe(formOf('Thread').querySelector('input'));
    formOf('Thread').querySelector('form')!.requestSubmit();
    return settle().then(() => {
      expect(page.events('from_submit')).toEqual([{ event: 'from_submit', task_id: 'thread-1', data: { who: 'ada' } }]);
    });
  });

  it('update_input reaches a hidden form; closing a hidden form leaves the shown one', () => {
    inputGroup([{ type: 'input', name: 'who' }], { label: 'Thread' }, 'thread-1');
    inputGroup([{ type: 'input', name: 'what' }], { label: 'Main' }, 'main');
    page.deliver({ command: 'update_input', task_id: 'thread-1',
      spec: { target_name: 'who', attributes: { value: 'bob' } } });
    expect(formOf('Thread').querySelector('input')!.value).toBe('bob');
    expect(shown()).toEqual(['Main']);
    page.deliver({ command: 'destroy_form', task_id: 'thread-1' });
    expect(shown()).toEqual(['Main']);
    expect(page.el.querySelectorAll('.jps-form')).toHaveLength(1);
  });

  it('no input_auto_focus: a form that comes back takes no focus', () => {
    page.deliver({ command: 'set_env', spec: { input_auto_focus: false } });
    inputGroup([{ type: 'input', name: 'who', auto_focus: true }], { label: 'Thread' }, 'thread-1');
    expect(document.activeElement).toBe(document.body);
  });

  it('on a page of its own the forms go into the input panel; in a notebook after the outputs', () => {
    expect(page.el.querySelector('#input-container')).toBeNull();
    inputGroup([{ type: 'input', name: 'who' }]);
    expect(page.el.querySelector('.jps-form')!.parentElement).toBe(page.el.querySelector('.jps-root'));
    const own = mount({ ownsDocument: true });
    own.deliver({ command: 'input_group', task_id: 'input-1', spec: { label: 'Who', inputs: [] } });
    const cards = own.el.querySelector('#input-container > #input-cards.container')!;
    expect(cards.querySelector(':scope > .jps-form.card > .card-body > form')).not.toBeNull(); // PyWebIO's
    expect(own.el.querySelector('#output-container > #end-space')).not.toBeNull();
    own.cleanup();
  });
});
