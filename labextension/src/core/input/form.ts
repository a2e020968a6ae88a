// Forms for the input functions: `input_group` shows one, `update_input` changes a field, `destroy_form`
// removes it. Answers go back as `input_event` (blur/change), `from_submit` (sic) and `from_cancel`.
// Choices travel as indexes; the session maps them back to its own values.
import { colorOr } from '../dom';
import type { Context, Handler } from '../types';

// HTML attributes a field spec may set on its control; anything else is ignored.
const PASSED_ATTRIBUTES = ['min', 'max', 'step', 'maxlength', 'minlength', 'pattern', 'autocomplete', 'rows',
  'spellcheck', 'size', 'inputmode'];

export interface Field {
  spec: any;
  element: HTMLElement;
  value(): unknown;
  set(attributes: Record<string, unknown>): void;
}

interface OpenForm {
  element: HTMLFormElement;
  fields: Map<string, Field>;
}

const forms = new WeakMap<Context, Map<string, OpenForm>>();

function formsOf(context: Context): Map<string, OpenForm> {
  let open = forms.get(context);
  if (!open) {
    open = new Map();
    forms.set(context, open);
  }
  return open;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text?: unknown): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined && text !== null) {
    node.textContent = String(text);
  }
  return node;
}

function passAttributes(control: HTMLElement, spec: any): void {
  for (const name of PASSED_ATTRIBUTES) {
    if (spec[name] !== undefined && spec[name] !== null) {
      control.setAttribute(name, String(spec[name]));
    }
  }
}

function choiceList(spec: any, kind: 'checkbox' | 'radio', groupName: string): HTMLElement {
  const list = element('div', `jps-choices${spec.inline ? ' jps-choices--inline' : ''}`);
  (spec.options ?? []).forEach((option: any, index: number) => {
    const label = element('label', 'jps-choice');
    const box = element('input');
    box.type = kind;
    box.name = groupName;
    box.value = String(index);
    box.checked = Boolean(option.selected);
    box.disabled = Boolean(option.disabled);
    label.append(box, element('span', '', option.label));
    list.appendChild(label);
  });
  return list;
}

function selectOptions(select: HTMLSelectElement, options: any[]): void {
  select.replaceChildren(...options.map((option: any, index: number) => {
    const node = element('option', '', option.label);
    node.value = String(index);
    node.selected = Boolean(option.selected);
    node.disabled = Boolean(option.disabled);
    return node;
  }));
}

