// Scripts in the raw HTML of `put_html` and `put_widget` run, as on PyWebIO's page, where jQuery's `.html()`
// ran them: HTML set with innerHTML keeps its <script> elements inert, so each is swapped for a live copy in
// its place, in document order, once the output is in the page; one with a `src` loads (or fails) before the
// next runs. Charts embedded as HTML (plotly's `to_html`, bokeh's `components`) draw this way. The HTML is the
// app's, trusted by put_html's contract; sanitized HTML and markdown have no scripts left to run.

// The types a browser runs; others (bokeh's `application/json` data, templates) stay as they are.
const JAVASCRIPT_TYPE = /^(|module|(text|application)\/(x-)?(java|ecma)script|text\/(jscript|livescript)|text\/javascript1\.[0-5])$/i;
// How long an output may wait to be placed in the page: a notebook draws a view before JupyterLab attaches it.
const PLACING_FRAMES = 600;

/** Run the scripts in `element` (an output just rendered) once it is in the document. */
export function runScriptsWhenShown(element: HTMLElement): void {
  if (!(element instanceof HTMLScriptElement) && !element.querySelector('script')) {
    return;
  }
  let frames = 0;
  const check = () => {
    if (element.isConnected) {
      void runScripts(element);
    } else if (++frames < PLACING_FRAMES) {
      requestAnimationFrame(check);
    }
  };
  queueMicrotask(check); // the command that rendered it places it first
}

// Scripts taken by a run: an output inside another (put_html in a put_widget slot) would otherwise run twice.
const claimed = new WeakSet<HTMLScriptElement>();

async function runScripts(root: HTMLElement): Promise<void> {
  const scripts = (root instanceof HTMLScriptElement ? [root] : [...root.querySelectorAll('script')])
    .filter(script => !claimed.has(script));
  scripts.forEach(script => claimed.add(script));
  for (const inert of scripts) {
    // `nomodule` is for browsers without modules, which the renderer does not run in.
    if (!inert.isConnected || inert.noModule || !JAVASCRIPT_TYPE.test(inert.type.trim())) {
      continue;
    }
    const live = document.createElement('script');
    for (const { name, value } of [...inert.attributes]) {
      live.setAttribute(name, value);
    }
    live.text = inert.text;
    claimed.add(live);
    // A script that fails to load is reported by the browser; the ones after it run, as in a parsed page.
    const loaded = live.hasAttribute('src') ? new Promise(resolve => {
      live.addEventListener('load', resolve);
      live.addEventListener('error', resolve);
    }) : undefined;
    inert.replaceWith(live);
    await loaded;
  }
}
