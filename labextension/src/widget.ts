// The notebook widget: an ipywidgets model that keeps a cell's command stream, and a view that draws it with
// the shared core renderer.
import { DOMWidgetModel, DOMWidgetView } from '@jupyter-widgets/base';
import { helloEvent } from './core/hello';
import { render } from './core/render';
import type { Command, Model } from './core/types';
import packageJson from '../package.json';

export const MODULE_NAME = 'jupyter-session';
// package.json's version, which is the Python package's (a test keeps them equal). tsc leaves the import as it
// is (package.json is outside rootDir, so lib/ has no copy): from lib/widget.js it is the same file, which the
// bundlers (jupyter-builder, build-embed) inline.
export const MODULE_VERSION: string = packageJson.version;

type Listener = (message: unknown, buffers: DataView[]) => void;
type Message = [unknown, DataView[]];

// Commands a late view replays to show what the first view shows; scripts and downloads happen once.
const REPLAYED = new Set(['output', 'output_ctl', 'set_env']);
const SNAPSHOT_DELAY_MS = 500;

/** This page's session models by model id, and who waits for one: an output saved with the notebook finds its
 * model here once the kernel (or the saved widget state) brings it. */
const sessionModels = new Map<string, SessionModel>();
const waiting = new Map<string, Set<(model: SessionModel) => void>>();

/** Call `found` with the session model `modelId` now or when it comes; returns a function that stops waiting. */
export function whenSessionModel(modelId: string, found: (model: SessionModel) => void): () => void {
  const model = sessionModels.get(modelId);
  if (model) {
    found(model);
    return () => undefined;
  }
  const callbacks = waiting.get(modelId) ?? new Set();
  callbacks.add(found);
  waiting.set(modelId, callbacks);
  return () => {
    callbacks.delete(found);
    if (!callbacks.size) {
      waiting.delete(modelId);
    }
  };
}

export function findSessionModel(modelId: string): SessionModel | undefined {
  return sessionModels.get(modelId);
}

export class SessionModel extends DOMWidgetModel {
  private pending: Message[] = []; // until the first view subscribes
  private replay: Message[] = []; // for later views
  private listeners = new Set<Listener>();
  private subscribed = false;
  /** The output areas of this model's views, newest last. */
  readonly drawn = new Set<Element>();

  defaults() {
    return {
      ...super.defaults(),
      _model_name: 'SessionModel',
      _view_name: 'SessionView',
      _model_module: MODULE_NAME,
      _view_module: MODULE_NAME,
      _model_module_version: MODULE_VERSION,
      _view_module_version: MODULE_VERSION,
      snapshot: ''
    };
  }

  initialize(attributes: any, options: any): void {
    super.initialize(attributes, options);
    this.on('msg:custom', this.receive, this);
    if (this.comm_live) {
      // Tells the kernel a browser is here before any view renders, and fills `session.info`.
      this.send(helloEvent(), {});
    }
    sessionModels.set(this.model_id, this);
    const callbacks = waiting.get(this.model_id);
    waiting.delete(this.model_id);
    callbacks?.forEach(found => found(this));
  }

  close(comm_closed = false): Promise<void> {
    if (sessionModels.get(this.model_id) === this) {
      sessionModels.delete(this.model_id);
    }
    return super.close(comm_closed);
  }

  /** The HTML this output shows now: a view's, else the last snapshot the kernel has. */
  drawnHTML(): string {
    const areas = [...this.drawn];
    const area = areas[areas.length - 1];
    return area ? drawnHTML(area) : (this.get('snapshot') as string);
  }

  /** Whether this model has drawn anything in this page (else a view starts from the snapshot). */
  get hasHistory(): boolean {
    return this.pending.length > 0 || this.replay.length > 0;
  }

