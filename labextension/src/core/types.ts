// The renderer's whole contract with its host (a notebook widget or the standalone page), and the wire
// shapes of PROTOCOL.md. Field names match jupyter_session/protocol.py.

/** What the host gives the renderer: a way to send to the session and to hear from it. */
export interface Model {
  send(message: object, buffers?: (ArrayBuffer | ArrayBufferView)[]): void;
  on(name: 'msg', handler: (message: unknown, buffers: DataView[]) => void): void;
  off?(name: 'msg', handler: (message: unknown, buffers: DataView[]) => void): void;
}

export interface RenderProps {
  model: Model;
  el: HTMLElement;
  /** Set `document.title` on `set_env(title=...)`: true on a standalone page, false in a notebook. */
  ownsDocument?: boolean;
  /** HTML of outputs drawn earlier (a reloaded page, a saved notebook): shown sanitized, then updated live. */
  snapshot?: string;
}

export interface Command {
  command: string;
  task_id: string | null;
  spec: any;
}

export interface CommandMessage {
  commands: Command[];
  buffer_paths?: (string | number)[][];
}

export interface JSErrorInfo {
  name: string;
  message: string;
  stack?: string;
}

export interface Event {
  event: string;
  task_id: string | null;
  data: unknown;
  error?: JSErrorInfo;
}

export const PROTOCOL_VERSION = 1;

/** What a command handler gets: the renderer's root, and a way to answer the session. */
export interface Context {
  root: HTMLElement;
  /** The element that holds the outputs (the ROOT scope). */
  outputArea: HTMLElement;
  ownsDocument: boolean;
  env: Record<string, unknown>;
  send(event: Event, buffers?: (ArrayBuffer | ArrayBufferView)[]): void;
  /** Find a scope (a CSS selector such as `#pywebio-scope-ROOT`) inside this renderer only. */
  scope(selector: string): HTMLElement | null;
  /** The standalone page's input panel (input/panel.ts); none in a notebook, where forms follow the outputs. */
  inputPanel?: InputPanel;
}

/** Where the page's forms go, at the bottom of the window as PyWebIO's (`set_env(input_panel_*)`). */
export interface InputPanel {
  /** The element the forms go into. */
  readonly cards: HTMLElement;
  /** A form came on show: a new one, or one back from under another. */
  shown(): void;
  /** The last form went. */
  emptied(): void;
  /** `set_env` changed an `input_panel_*` key. */
  configured(): void;
  /** Stop listening to the window. */
  dispose(): void;
}

export type Handler = (context: Context, command: Command) => void | Promise<void>;
