// Pins: input fields placed among the outputs, read and written by name at any time (`pin.name`,
// `pin_update`), watched with `pin_wait` (one answer) and `pin_onchange` (a callback per change).
import { registerOutputType } from './output';
import { buildField } from './input/form';
import type { Field } from './input/form';
import type { Context, Handler } from './types';

interface Pin {
  field: Field;
  value(): unknown;
}

interface PinState {
  pins: Map<string, Pin>;
  callbacks: Map<string, Set<string>>; // pin name -> callback ids
  waiters: Set<(name: string, value: unknown) => boolean>; // true when done
}

const states = new WeakMap<Context, PinState>();

function stateOf(context: Context): PinState {
  let state = states.get(context);
  if (!state) {
    state = { pins: new Map(), callbacks: new Map(), waiters: new Set() };
    states.set(context, state);
  }
  return state;
}

/** The pin called `name` that is still in the page. */
function pinOf(context: Context, name: string): Pin | undefined {
  const pin = stateOf(context).pins.get(name);
  return pin && pin.field.element.isConnected ? pin : undefined;
}

function changed(context: Context, name: string, value: unknown): void {
  const state = stateOf(context);
  for (const callbackId of state.callbacks.get(name) ?? []) {
    context.send({ event: 'callback', task_id: callbackId, data: value });
  }
  for (const waiter of [...state.waiters]) {
    if (waiter(name, value)) {
      state.waiters.delete(waiter);
    }
  }
}

registerOutputType('pin', (spec, context) => {
  const item = { ...(spec.input ?? {}) };
  const name = String(item.name ?? '');
  let lastAction: number | null = null;
  const field = buildField(item, document.createElement('form'), context, null, (_name, index) => {
    lastAction = index;
    changed(context, name, index);
  }, () => undefined);
  field.element.classList.add('jps-pin');
  const value = () => (item.type === 'actions' ? lastAction : field.value());
  // Text reports every keystroke; the other fields report their `change`.
  const typing = item.type === 'input' || item.type === 'textarea';
  field.element.addEventListener(typing ? 'input' : 'change', () => changed(context, name, value()));
  stateOf(context).pins.set(name, { field, value });
  return field.element;
});

/** `pin.name`: answer with the value, or null when no such pin is in the page. */
export const pinValue: Handler = (context, command) => {
  const pin = pinOf(context, String(command.spec?.name));
  context.send({ event: 'js_yield', task_id: command.task_id, data: pin ? { value: pin.value() } : null });
};

export const pinUpdate: Handler = (context, command) => {
  const spec = command.spec ?? {};
  const pin = pinOf(context, String(spec.name));
  if (pin && spec.attributes && typeof spec.attributes === 'object') {
    pin.field.set(spec.attributes);
  }
};

/** `pin_wait_change`: answer with the first change of one of the names, or null after `timeout` seconds. */
export const pinWait: Handler = (context, command) => {
  const spec = command.spec ?? {};
  const names = new Set((Array.isArray(spec.names) ? spec.names : []).map(String));
  const state = stateOf(context);
  let timer: number | undefined;
  const waiter = (name: string, value: unknown) => {
    if (!names.has(name)) {
      return false;
    }
    window.clearTimeout(timer);
    context.send({ event: 'js_yield', task_id: command.task_id, data: { name, value } });
    return true;
  };
  state.waiters.add(waiter);
  if (typeof spec.timeout === 'number' && spec.timeout > 0) {
    timer = window.setTimeout(() => {
      state.waiters.delete(waiter);
      context.send({ event: 'js_yield', task_id: command.task_id, data: null });
    }, spec.timeout * 1000);
  }
};

export const pinOnChange: Handler = (context, command) => {
  const spec = command.spec ?? {};
  const callbacks = stateOf(context).callbacks;
  const name = String(spec.name);
  const ids = spec.clear ? new Set<string>() : (callbacks.get(name) ?? new Set<string>());
  if (typeof spec.callback_id === 'string') {
    ids.add(spec.callback_id);
  }
  callbacks.set(name, ids);
};