/** A monospace field for code where Tab indents (and Shift+Tab unindents) instead of moving the focus. */
function makeCodeField(area: HTMLTextAreaElement, indent: number): void {
  area.classList.add('jps-code-field');
  area.spellcheck = false;
  area.setAttribute('autocapitalize', 'off');
  area.addEventListener('keydown', event => {
    if (event.key !== 'Tab' || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    event.preventDefault();
    const start = area.selectionStart;
    if (!event.shiftKey) {
      area.setRangeText(' '.repeat(indent), start, area.selectionEnd, 'end');
      return;
    }
    const lineStart = area.value.lastIndexOf('\n', start - 1) + 1;
    const spaces = /^ */.exec(area.value.slice(lineStart))![0].length;
    const removed = Math.min(spaces, indent);
    area.setRangeText('', lineStart, lineStart + removed, 'preserve');
    area.setSelectionRange(Math.max(start - removed, lineStart), Math.max(start - removed, lineStart));
  });
}

export function buildField(spec: any, form: HTMLFormElement, context: Context, taskId: string | null,
  submitWith: (name: string, index: number) => void, cancel: () => void): Field {
  const name = String(spec.name);
  const wrapper = element('div', 'jps-field');
  wrapper.dataset.name = name;
  const label = element('label', 'jps-field-label', spec.label || undefined);
  const feedback = element('div', 'jps-field-feedback');
  const validity = { status: null as boolean | null, valid_feedback: '', invalid_feedback: '' };
  const help = element('div', 'jps-field-help', spec.help_text || undefined);
  let control: HTMLElement;
  let shown: HTMLElement | undefined; // what the page shows when it is more than the control
  let value: () => unknown;
  let setValue: (next: unknown) => void = () => undefined;
  let setOptions: (options: any[]) => void = () => undefined;
  let setSelected: (indexes: number[]) => void = () => undefined;

  switch (spec.type) {
    case 'textarea':
    case 'input': {
      const input = spec.type === 'textarea' ? element('textarea', 'jps-control') : element('input', 'jps-control');
      if (input instanceof HTMLInputElement) {
        input.type = String(spec.input_type ?? 'text');
        if (Array.isArray(spec.datalist)) {
          const list = element('datalist');
          list.id = `jps-datalist-${Math.random().toString(36).slice(2)}`;
          spec.datalist.forEach((item: unknown) => list.appendChild(Object.assign(element('option'), { value: String(item) })));
          wrapper.appendChild(list);
          input.setAttribute('list', list.id);
        }
      }
      input.name = name;
      input.value = spec.value === undefined || spec.value === null ? '' : String(spec.value);
      input.placeholder = String(spec.placeholder ?? '');
      input.required = Boolean(spec.required);
      input.readOnly = Boolean(spec.readonly);
      passAttributes(input, spec);
      if (input instanceof HTMLTextAreaElement && spec.code) {
        makeCodeField(input, Number(spec.code.indent) || 4);
      }
      control = input;
      value = () => input.value;
      setValue = next => { input.value = next === null || next === undefined ? '' : String(next); };
      if (spec.action && typeof spec.action.callback_id === 'string') {
        // `input(action=(label, callback))`: a button beside the field; the session fills the field in.
        const button = element('button', 'jps-button jps-button--secondary jps-button--outline', spec.action.label);
        button.type = 'button';
        button.addEventListener('click', () => context.send({ event: 'callback', task_id: spec.action.callback_id, data: null }));
        shown = element('div', 'jps-input-group');
        shown.append(input, button);
      }
      break;
    }
    case 'file': {
      const input = element('input', 'jps-control');
      input.type = 'file';
      input.name = name;
      input.multiple = Boolean(spec.multiple);
      if (spec.accept) {
        input.accept = String(spec.accept);
      }
      control = input;
      value = () => [...(input.files ?? [])];
      break;
    }
    case 'slider': {
      const row = element('div', 'jps-slider');
      const range = element('input', 'jps-control jps-slider-range');
      range.type = 'range';
      range.name = name;
      range.min = String(spec.min_value ?? 0);
      range.max = String(spec.max_value ?? 100);
      range.step = String(spec.step ?? 1);
      range.value = String(spec.value ?? 0);
      const shown = element('output', 'jps-slider-value', range.value);
      range.addEventListener('input', () => { shown.textContent = range.value; });
      row.append(range, shown);
      control = row;
      value = () => Number(range.value);
      setValue = next => { range.value = String(next ?? 0); shown.textContent = range.value; };
      break;
    }
    case 'select': {
      const select = element('select', 'jps-control');
      select.name = name;
      select.multiple = Boolean(spec.multiple);
      select.required = Boolean(spec.required);
      selectOptions(select, spec.options ?? []);
      if (!select.multiple && !(spec.options ?? []).some((o: any) => o.selected) && select.options.length) {
        select.selectedIndex = 0;
      }
      control = select;
      value = () => select.multiple
        ? [...select.selectedOptions].map(option => Number(option.value))
        : (select.selectedIndex < 0 ? null : Number(select.value));
      setOptions = options => selectOptions(select, options);
      setSelected = indexes => [...select.options].forEach((option, index) => { option.selected = indexes.includes(index); });
      break;
    }
    case 'checkbox':
    case 'radio': {
      const kind = spec.type as 'checkbox' | 'radio';
      let list = choiceList(spec, kind, `${name}-${Math.random().toString(36).slice(2)}`);
      control = list;
      const boxes = () => [...wrapper.querySelectorAll<HTMLInputElement>(`input[type=${kind}]`)];
      value = () => {
        const checked = boxes().filter(box => box.checked).map(box => Number(box.value));
        return kind === 'checkbox' ? checked : (checked.length ? checked[0] : null);
      };
      setOptions = options => {
        const fresh = choiceList({ ...spec, options }, kind, `${name}-${Math.random().toString(36).slice(2)}`);
        list.replaceWith(fresh);
        list = fresh;
      };
      setSelected = indexes => boxes().forEach((box, index) => { box.checked = indexes.includes(index); });
      break;
    }
    case 'actions': {
      const bar = element('div', 'jps-buttons');
      (spec.buttons ?? []).forEach((button: any, index: number) => {
        const color = colorOr(button.color, button.type === 'submit' ? 'primary' : 'secondary');
        const node = element('button', `jps-button jps-button--${color}`, button.label);
        node.type = 'button';
        node.disabled = Boolean(button.disabled);
        node.addEventListener('click', () => {
          if (button.type === 'reset') {
            form.reset();
          } else if (button.type === 'cancel') {
            cancel();
          } else {
            submitWith(name, index);
          }
        });
        bar.appendChild(node);
      });
      control = bar;
      value = () => null;
      break;
    }
    default:
      control = element('div', 'jps-unsupported', `[unsupported input: ${String(spec.type)}]`);
      value = () => null;
  }
  if (control instanceof HTMLInputElement || control instanceof HTMLTextAreaElement || control instanceof HTMLSelectElement) {
    control.id = `jps-field-${Math.random().toString(36).slice(2)}`;
    label.htmlFor = control.id;
  }
  wrapper.append(label, shown ?? control, feedback, help);
  const report = (eventName: 'blur' | 'change') => context.send({
    event: 'input_event', task_id: taskId, data: { event_name: eventName, name, value: value() }
  });
  if (spec.onblur) {
    control.addEventListener('focusout', () => report('blur'));
  }
  if (spec.onchange) {
    control.addEventListener('change', () => report('change'));
  }
  return {
    spec,
    element: wrapper,
    value,
    set(attributes) {
      for (const [key, next] of Object.entries(attributes)) {
        if (key === 'valid_status') {
          validity.status = next === true || next === false ? next : null;
        } else if (key === 'invalid_feedback' || key === 'valid_feedback') {
          validity[key] = String(next ?? '');
        } else if (key === 'label') {
          label.textContent = String(next ?? '');
        } else if (key === 'help_text') {
          help.textContent = String(next ?? '');
        } else if (key === 'value') {
          setValue(next);
        } else if (key === 'options' && Array.isArray(next)) {
          setOptions(next);
        } else if (key === 'selected' && Array.isArray(next)) {
          setSelected(next.map(Number));
        } else if (key === 'placeholder' && 'placeholder' in control) {
          (control as HTMLInputElement).placeholder = String(next ?? '');
        } else if ((key === 'readonly' || key === 'disabled' || key === 'required') && control instanceof HTMLElement) {
          control.toggleAttribute(key === 'readonly' ? 'readonly' : key, Boolean(next));
        } else if (PASSED_ATTRIBUTES.includes(key)) {
          control.setAttribute(key, String(next));
        }
      }
      // As in PyWebIO: the invalid feedback shows while the field is invalid, the valid one while it is valid.
      wrapper.classList.toggle('jps-field--invalid', validity.status === false);
      wrapper.classList.toggle('jps-field--valid', validity.status === true);
      feedback.textContent = validity.status === null ? ''
        : validity.status ? validity.valid_feedback : validity.invalid_feedback;
    }
  };
}

const UPLOAD_CHUNK = 1 << 20;
const UPLOAD_WINDOW = 4; // chunks in flight before the session acknowledges the first
const uploadAcks = new Map<string, (received: number) => void>();

function describeSize(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** Send the files in acknowledged 1 MiB chunks; their descriptions, or null when one breaks a size limit. */
export async function uploadFiles(context: Context, taskId: string | null, field: Field, files: File[]): Promise<unknown[] | null> {
  const maxSize = Number(field.spec.max_size) || 0;
  const maxTotal = Number(field.spec.max_total_size) || 0;
  const tooBig = files.find(file => maxSize && file.size > maxSize);
  const total = files.reduce((sum, file) => sum + file.size, 0);
  if (tooBig || (maxTotal && total > maxTotal)) {
    field.set({ valid_status: false, invalid_feedback: tooBig
      ? `${tooBig.name} is ${describeSize(tooBig.size)}; files may be at most ${describeSize(maxSize)}.`
      : `The files add up to ${describeSize(total)}; at most ${describeSize(maxTotal)} in all.` });
    return null;
  }
  const described = [];
  for (const file of files) {
    const uploadId = `up-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
    let acknowledged = 0;
    let wake: () => void = () => undefined;
    uploadAcks.set(uploadId, received => { acknowledged = received; wake(); });
    try {
      for (let offset = 0; offset < file.size || (offset === 0 && file.size === 0); offset += UPLOAD_CHUNK) {
        while (offset - acknowledged >= UPLOAD_WINDOW * UPLOAD_CHUNK) {
          await new Promise<void>(resolve => { wake = resolve; });
        }
        const chunk = await file.slice(offset, offset + UPLOAD_CHUNK).arrayBuffer();
        context.send({ event: 'file_chunk', task_id: taskId, data: { upload_id: uploadId, name: field.spec.name, offset,
          chunk: null }, buffer_paths: [['data', 'chunk']] } as any, [chunk]);
        if (file.size === 0) {
          break;
        }
      }
      while (acknowledged < file.size) {
        await new Promise<void>(resolve => { wake = resolve; });
      }
    } finally {
      uploadAcks.delete(uploadId);
    }
    described.push({ upload_id: uploadId, filename: file.name, size: file.size, mime_type: file.type,
      last_modified: file.lastModified });
  }
  return described;
}

export const fileAck: Handler = (_context, command) => {
  const spec = command.spec ?? {};
  uploadAcks.get(String(spec.upload_id))?.(Number(spec.received) || 0);
};

export const inputGroup: Handler = (context, command) => {
  const spec = command.spec ?? {};
  const taskId = command.task_id;
  const open = formsOf(context);
  open.get(String(taskId))?.element.remove();
  const form = element('form', 'jps-form');
  form.noValidate = true; // the session validates; the browser's own bubbles would hide its messages
  if (spec.label) {
    form.appendChild(element('div', 'jps-form-title', spec.label));
  }
  const fields = new Map<string, Field>();
  const gather = () => Object.fromEntries([...fields].map(([name, field]) => [name, field.value()]));
  const submit = async (data: Record<string, unknown>) => {
    for (const [name, field] of fields) {
      if (field.spec.type === 'file') {
        const uploaded = await uploadFiles(context, taskId, field, data[name] as File[]);
        if (uploaded === null) {
          return; // a file is too large: the field says so, and the form stays
        }
        data[name] = uploaded;
      }
    }
    context.send({ event: 'from_submit', task_id: taskId, data });
  };
  const cancel = () => context.send({ event: 'from_cancel', task_id: taskId, data: null });
  const submitWith = (name: string, index: number) => void submit({ ...gather(), [name]: index });
  for (const item of Array.isArray(spec.inputs) ? spec.inputs : []) {
    const field = buildField(item, form, context, taskId, submitWith, cancel);
    fields.set(String(item.name), field);
    form.appendChild(field.element);
  }
  const hasActions = [...fields.values()].some(field => field.spec.type === 'actions');
  if (!hasActions) {
    const bar = element('div', 'jps-buttons jps-form-buttons');
    const submitButton = element('button', 'jps-button jps-button--primary', 'Submit');
    submitButton.type = 'submit';
    const resetButton = element('button', 'jps-button jps-button--secondary jps-button--outline', 'Reset');
    resetButton.type = 'reset';
    bar.append(submitButton, resetButton);
    if (spec.cancelable) {
      const cancelButton = element('button', 'jps-button jps-button--secondary jps-button--outline', 'Cancel');
      cancelButton.type = 'button';
      cancelButton.addEventListener('click', cancel);
      bar.appendChild(cancelButton);
    }
    form.appendChild(bar);
  }
  form.addEventListener('submit', event => {
    event.preventDefault();
    if (!hasActions) {
      void submit(gather());
    }
  });
  open.set(String(taskId), { element: form, fields });
  context.root.appendChild(form);
  const focus = Array.isArray(spec.inputs) ? spec.inputs.find((item: any) => item.auto_focus) : undefined;
  if (focus && context.env.input_auto_focus !== false) {
    fields.get(String(focus.name))?.element.querySelector<HTMLElement>('input, select, textarea')?.focus();
  }
};

export const updateInput: Handler = (context, command) => {
  const form = formsOf(context).get(String(command.task_id));
  const spec = command.spec ?? {};
  const field = form?.fields.get(String(spec.target_name));
  if (field && spec.attributes && typeof spec.attributes === 'object') {
    field.set(spec.attributes);
  }
};

export const destroyForm: Handler = (context, command) => {
  const open = formsOf(context);
  open.get(String(command.task_id))?.element.remove();
  open.delete(String(command.task_id));
};
