// Code fields (input/code.ts with input/fields.ts): a text area where Tab indents when the host has no editor (a
// notebook), the host's editor over it when it has one (the page's CodeMirror; a fake here).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useCodeEditor } from '../src/core/input/code';
import type { CodeEditorSetup } from '../src/core/input/code';
import { mount, settle } from './harness';
import type { Mounted } from './harness';

let page: Mounted;

beforeEach(() => {
  page = mount();
});

afterEach(() => {
  useCodeEditor(undefined);
  page.cleanup();
  document.body.replaceChildren();
});

const area = () => page.el.querySelector<HTMLTextAreaElement>('.jps-field[data-name="src"] textarea')!;

function codeForm(field: Record<string, unknown> = {}) {
  page.deliver({ command: 'input_group', task_id: 'input-1', spec: { inputs: [
    { type: 'textarea', name: 'src', rows: 5, code: { indent: 2, options: { mode: 'python', indentUnit: 2 } }, ...field }
  ] } });
}

/** A host whose editor records what it is given and told; its text lives in the text area, as CodeMirror's. */
function fakeEditor() {
  const made: { setup: CodeEditorSetup; shown: string[]; readOnly: boolean[]; element: HTMLElement }[] = [];
  useCodeEditor({
    asset: name => `/static/${name}`,
    load: async () => (textarea, setup) => {
      const editor = { setup, shown: [] as string[], readOnly: [] as boolean[], element: document.createElement('div') };
      textarea.after(editor.element);
      made.push(editor);
      return {
        element: editor.element,
        setValue: text => editor.shown.push(text),
        setReadOnly: readOnly => editor.readOnly.push(readOnly),
        focus: () => undefined
      };
    }
  });
  return made;
}

describe('a code field without an editor (the notebook)', () => {
  it('is a monospace text area where Tab indents by the indent', () => {
    codeForm();
    expect(area().classList.contains('jps-code-field')).toBe(true);
    area().value = 'x';
    area().setSelectionRange(0, 0);
    area().dispatchEvent(new KeyboardEvent('keydown', { key: 'Tab', cancelable: true }));
    expect(area().value).toBe('  x');
  });
});

describe('a code field with the host editor (the page)', () => {
  it('gets the app options, the rows and the read-only state', async () => {
    const made = fakeEditor();
    codeForm({ readonly: true });
    await settle();
    expect(made).toHaveLength(1);
    expect(made[0].setup).toMatchObject({ options: { mode: 'python', indentUnit: 2 }, rows: 5, readOnly: true });
    expect(made[0].setup.asset('cm-theme-x.css')).toBe('/static/cm-theme-x.css');
  });

  it('reports edits as the field\'s change, and submits the text', async () => {
    const made = fakeEditor();
    codeForm({ onchange: true });
    await settle();
    area().value = 'print(1)';
    made[0].setup.edited();
    // CodeMirror's own text area inside the field: its events are not the field's.
    made[0].element.appendChild(document.createElement('textarea')).dispatchEvent(new Event('change', { bubbles: true }));
    expect(page.events('input_event')).toEqual([{ event: 'input_event', task_id: 'input-1',
      data: { event_name: 'change', name: 'src', value: 'print(1)' } }]);
    page.el.querySelector('form')!.requestSubmit();
    await settle();
    expect(page.events('from_submit')[0].data).toEqual({ src: 'print(1)' });
  });

  it('shows update_input\'s value and readonly, and Reset', async () => {
    vi.useFakeTimers();
    try {
      const made = fakeEditor();
      codeForm();
      await vi.runAllTimersAsync();
      page.deliver({ command: 'update_input', task_id: 'input-1',
        spec: { target_name: 'src', attributes: { value: 'x = 1', readonly: true } } });
      expect(made[0].shown).toEqual(['x = 1']);
      expect(made[0].readOnly).toEqual([true]);
      page.el.querySelector('form')!.reset();
      await vi.runAllTimersAsync();
      expect(made[0].shown).toEqual(['x = 1', '']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stays a text area when the editor cannot load', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    useCodeEditor({ asset: name => name, load: () => Promise.reject(new Error('offline')) });
    codeForm();
    await settle();
    expect(error).toHaveBeenCalledWith(expect.stringContaining('could not load the code editor'), expect.any(Error));
    page.deliver({ command: 'update_input', task_id: 'input-1', spec: { target_name: 'src', attributes: { value: 'y' } } });
    expect(area().value).toBe('y');
  });
});
