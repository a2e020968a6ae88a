// Forms for the input functions: `input_group` shows one, `update_input` changes a field, `destroy_form`
// removes it. Answers go back as `input_event` (blur/change), `from_submit` (sic) and `from_cancel`.
// The fields are built by fields.ts; file fields upload through uploads.ts before the form is submitted.
import type { Context, Handler } from '../types';
import { buttonClass } from '../dom';
import { buildField, element } from './fields';
import type { Field } from './fields';
import { uploadFiles } from './uploads';

interface OpenForm {
  element: HTMLFormElement;
  fields: Map<string, Field>;
  close(): void;
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

export const inputGroup: Handler = (context, command) => {
  const spec = command.spec ?? {};
  const taskId = command.task_id;
  const open = formsOf(context);
  open.get(String(taskId))?.close();
  // A Bootstrap card, as PyWebIO's forms: the title in its header band, the fields in its body.
  const form = element('form', 'jps-form card');
  form.noValidate = true; // the session validates; the browser's own bubbles would hide its messages
  if (spec.label) {
    form.appendChild(element('h5', 'jps-form-title card-header', spec.label));
  }
  const body = form.appendChild(element('div', 'jps-form-body card-body'));
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
    body.appendChild(field.element);
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
      const cancelButton = element('button', `${buttonClass('danger')} jps-form-cancel`, 'Cancel');
      cancelButton.type = 'button';
      cancelButton.addEventListener('click', cancel);
      bar.appendChild(cancelButton);
    }
    body.appendChild(bar);
  }
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
    form.remove();
  };
  open.set(String(taskId), { element: form, fields, close });
  context.root.appendChild(form);
  const focus = inputs.find((item: any) => item.auto_focus);
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
  open.get(String(command.task_id))?.close();
  open.delete(String(command.task_id));
};
