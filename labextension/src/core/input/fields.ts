// The fields of forms and pins: `buildField` turns one input spec into its control, with a label, a
// feedback line and a help text, and reports `input_event` (blur/change) when the spec asks.
// Choices travel as indexes; the session maps them back to its own values.
import { buttonClass, colorOr } from '../dom';
import type { Context } from '../types';
import { codeEditorField } from './code';
import type { CodeField } from './code';

// HTML attributes a field spec may set on its control; anything else is ignored.
const PASSED_ATTRIBUTES = ['min', 'max', 'step', 'maxlength', 'minlength', 'pattern', 'autocomplete', 'rows',
  'spellcheck', 'size', 'inputmode'];

export interface Field {
  spec: any;
  element: HTMLElement;
  value(): unknown;
  set(attributes: Record<string, unknown>): void;
  /** Why the browser refuses the field's value (a number that is not one, say), or null. */
  refusal(): string | null;
}

/**
 * Whether `event` is `key` pressed alone, for the renderer to act on: no modifier (Shift+Enter and the like mean
 * something else to a notebook), nobody handled it yet, and no IME composition, which Enter and Escape end
 * (Safari reports the keydown that ends one as keyCode 229 only).
 */
export function isBareKey(event: KeyboardEvent, key: string): boolean {
  return event.key === key && !event.defaultPrevented && !event.isComposing && event.keyCode !== 229
    && !event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey;
}

/**
 * Escape leaves a field: the focus goes to the nearest focusable element around it, in a notebook its cell, whose
 * command mode then has the keys (`I, I` interrupts the kernel); with none around (a page of its own) the field
 * just loses the focus. Without this the keyboard could not leave a form that a cell waits on: JupyterLab gives
 * no key to leave an editable element in an output.
 */
function leaveOnEscape(wrapper: HTMLElement): void {
  wrapper.addEventListener('keydown', event => {
    if (!isBareKey(event, 'Escape')) {
      return;
    }
    const holder = wrapper.parentElement?.closest<HTMLElement>('[tabindex]');
    if (holder) {
      holder.focus({ preventScroll: true });
    } else if (document.activeElement instanceof HTMLElement && wrapper.contains(document.activeElement)) {
      document.activeElement.blur();
    }
  });
}

