// The JupyterLab / Notebook 7 extension: registers the session widget with the ipywidgets manager.
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';
import { MODULE_NAME, MODULE_VERSION, SessionModel, SessionView } from './widget';

const plugin = {
  id: 'jupyter-session:plugin',
  description: 'Draws jupyter_session output under notebook cells.',
  requires: [IJupyterWidgetRegistry],
  autoStart: true,
  activate: (_app: unknown, registry: IJupyterWidgetRegistry): void => {
    registry.registerWidget({ name: MODULE_NAME, version: MODULE_VERSION, exports: { SessionModel, SessionView } });
  }
};

export default plugin;