  subscribe(listener: Listener): () => void {
    const earlier = this.subscribed ? this.replay : this.pending;
    if (!this.subscribed) {
      this.subscribed = true;
      this.pending = [];
      earlier.forEach(([message, buffers]) => this.keep(message, buffers));
    }
    earlier.forEach(([message, buffers]) => listener(message, buffers));
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private receive(content: unknown, buffers: DataView[] = []): void {
    if (this.subscribed) {
      this.keep(content, buffers);
    } else {
      this.pending.push([content, buffers]);
    }
    this.listeners.forEach(listener => listener(content, buffers));
  }

  private keep(content: unknown, buffers: DataView[]): void {
    const kept = onlyReplayed(content, buffers);
    if (kept) {
      this.replay.push(kept);
    }
  }
}

/** The display commands of a message, with their buffers re-indexed; null when there are none. */
function onlyReplayed(content: unknown, buffers: DataView[]): Message | null {
  const envelope = content as { commands?: Command[]; buffer_paths?: (string | number)[][] };
  if (!Array.isArray(envelope?.commands)) {
    return null;
  }
  const newIndex = new Map<number, number>();
  const commands = envelope.commands.filter((command, index) => {
    const keep = REPLAYED.has(command?.command);
    if (keep) {
      newIndex.set(index, newIndex.size);
    }
    return keep;
  });
  if (!commands.length) {
    return null;
  }
  const paths: (string | number)[][] = [];
  const kept: DataView[] = [];
  (envelope.buffer_paths ?? []).forEach((path, i) => {
    const index = newIndex.get(path[1] as number);
    if (path[0] === 'commands' && index !== undefined && buffers[i]) {
      paths.push(['commands', index, ...path.slice(2)]);
      kept.push(buffers[i]);
    }
  });
  return [{ commands, buffer_paths: paths }, kept];
}

/** What `area` shows, without the scripts of put_html: a snapshot shows them sanitized, so they would only
 * weigh on the kernel and the saved notebook (an inline plotly.js is 5 MB). */
function drawnHTML(area: Element): string {
  if (!area.querySelector('script')) {
    return area.innerHTML;
  }
  const copy = area.cloneNode(true) as Element;
  copy.querySelectorAll('script').forEach(script => script.remove());
  return copy.innerHTML;
}

export class SessionView extends DOMWidgetView {
  private cleanup: (() => void) | null = null;
  private observer: MutationObserver | null = null;
  private snapshotTimer: number | undefined;
  private area: Element | null = null;

  render(): void {
    const model = this.model as SessionModel;
    const listeners = new Map<Listener, () => void>();
    const adapter: Model = {
      send: (message, buffers) => model.send(message as any, {}, buffers as ArrayBuffer[]),
      on: (_name, listener) => {
        listeners.set(listener, model.subscribe(listener));
      },
      off: (_name, listener) => {
        listeners.get(listener)?.();
        listeners.delete(listener);
      }
    };
    const snapshot = model.hasHistory ? undefined : (model.get('snapshot') as string);
    this.cleanup = render({ model: adapter, el: this.el, snapshot });
    this.area = this.el.querySelector('.jps-output');
    if (this.area) {
      model.drawn.add(this.area);
    }
    if (model.comm_live) {
      this.observer = new MutationObserver(() => this.scheduleSnapshot());
      this.observer.observe(this.el, { childList: true, subtree: true, characterData: true, attributes: true });
      // A view made after its cell's commands came (the classic Notebook makes them late) drew them all in
      // render, before the observer: report that now, as nothing may change after it.
      if (model.hasHistory) {
        this.scheduleSnapshot();
      }
    }
  }

  /** Report the drawn HTML to the kernel, so a reloaded page or a saved notebook can show it again. */
  private scheduleSnapshot(): void {
    window.clearTimeout(this.snapshotTimer);
    this.snapshotTimer = window.setTimeout(() => {
      const area = this.area;
      const html = area ? drawnHTML(area) : '';
      if (area && this.model.comm_live && html !== this.model.get('snapshot')) {
        this.model.set('snapshot', html);
        this.model.save_changes();
      }
    }, SNAPSHOT_DELAY_MS);
  }

  remove(): any {
    window.clearTimeout(this.snapshotTimer);
    this.observer?.disconnect();
    if (this.area) {
      (this.model as SessionModel).drawn.delete(this.area);
    }
    this.cleanup?.();
    this.cleanup = null;
    return super.remove();
  }
}
