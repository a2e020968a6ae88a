// The standalone page: the core renderer over the exchange with the server that served the page, a WebSocket
// or (`data-protocol="http"`, for WSGI servers and proxies that refuse the upgrade) plain HTTP requests.
import { helloEvent } from './core/hello';
import { render } from './core/render';
import { useJQuery } from './core/script';
import { httpModel } from './http';
import { appUrl } from './page';
import { websocketModel } from './websocket';
import './page.css';
import jQuery from 'jquery';

// PyWebIO's page has jQuery as the globals `$` and `jQuery`, which apps' `run_js` code and `config(js_code=...)`
// use: set here, before the app's own scripts (after this one in the page) run.
Object.assign(window, { $: jQuery, jQuery });
useJQuery(jQuery);

function start(): void {
  const script = document.currentScript as HTMLScriptElement | null;
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
