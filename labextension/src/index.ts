// The JupyterLab / Notebook 7 extension: registers the session widget with the ipywidgets manager, and keeps
// session outputs readable in saved notebooks (saved.ts).
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { keepOutputsReadable, SAVED_OUTPUT_RANK, savedOutputFactory } from './saved';
import { MODULE_NAME, MODULE_VERSION, SessionModel, SessionView } from './widget';

const plugin = {
  id: 'jupyter-session:plugin',
  description: 'Draws jupyter_session output under notebook cells.',
  requires: [IJupyterWidgetRegistry, IRenderMimeRegistry],
  optional: [INotebookTracker],
  autoStart: true,
  activate: (
    _app: unknown,
    registry: IJupyterWidgetRegistry,
    rendermime: IRenderMimeRegistry,
    notebooks: INotebookTracker | null
  ): void => {
    registry.registerWidget({ name: MODULE_NAME, version: MODULE_VERSION, exports: { SessionModel, SessionView } });
    // Each notebook's registry is a copy of this one, made when the notebook opens.
    rendermime.addFactory(savedOutputFactory, SAVED_OUTPUT_RANK);
    notebooks?.widgetAdded.connect((_tracker, panel) => keepOutputsReadable(panel.context.model));
  }
};

export default plugin;