/** A new element with a class and (set with textContent, never parsed) a text. */
export function element<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text?: unknown): HTMLElementTagNameMap[K] {
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

// PyWebIO's page let the browser check a field's HTML constraints on submit. A form here is `noValidate` (the
// browser's bubbles would hide the session's messages), so it checks them itself, all but `required`, which the
// session checks: above all a number field's text that is no number, whose value reads as empty (no answer).
function refusalOf(control: HTMLInputElement | HTMLTextAreaElement): string | null {
  const { validity } = control;
  if (!control.willValidate || validity.valid || (validity.valueMissing && !validity.badInput)) {
    return null;
  }
  if (control.type === 'number' && validity.badInput) {
    return 'Please enter a number.';
  }
  const step = control.getAttribute('step');
  const base = Number(control.getAttribute('min') ?? 0);
  if (validity.stepMismatch && (step === null || Number(step) === 1) && Number.isInteger(base)) {
    return 'Please enter a whole number.';
  }
  return control.validationMessage || 'Please enter a valid value.';
}

function choiceList(spec: any, kind: 'checkbox' | 'radio', groupName: string): HTMLElement {
  const list = element('div', `jps-choices${spec.inline ? ' jps-choices--inline' : ''}`);
  (spec.options ?? []).forEach((option: any, index: number) => {
    // Bootstrap's check layout (PyWebIO's), inside this renderer's own.
    const check = element('div', `form-check${spec.inline ? ' form-check-inline' : ''}`);
    const label = element('label', 'jps-choice form-check-label');
    const box = element('input');
    box.type = kind;
    box.name = groupName;
    box.value = String(index);
    box.checked = box.defaultChecked = Boolean(option.selected); // the default: what Reset comes back to
    box.disabled = Boolean(option.disabled);
    box.className = 'form-check-input';
    label.append(box, element('span', '', option.label));
    check.appendChild(label);
    list.appendChild(check);
  });
  return list;
}

function selectOptions(select: HTMLSelectElement, options: any[]): void {
  select.replaceChildren(...options.map((option: any, index: number) => {
    const node = element('option', '', option.label);
    node.value = String(index);
    node.selected = node.defaultSelected = Boolean(option.selected);
    node.disabled = Boolean(option.disabled);
    return node;
  }));
}

/**
 * Bootstrap's file field, as on PyWebIO's page: the input, invisible, over a box that shows the chosen files'
 * names (else the placeholder) and a "Browse" button. Returns the box's label; its parent holds both.
 */
function customFileInput(input: HTMLInputElement, form: HTMLFormElement, placeholder: string): HTMLLabelElement {
  const box = element('div', 'custom-file');
  input.classList.add('custom-file-input');
  const label = element('label', 'custom-file-label');
  label.dataset.browse = 'Browse';
  const chosen = label.appendChild(element('span', '', placeholder));
  const show = () => {
    chosen.textContent = [...(input.files ?? [])].map(file => file.name).join(', ') || placeholder;
  };
  input.addEventListener('change', show);
  form.addEventListener('reset', () => setTimeout(show)); // the files are cleared after the event
  box.append(input, label);
  return label;
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
  const wrapper = element('div', 'jps-field form-group');
  wrapper.dataset.name = name;
  const label = element('label', 'jps-field-label', spec.label || undefined);
  const feedback = element('div', 'jps-field-feedback');
  const validity = { status: null as boolean | null, valid_feedback: '', invalid_feedback: '' };
  const help = element('small', 'jps-field-help form-text text-muted', spec.help_text || undefined);
  let control: HTMLElement;
  let shown: HTMLElement | undefined; // what the page shows when it is more than the control
  let value: () => unknown;
  let setValue: (next: unknown) => void = () => undefined;
  let setOptions: (options: any[]) => void = () => undefined;
  let setSelected: (indexes: number[]) => void = () => undefined;
  let refusal: () => string | null = () => null;
  let code: CodeField | null = null; // the page's code editor over a code field's text area
  let fileLabel: HTMLLabelElement | undefined;

  switch (spec.type) {
    case 'textarea':
    case 'input': {
      const input = spec.type === 'textarea' ? element('textarea', 'jps-control form-control')
        : element('input', 'jps-control form-control');
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
      // As the default value too, so that Reset comes back to it, as on PyWebIO's page.
      input.value = input.defaultValue = spec.value === undefined || spec.value === null ? '' : String(spec.value);
      input.placeholder = String(spec.placeholder ?? '');
      input.required = Boolean(spec.required);
      input.readOnly = Boolean(spec.readonly);
      passAttributes(input, spec);
      if (input instanceof HTMLTextAreaElement && spec.code) {
        makeCodeField(input, Number(spec.code.indent) || 4);
        code = codeEditorField(input, form, spec);
      }
      control = input;
      value = () => input.value;
      refusal = () => refusalOf(input);
      setValue = next => {
        input.value = next === null || next === undefined ? '' : String(next);
        code?.refresh();
      };
      if (spec.action && typeof spec.action.callback_id === 'string') {
        // `input(action=(label, callback))`: a button beside the field; the session fills the field in.
        const button = element('button', buttonClass('secondary', { outline: true }), spec.action.label);
        button.type = 'button';
        button.addEventListener('click', () => context.send({ event: 'callback', task_id: spec.action.callback_id, data: null }));
        shown = element('div', 'jps-input-group input-group');
        shown.append(input, element('div', 'input-group-append'));
        shown.lastElementChild!.appendChild(button);
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
      if (context.ownsDocument) {
        fileLabel = customFileInput(input, form, String(spec.placeholder ?? 'Choose file'));
        shown = fileLabel.parentElement!;
      } else {
        input.classList.add('form-control-file');
      }
      break;
    }
    case 'slider': {
      const row = element('div', 'jps-slider');
      const range = element('input', 'jps-control jps-slider-range form-control-range');
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
      const select = element('select', 'jps-control form-control');
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
      // The field's name, as PyWebIO's (apps select `[name=...]`). Radios of one name group by their form: a
      // form's are in its <form>, and two pins have two names.
      let list = choiceList(spec, kind, name);
      control = list;
      const boxes = () => [...wrapper.querySelectorAll<HTMLInputElement>(`input[type=${kind}]`)];
      value = () => {
        const checked = boxes().filter(box => box.checked).map(box => Number(box.value));
        return kind === 'checkbox' ? checked : (checked.length ? checked[0] : null);
      };
      setOptions = options => {
        const fresh = choiceList({ ...spec, options }, kind, name);
        list.replaceWith(fresh);
        list = fresh;
      };
      setSelected = indexes => boxes().forEach((box, index) => { box.checked = indexes.includes(index); });
      break;
    }
    case 'actions': {
      const bar = element('div', 'jps-buttons');
      (spec.buttons ?? []).forEach((button: any, index: number) => {
        const node = element('button', buttonClass(colorOr(button.color, 'primary')), button.label); // as PyWebIO's
        // Submit buttons, as on PyWebIO's page: Enter in a one-line field of the form then submits with the
        // first of them, which the browser's implicit submission clicks. The form reads `submitter`.
        node.type = button.type === 'reset' || button.type === 'cancel' ? 'button' : 'submit';
        node.value = String(index);
        node.dataset.jpsAction = name;
        node.disabled = Boolean(button.disabled);
        node.addEventListener('click', () => {
          if (button.type === 'reset') {
            form.reset();
          } else if (button.type === 'cancel') {
            cancel();
          } else if (node.form !== form) {
            submitWith(name, index); // a pin's buttons are in no form: the click is the submission
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
    if (fileLabel) {
      fileLabel.htmlFor = control.id;
    }
  }
  wrapper.append(label, shown ?? control, feedback, help);
  leaveOnEscape(wrapper);
  const report = (eventName: 'blur' | 'change') => context.send({
    event: 'input_event', task_id: taskId, data: { event_name: eventName, name, value: value() }
  });
  // As PyWebIO's page: a one-line field reports leaving it only with something in it, a text area never.
  if (spec.onblur && spec.type !== 'textarea') {
    control.addEventListener('focusout', () => {
      if (spec.type !== 'input' || value() !== '') {
        report('blur');
      }
    });
  }
  if (spec.onchange) {
    control.addEventListener('change', () => report('change'));
  }
  return {
    spec,
    element: wrapper,
    value,
    refusal: () => refusal(),
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
          if (code && key !== 'required') {
            code.setReadOnly((control as HTMLTextAreaElement).readOnly || (control as HTMLTextAreaElement).disabled);
          }
        } else if (PASSED_ATTRIBUTES.includes(key)) {
          control.setAttribute(key, String(next));
        }
      }
      // As in PyWebIO: the invalid feedback shows while the field is invalid, the valid one while it is valid.
      wrapper.classList.toggle('jps-field--invalid', validity.status === false);
      wrapper.classList.toggle('jps-field--valid', validity.status === true);
      // Bootstrap's names too: the control's icon and colour, and the message under it.
      wrapper.querySelectorAll('.jps-control').forEach(node => {
        node.classList.toggle('is-invalid', validity.status === false);
        node.classList.toggle('is-valid', validity.status === true);
      });
      feedback.className = `jps-field-feedback${validity.status === null ? ''
        : validity.status ? ' valid-feedback d-block' : ' invalid-feedback d-block'}`;
      feedback.textContent = validity.status === null ? ''
        : validity.status ? validity.valid_feedback : validity.invalid_feedback;
    }
  };
}

