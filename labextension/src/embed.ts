// The widget for pages without JupyterLab: nbconvert's HTML export (and any page with embedded widget state)
// runs ipywidgets' html-manager, which loads `jupyter-session@<version>/dist/index.js` from a CDN by the
// model's module name and version, then draws each saved output from its snapshot.
export { SessionModel, SessionView } from './widget';
