// Forms for the input functions: `input_group` shows one, `update_input` changes a field, `destroy_form`
// removes it. Answers go back as `input_event` (blur/change), `from_submit` (sic) and `from_cancel`.
// The fields are built by fields.ts; file fields upload through uploads.ts before the form is submitted.
// Several tasks may ask at once (a registered thread, a `run_async` coroutine, the main task): as on PyWebIO's
// page only the newest form shows, and the others wait hidden under it, with what was typed in them (stack.ts).
// On the standalone page the forms go into the input panel (panel.ts); in a notebook, after the cell's outputs.
import type { Context, Handler } from '../types';
import { buttonClass } from '../dom';
import { buildField, element, isBareKey } from './fields';
import type { Field } from './fields';
import { FormStack } from './stack';
import { uploadFiles } from './uploads';

interface OpenForm {
  /** The form's card: what shows and hides. */
  element: HTMLElement;
  fields: Map<string, Field>;
  /** The field to focus when the form shows (`auto_focus`), if any. */
  focus: Field | undefined;
  close(): void;
}

interface Forms {
  stack: FormStack<OpenForm>;
  shown: OpenForm | undefined;
}

const forms = new WeakMap<Context, Forms>();

// The one-line fields in which Enter submits the form, as in the HTML standard's implicit submission.
const SUBMITTING_TYPES = new Set(['text', 'search', 'url', 'tel', 'email', 'password', 'number', 'date', 'month',
  'week', 'time', 'datetime-local']);

/**
 * Submit `form` as the browser does on Enter in one of its one-line fields: click its first submit button (every
 * form here has one: its own Submit, or those of a last `actions`), unless that button is disabled. The renderer
 * does it itself because JupyterLab (4.2 and later) cancels the line break that Enter would insert anywhere in a
 * cell (its keydown handler cancels the `beforeinput` event of type `insertLineBreak`, so that Shift+Enter can
 * run the cell), and Chromium submits a form only through that line break. Where the browser would still submit
 * (Notebook 7, the page) the caller cancels the key, so that the form is submitted once everywhere.
 */
function submitImplicitly(form: HTMLFormElement): void {
  const button = [...form.elements].find((control): control is HTMLButtonElement =>
    control instanceof HTMLButtonElement && control.type === 'submit');
  if (button && !button.disabled) {
    button.click();
  }
}

function formsOf(context: Context): Forms {
  let open = forms.get(context);
  if (!open) {
    open = { stack: new FormStack(), shown: undefined };
    forms.set(context, open);
  }
  return open;
}

/** Show the top form only; a form that comes on show takes the focus and has the input panel placed for it. */
function showTop(context: Context, open: Forms): void {
  const top = open.stack.top();
  for (const form of open.stack.all()) {
    form.element.style.display = form === top ? '' : 'none';
  }
  if (top === open.shown) {
    return;
  }
  open.shown = top;
  if (!top) {
    context.inputPanel?.emptied();
    return;
  }
  context.inputPanel?.shown();
  if (context.env.input_auto_focus !== false) {
    top.focus?.element.querySelector<HTMLElement>('input, select, textarea')?.focus();
  }
}

export const inputGroup: Handler = (context, command) => {
  const spec = command.spec ?? {};
  const taskId = command.task_id;
  const open = formsOf(context);
  // A Bootstrap card, as PyWebIO's forms (`#input-cards > .card > .card-body > form`, which apps' and PyWebIO's
  // own tests select): the title in its header band, the form in its body.
  const card = element('div', 'jps-form card');
  if (spec.label) {
    card.appendChild(element('h5', 'jps-form-title card-header', spec.label));
  }
  const body = card.appendChild(element('div', 'jps-form-body card-body'));
  const form = body.appendChild(element('form'));
  form.noValidate = true; // the session validates; the browser's own bubbles would hide its messages
  const fields = new Map<string, Field>();
  let closed = false;
  // Chrome fires `blur` on a focused field as its form is removed: a closed form's fields send nothing more.
  const formContext: Context = {
    ...context,
    send(event, buffers) {
      if (!closed) {
        context.send(event, buffers);
      }
    }
  };
  const gather = () => Object.fromEntries([...fields].map(([name, field]) => [name, field.value()]));
  const submit = async (data: Record<string, unknown>) => {
    // As PyWebIO's page: each submit clears every field's message; the session's answer shows the new ones.
    let refused = false;
    for (const field of fields.values()) {
      const why = field.refusal();
      field.set(why === null ? { valid_status: 0 } : { valid_status: false, invalid_feedback: why });
      refused ||= why !== null;
    }
    if (refused) {
      return;
    }
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
  const inputs: any[] = Array.isArray(spec.inputs) ? spec.inputs : [];
  for (const item of inputs) {
    const field = buildField(item, form, formContext, taskId, submitWith, cancel);
    fields.set(String(item.name), field);
    form.appendChild(field.element);
  }
  // As in PyWebIO: a last `actions` with a submit button replaces the form's own buttons.
  const last = inputs[inputs.length - 1];
  const replaced = last?.type === 'actions' && (last.buttons ?? []).some((button: any) => button.type === 'submit');
  if (!replaced) {
    const bar = element('div', 'jps-buttons jps-form-buttons');
    // PyWebIO's colours on its page (Reset yellow, Cancel red); in a notebook quieter outlines (style.css).
    const submitButton = element('button', buttonClass('primary'), 'Submit');
    submitButton.type = 'submit';
    const resetButton = element('button', `${buttonClass('warning')} jps-form-reset`, 'Reset');
    resetButton.type = 'reset';
    bar.append(submitButton, resetButton);
    if (spec.cancelable) {
      const cancelButton = element('button', `${buttonClass('danger')} jps-form-cancel pywebio_cancel_btn`, 'Cancel');
      cancelButton.type = 'button';
      cancelButton.addEventListener('click', cancel);
      bar.appendChild(cancelButton);
    }
    form.appendChild(bar);
  }
  form.addEventListener('keydown', event => {
    const target = event.target;
    if (isBareKey(event, 'Enter') && target instanceof HTMLInputElement && SUBMITTING_TYPES.has(target.type)) {
      event.preventDefault();
      submitImplicitly(form);
    }
  });
  form.addEventListener('submit', event => {
    event.preventDefault();
    const submitter = (event as SubmitEvent).submitter;
    const action = submitter?.dataset.jpsAction;
    if (submitter instanceof HTMLButtonElement && action !== undefined) {
      submitWith(action, Number(submitter.value));
    } else {
      void submit(gather());
    }
  });
  const close = () => {
    closed = true;
    card.remove();
  };
  const focus = inputs.find((item: any) => item.auto_focus);
  card.style.display = 'none'; // showTop shows it, in the same turn as it hides the form it covers
  (context.inputPanel?.cards ?? context.root).appendChild(card);
  open.stack.push(String(taskId), { element: card, fields, focus: focus && fields.get(String(focus.name)), close });
  showTop(context, open);
};

export const updateInput: Handler = (context, command) => {
  // As PyWebIO's page: the task's newest form, on show or hidden under another task's.
  const form = formsOf(context).stack.of(String(command.task_id));
  const spec = command.spec ?? {};
  const field = form?.fields.get(String(spec.target_name));
  if (field && spec.attributes && typeof spec.attributes === 'object') {
    field.set(spec.attributes);
  }
};

export const destroyForm: Handler = (context, command) => {
  const open = formsOf(context);
  open.stack.pop(String(command.task_id))?.close();
  showTop(context, open);
};
