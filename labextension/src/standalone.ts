// The standalone page: the core renderer over the exchange with the server that served the page, a WebSocket
// or (`data-protocol="http"`, for WSGI servers and proxies that refuse the upgrade) plain HTTP requests.
import { helloEvent } from './core/hello';
import { useCodeEditor } from './core/input/code';
import type { CodeEditorFactory } from './core/input/code';
import { usePopupDriver } from './core/popup';
import { render } from './core/render';
import { useJQuery } from './core/script';
import { httpModel } from './http';
import { appUrl } from './page';
import { websocketModel } from './websocket';
import './page.css';
import jQuery from 'jquery';
// Bootstrap's jQuery plugins (modal, tooltip, dropdown...), as PyWebIO's page has them; bundled, it takes this jQuery.
import 'bootstrap/dist/js/bootstrap.bundle.js';

// PyWebIO's page has jQuery as the globals `$` and `jQuery`, which apps' `run_js` code and `config(js_code=...)`
// use: set here, before the app's own scripts (after this one in the page) run.
Object.assign(window, { $: jQuery, jQuery });
useJQuery(jQuery);
// Popups are Bootstrap's modals, as on PyWebIO's page, so that apps' `$('.modal').modal('hide')` works.
usePopupDriver({
  show(dialog, closable) {
    (jQuery(dialog).addClass('fade').on('hidden.bs.modal', () => dialog.remove()) as any)
      .modal({ backdrop: closable ? true : 'static', keyboard: closable });
  },
  hide: dialog => void (jQuery(dialog) as any).modal('hide')
});

/** Add `element` to the page and resolve once it has loaded. */
function loaded(element: HTMLScriptElement | HTMLLinkElement, before: Element | null): Promise<void> {
  return new Promise((resolve, reject) => {
    element.addEventListener('load', () => resolve());
    element.addEventListener('error', () => reject(new Error(`could not load ${element instanceof HTMLLinkElement ? element.href : element.src}`)));
    document.head.insertBefore(element, before);
  });
}

/** The code editor's bundle (editor.ts), from the page's static files: only a page with a code field needs it. */
async function loadCodeEditor(url: (name: string) => string): Promise<CodeEditorFactory> {
  // Its stylesheet before the page's, as PyWebIO's page has CodeMirror's: the page's and the app's CSS win.
  const pageSheet = document.querySelector('link[rel=stylesheet][href$="/jupyter_session.css"]');
  await Promise.all([
    loaded(Object.assign(document.createElement('link'), { rel: 'stylesheet', href: url('code_editor.css') }), pageSheet),
    loaded(Object.assign(document.createElement('script'), { src: url('code_editor.js') }), null)
  ]);
  const bundle = (window as any).jupyterSessionCodeEditor;
  if (typeof bundle?.createEditor !== 'function') {
    throw new Error('code_editor.js did not define jupyterSessionCodeEditor.createEditor');
  }
  return bundle.createEditor;
}

function start(): void {
  const script = document.currentScript as HTMLScriptElement | null;
  if (script?.src) {
    // The page's other static files are where this one is: a folder (`/_jupyter_session/jupyter_session.js`), or
    // a query (`app?_jupyter_session_asset=/jupyter_session.js`) where a handler serves them itself.
    const src = script.src;
    const asset = (name: string) => src.replace(/jupyter_session\.js(?=[^/]*$)/, name);
    useCodeEditor({ load: () => loadCodeEditor(asset), asset });
  }
  const host = document.getElementById('jupyter-session-root') ?? document.body.appendChild(
    Object.assign(document.createElement('div'), { id: 'jupyter-session-root' }));
  const model = script?.dataset.protocol === 'http'
    ? httpModel(appUrl(script.dataset.wsPath ?? location.pathname), host)
    : websocketModel(script?.dataset.wsPath ?? '/ws', host);
  // Once per page: queued until the exchange is up; a resumed connection does not repeat it.
  model.send(helloEvent());
  render({ model, el: host, ownsDocument: true });
}

start();
