// Outputs that stay readable in a saved notebook. When JupyterLab or Notebook 7 writes a notebook, each session
// output gets the HTML it shows as `text/html` and its text as `text/plain`, so nbconvert, viewers that read those
// and a notebook reopened after its kernel is gone show it, with or without saved widget state (which then leaves
// the session models out: the HTML is stored once). A marker type, ranked above the widget view, draws that HTML
// here until the live model is back, then the live widget.
import type { INotebookModel } from '@jupyterlab/notebook';
import type { IRenderMime } from '@jupyterlab/rendermime';
import type * as nbformat from '@jupyterlab/nbformat';
import type { PartialJSONObject } from '@lumino/coreutils';
import { Panel, Widget } from '@lumino/widgets';
import { renderSaved } from './core/render';
import { findSessionModel, whenSessionModel } from './widget';
import type { SessionModel } from './widget';

export const SAVED_OUTPUT_MIME = 'application/vnd.jupyter-session.output+json';
const WIDGET_VIEW_MIME = 'application/vnd.jupyter.widget-view+json';
const WIDGET_STATE_MIME = 'application/vnd.jupyter.widget-state+json';
/** Ahead of ipywidgets' widget view (-10), which has no fallback of its own for a model that is gone. */
export const SAVED_OUTPUT_RANK = -20;

/** The model of the session output `output` of this page, if it is one. */
function sessionModelOf(output: nbformat.IOutput): SessionModel | undefined {
  const view = (output.data as nbformat.IMimeBundle | undefined)?.[WIDGET_VIEW_MIME] as { model_id?: unknown };
  return typeof view?.model_id === 'string' ? findSessionModel(view.model_id) : undefined;
}

/** The text a reader sees in each HTML, laid out once, off screen, for `innerText`: in the shape of the text a
 * cell run without a browser shows (table rows as `a | b`, buttons as `[label]`), with no blank lines. */
function textOf(htmls: string[]): string[] {
  const shelf = document.createElement('div');
  shelf.style.cssText = 'position:fixed;left:-100000px;top:0;width:800px;';
  const drawn = htmls.map(html => {
    const holder = document.createElement('div');
    renderSaved(holder, html);
    shelf.appendChild(holder);
    return holder;
  });
  document.body.appendChild(shelf);
  const texts = drawn.map(holder => {
    holder.querySelectorAll('table').forEach(table => {
      const rows = [...table.rows].map(row => [...row.cells].map(cell => oneLine(cell.innerText)).join(' | '));
      const text = document.createElement('div');
      text.style.whiteSpace = 'pre';
      text.textContent = rows.join('\n');
      table.replaceWith(text);
    });
    holder.querySelectorAll('button').forEach(button => {
      button.textContent = `[${oneLine(button.innerText)}]`;
    });
    return holder.innerText.replace(/\n\s*\n/g, '\n').trim();
  });
  shelf.remove();
  return texts;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The widget state this notebook saves, without the session models in `modelIds`: each output carries its HTML,
 * which is all a saved model would give a reader (a model's state is its snapshot), so it is stored once. */
function withoutModels(metadata: nbformat.INotebookMetadata, modelIds: Set<string>): nbformat.INotebookMetadata {
  const widgets = metadata.widgets as { [WIDGET_STATE_MIME]?: PartialJSONObject } | undefined;
  const saved = widgets?.[WIDGET_STATE_MIME];
  if (!saved?.state || typeof saved.state !== 'object') {
    return metadata;
  }
  const state = Object.fromEntries(Object.entries(saved.state).filter(([modelId]) => !modelIds.has(modelId)));
  return { ...metadata, widgets: { ...widgets, [WIDGET_STATE_MIME]: { ...saved, state } } };
}

/** Add the readable forms to the session outputs of a serialized notebook (copies: the live model is untouched). */
export function withReadableOutputs(notebook: nbformat.INotebookContent): nbformat.INotebookContent {
  if (!Array.isArray(notebook?.cells)) {
    return notebook;
  }
  const found: { output: nbformat.IOutput; html: string; modelId: string }[] = [];
  const cells = notebook.cells.map(cell => {
    if (cell.cell_type !== 'code' || !Array.isArray(cell.outputs)) {
      return cell;
    }
    const outputs = (cell.outputs as nbformat.IOutput[]).map(output => {
      const model = sessionModelOf(output);
      if (!model) {
        return output;
      }
      const copy = { ...output, data: { ...(output.data as nbformat.IMimeBundle) } };
      found.push({ output: copy, html: model.drawnHTML(), modelId: model.model_id });
      return copy;
    });
    return { ...cell, outputs };
  });
  if (!found.length) {
    return notebook;
  }
  const texts = textOf(found.map(({ html }) => html));
  found.forEach(({ output, html }, index) => {
    const data = output.data as nbformat.IMimeBundle;
    data[SAVED_OUTPUT_MIME] = {};
    data['text/html'] = html;
    data['text/plain'] = texts[index] || 'jupyter_session output';
  });
  const metadata = withoutModels(notebook.metadata ?? {}, new Set(found.map(({ modelId }) => modelId)));
  return { ...notebook, metadata, cells };
}

/** Serialize `model` with readable session outputs from now on. JupyterLab serializes the model right after its
 * save starts; writing the HTML into the live output models instead would draw every widget again (ipywidgets
 * makes a new view each time an output's data changes), and lose what a user is typing into a form. */
export function keepOutputsReadable(model: INotebookModel): void {
  const serialize = model.toJSON.bind(model);
  model.toJSON = () => withReadableOutputs(serialize() as nbformat.INotebookContent);
}

/** A saved session output: its saved HTML, inert, until its live model is there, then the live widget. */
export class SavedOutput extends Panel implements IRenderMime.IRenderer {
  private stopWaiting: () => void = () => undefined;

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.stopWaiting();
    while (this.widgets.length) {
      this.widgets[0].dispose();
    }
    const saved = new Widget();
    renderSaved(saved.node, String(model.data['text/html'] ?? ''));
    this.addWidget(saved);
    const modelId = (model.data[WIDGET_VIEW_MIME] as { model_id?: unknown } | undefined)?.model_id;
    if (typeof modelId !== 'string' || !modelId) {
      return;
    }
    this.stopWaiting = whenSessionModel(modelId, async sessionModel => {
      const view = await sessionModel.widget_manager.create_view(sessionModel, {}).catch(error => {
        console.error('[jupyter_session] could not draw a saved output live; it stays as saved', error);
        return null;
      });
      if (!view) {
        return;
      }
      if (this.isDisposed || saved.isDisposed) {
        view.remove();
        return;
      }
      saved.dispose();
      this.addWidget(view.luminoWidget);
    });
  }

  dispose(): void {
    this.stopWaiting();
    super.dispose();
  }
}

export const savedOutputFactory: IRenderMime.IRendererFactory = {
  safe: true, // the saved HTML is drawn sanitized and inert
  mimeTypes: [SAVED_OUTPUT_MIME],
  createRenderer: () => new SavedOutput()
};
