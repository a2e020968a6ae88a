// Code fields (`textarea(code=...)`) as an editor, where the host has one: the standalone page registers
// CodeMirror 5 (`useCodeEditor`), loaded when its first code field shows. A notebook registers none, and its
// code fields stay makeCodeField's text areas (fields.ts).
// The text area stays in the field, hidden: the editor copies its text there on each edit, so the field reads
// and checks it as any other; writes (`update_input`, `pin_update`, Reset) go through `CodeField`.

/** What the editor bundle's `createEditor` is given besides the text area it takes the place of. */
export interface CodeEditorSetup {
  /** The app's CodeMirror options (`code=`), over the page's defaults. */
  options: Record<string, any>;
  rows: number;
  readOnly: boolean;
  /** The address of the page's static file `name` (the editor's themes are there). */
  asset(name: string): string;
  /** The user changed the text (not a write through `setValue`). */
  edited(): void;
}

export interface CodeEditor {
  /** The editor's outer element, after the text area. */
  element: HTMLElement;
  setValue(text: string): void;
  setReadOnly(readOnly: boolean): void;
  focus(): void;
}

export type CodeEditorFactory = (area: HTMLTextAreaElement, setup: CodeEditorSetup) => CodeEditor;

export interface CodeEditorHost {
  load(): Promise<CodeEditorFactory>;
  asset(name: string): string;
}

let host: CodeEditorHost | undefined;
let loading: Promise<CodeEditorFactory> | undefined;

/** Give code fields this editor (the standalone page); without one they stay text areas. */
export function useCodeEditor(editorHost: CodeEditorHost | undefined): void {
  host = editorHost;
  loading = undefined;
}

/** Writes to a code field: to the text area until the editor is in, then to both. */
export interface CodeField {
  /** The text area's text changed from the app's side: show it. */
  refresh(): void;
  setReadOnly(readOnly: boolean): void;
}

/** Turn `area` into the host's editor once it has loaded, or return null when the host has none. */
export function codeEditorField(area: HTMLTextAreaElement, form: HTMLFormElement, spec: any): CodeField | null {
  if (!host) {
    return null;
  }
  const { asset } = host;
  let editor: CodeEditor | undefined;
  loading ??= host.load().catch(error => {
    loading = undefined; // the next code field tries again
    throw error;
  });
  loading.then(createEditor => {
    editor = createEditor(area, {
      options: spec.code?.options ?? {},
      rows: Number(spec.rows) || 6,
      readOnly: area.readOnly || area.disabled,
      asset,
      edited() {
        // As the text area's own events: the field reports `change`, a pin its change (pin.ts).
        area.dispatchEvent(new Event('input', { bubbles: true }));
        area.dispatchEvent(new Event('change', { bubbles: true }));
      }
    });
    // CodeMirror types into a text area of its own, inside the field: its events are not the field's.
    for (const type of ['input', 'change']) {
      editor.element.addEventListener(type, event => event.stopPropagation());
    }
    // The field's label names the hidden text area: a click on it goes to the editor.
    area.labels?.forEach(label => label.addEventListener('click', () => editor?.focus()));
  }, error => {
    console.error('[jupyter_session] could not load the code editor; code fields stay text areas', error);
  });
  // Reset restores the text areas after its event: the editor shows what the text area got.
  form.addEventListener('reset', () => setTimeout(() => editor?.setValue(area.value)));
  return {
    refresh: () => editor?.setValue(area.value),
    setReadOnly: readOnly => editor?.setReadOnly(readOnly)
  };
}
