// Pins: input fields placed among the outputs, read and written by name at any time (`pin.name`,
// `pin_values`, `pin_update`), watched with `pin_wait` (one answer) and `pin_onchange` (a callback per
// change). Reading a file pin uploads its files first.
import { registerOutputType } from './output';
import { buildField } from './input/fields';
import type { Field } from './input/fields';
import { uploadFiles } from './input/uploads';
import { commandError } from './errors';
import type { Context, Handler } from './types';

interface Pin {
  field: Field;
  read(): Promise<unknown>;
}

interface Watcher {
  names: Set<string>;
  answer(name: string, value: unknown): void;
  fail(error: unknown): void;
}

// One registry for the whole page: in a notebook every cell has its own renderer, and a pin shown in one
// cell is read, watched and updated from others.
const pins = new Map<string, Pin>();
const callbacks = new Map<string, Map<string, Context>>(); // pin name -> callback id -> its renderer
const waiters = new Set<Watcher>();

/** The pin called `name` that is still in the page. */
function pinOf(name: string): Pin | undefined {
  const pin = pins.get(name);
  return pin && pin.field.element.isConnected ? pin : undefined;
}

async function changed(name: string, pin: Pin): Promise<void> {
  const listeners = [...(callbacks.get(name) ?? [])];
  const waiting = [...waiters].filter(waiter => waiter.names.has(name));
  if (!listeners.length && !waiting.length) {
    return; // nobody asked: a file pin uploads nothing
  }
  waiting.forEach(waiter => waiters.delete(waiter));
  let value: unknown;
  try {
    value = await pin.read();
  } catch (error) {
    // A `pin_wait_change` waits for this answer: it gets the error instead. Callbacks only miss a change.
    console.error(`[jupyter_session] reading pin ${JSON.stringify(name)} failed`, error);
    waiting.forEach(waiter => waiter.fail(error));
    return;
  }
  for (const [callbackId, context] of listeners) {
    context.send({ event: 'callback', task_id: callbackId, data: value });
  }
  waiting.forEach(waiter => waiter.answer(name, value));
}

registerOutputType('pin', (spec, context) => {
  const item = { ...(spec.input ?? {}) };
  const name = String(item.name ?? '');
  let lastAction: number | null = null;
  const field = buildField(item, document.createElement('form'), context, null, (_name, index) => {
    lastAction = index;
    void changed(name, pin);
  }, () => undefined);
  field.element.classList.add('jps-pin');
  const read = async (): Promise<unknown> => {
    if (item.type === 'actions') {
      return lastAction;
    }
    if (item.type === 'file') {
      // The descriptions of the uploaded files, or null when one breaks a size limit (the field says so).
      return uploadFiles(context, String(item.upload_callback_id), field, field.value() as File[]);
    }
    return field.value();
  };
  const pin: Pin = { field, read };
  // Text reports every keystroke; the other fields report their `change`.
  const typing = item.type === 'input' || item.type === 'textarea';
  field.element.addEventListener(typing ? 'input' : 'change', () => void changed(name, pin));
  pins.set(name, pin);
  return field.element;
});

/** `pin.name`: answer with the value, or null when no such pin is in the page. A failing read (a file pin's
 * upload) rejects, and dispatch answers `command_error`; so does `pinValues`. */
export const pinValue: Handler = async (context, command) => {
  const pin = pinOf(String(command.spec?.name));
  const data = pin ? { value: await pin.read() } : null;
  context.send({ event: 'js_yield', task_id: command.task_id, data });
};

/** `get_pin_values`: answer with `{name: value}` for the names that are pins in the page. */
export const pinValues: Handler = async (context, command) => {
  const names: unknown[] = Array.isArray(command.spec?.names) ? command.spec.names : [];
  const values: Record<string, unknown> = {};
  for (const name of names.map(String)) {
    const pin = pinOf(name);
    if (pin) {
      values[name] = await pin.read();
    }
  }
  context.send({ event: 'js_yield', task_id: command.task_id, data: values });
};

export const pinUpdate: Handler = (_context, command) => {
  const spec = command.spec ?? {};
  const pin = pinOf(String(spec.name));
  if (pin && spec.attributes && typeof spec.attributes === 'object') {
    pin.field.set(spec.attributes);
  }
};

/** `pin_wait_change`: answer with the first change of one of the names, or null after `timeout` seconds. */
export const pinWait: Handler = (context, command) => {
  const spec = command.spec ?? {};
  let timer: number | undefined;
  const waiter: Watcher = {
    names: new Set((Array.isArray(spec.names) ? spec.names : []).map(String)),
    answer(name, value) {
      window.clearTimeout(timer);
      context.send({ event: 'js_yield', task_id: command.task_id, data: { name, value } });
    },
    fail(error) {
      window.clearTimeout(timer);
      context.send(commandError(command, error));
    }
  };
  waiters.add(waiter);
  if (typeof spec.timeout === 'number' && spec.timeout > 0) {
    timer = window.setTimeout(() => {
      waiters.delete(waiter);
      context.send({ event: 'js_yield', task_id: command.task_id, data: null });
    }, spec.timeout * 1000);
  }
};

export const pinOnChange: Handler = (context, command) => {
  const spec = command.spec ?? {};
  const name = String(spec.name);
  const ids = spec.clear ? new Map<string, Context>() : (callbacks.get(name) ?? new Map<string, Context>());
  if (typeof spec.callback_id === 'string') {
    ids.set(spec.callback_id, context);
  }
  callbacks.set(name, ids);
};
