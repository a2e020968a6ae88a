// A renderer drawn through its public entry, render({model, el}), with a fake model: it records what the
// renderer sends (through JSON, as a real transport would) and lets a test deliver `{commands: [...]}`.
import { render } from '../src/core';
import type { Command, Event, Model, RenderProps } from '../src/core';

type Listener = (message: unknown, buffers: DataView[]) => void;

export interface Sent {
  message: Event;
  buffers: (ArrayBuffer | ArrayBufferView)[];
}

export interface Mounted {
  el: HTMLElement;
  /** Every event sent, in order. */
  sent: Sent[];
  /** The events sent, without their buffers. */
  events(name?: string): Event[];
  deliver(...commands: Partial<Command>[]): void;
  /** Deliver a raw message (any shape), as a transport would pass it on. */
  deliverRaw(message: unknown, buffers?: DataView[]): void;
  cleanup(): void;
  listenerCount(): number;
  /** Make `model.send` throw for the events this returns true for. */
  failSend(predicate: (message: Event) => boolean): void;
}

export function mount(options: Partial<RenderProps> = {}): Mounted {
  const el = document.createElement('div');
  document.body.appendChild(el);
  const sent: Sent[] = [];
  const listeners = new Set<Listener>();
  let failing: (message: Event) => boolean = () => false;
  const model: Model = {
    send(message, buffers = []) {
      if (failing(message as Event)) {
        throw new Error('the transport is closed');
      }
      sent.push({ message: JSON.parse(JSON.stringify(message)), buffers });
    },
    on(_name, listener) {
      listeners.add(listener);
    },
    off(_name, listener) {
      listeners.delete(listener);
    }
  };
  const cleanup = render({ model, el, ...options });
  const deliverRaw = (message: unknown, buffers: DataView[] = []) => {
    listeners.forEach(listener => listener(message, buffers));
  };
  return {
    el,
    sent,
    events: name => sent.map(item => item.message).filter(event => name === undefined || event.event === name),
    deliver: (...commands) => deliverRaw({
      commands: commands.map(command => ({ task_id: null, spec: null, ...command }))
    }),
    deliverRaw,
    cleanup,
    listenerCount: () => listeners.size,
    failSend(predicate) {
      failing = predicate;
    }
  };
}

/** Let pending promises and zero-delay timers run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise(resolve => setTimeout(resolve, 0));
  }
}

/** An output command into a scope (ROOT unless told). */
export function output(spec: Record<string, unknown>, scope = 'ROOT'): Partial<Command> {
  return { command: 'output', task_id: 'app-1', spec: { scope: `#pywebio-scope-${scope}`, position: -1, ...spec } };
}

/** The element of the scope called `name`, or null. */
export function scope(mounted: Mounted, name: string): HTMLElement | null {
  return mounted.el.querySelector<HTMLElement>(`[id="pywebio-scope-${name}"]`);
}
