// The standalone page's code editor: CodeMirror 5 with the addons PyWebIO's page has, and a set of modes built
// in (a page loads nothing from elsewhere, so modes cannot come from a CDN as on PyWebIO's). A bundle of its own
// (code_editor.js and .css, built by build.mjs), which the page loads when its first code field shows: see
// `loadCodeEditor` in standalone.ts. Its one export, `createEditor`, is a `CodeEditorFactory` (core/input/code.ts).
import CodeMirror from 'codemirror';
import 'codemirror/addon/selection/active-line';
import 'codemirror/addon/edit/matchbrackets';
import 'codemirror/addon/display/autorefresh';
import 'codemirror/addon/display/fullscreen';
import 'codemirror/mode/meta';
// Modes: what `code={'mode': ...}` asks for in apps, and the languages their dependencies pull in.
import 'codemirror/mode/python/python';
import 'codemirror/mode/javascript/javascript';
import 'codemirror/mode/jsx/jsx';
import 'codemirror/mode/css/css';
import 'codemirror/mode/xml/xml';
import 'codemirror/mode/htmlmixed/htmlmixed';
import 'codemirror/mode/markdown/markdown';
import 'codemirror/mode/gfm/gfm';
import 'codemirror/mode/sql/sql';
import 'codemirror/mode/shell/shell';
import 'codemirror/mode/yaml/yaml';
import 'codemirror/mode/toml/toml';
import 'codemirror/mode/properties/properties';
import 'codemirror/mode/clike/clike';
import 'codemirror/mode/go/go';
import 'codemirror/mode/rust/rust';
import 'codemirror/mode/php/php';
import 'codemirror/mode/ruby/ruby';
import 'codemirror/mode/r/r';
import 'codemirror/mode/julia/julia';
import 'codemirror/mode/lua/lua';
import 'codemirror/mode/perl/perl';
import 'codemirror/mode/swift/swift';
import 'codemirror/mode/stex/stex';
import 'codemirror/mode/dockerfile/dockerfile';
import 'codemirror/mode/diff/diff';
import 'codemirror/mode/jinja2/jinja2';
import 'codemirror/mode/cmake/cmake';
import 'codemirror/mode/haskell/haskell';
import 'codemirror/mode/octave/octave';
import 'codemirror/mode/dart/dart';
import 'codemirror/lib/codemirror.css';
import 'codemirror/addon/display/fullscreen.css';
import 'codemirror/theme/darcula.css';
import './editor.css';
import type { CodeEditor, CodeEditorSetup } from './core/input/code';

const toggleFullScreen = (cm: any) => cm.setOption('fullScreen', !cm.getOption('fullScreen'));

/** The theme PyWebIO's page gives the editor: its dark page theme styles it as Darcula, built in here. */
function pageTheme(): string | undefined {
  return document.body.classList.contains('webio-theme-dark') ? 'darcula' : undefined;
}

// Themes other than the built-in ones are stylesheets of their own (static/cm-theme-NAME.css), linked when an
// app first names one, as PyWebIO's page fetched them from its CDN.
const linkedThemes = new Set(['default', 'darcula']);

function linkTheme(theme: string, asset: (name: string) => string): void {
  for (const name of theme.split(/\s+/).filter(Boolean)) {
    if (linkedThemes.has(name) || !/^[\w-]+$/.test(name)) {
      continue;
    }
    linkedThemes.add(name);
    const link = Object.assign(document.createElement('link'), { rel: 'stylesheet' });
    link.href = asset(`cm-theme-${name}.css`);
    document.head.appendChild(link);
  }
}

export function createEditor(area: HTMLTextAreaElement, setup: CodeEditorSetup): CodeEditor {
  const asked = setup.options;
  const config: Record<string, unknown> = {
    lineNumbers: true,
    indentUnit: 4,
    styleActiveLine: true,
    matchBrackets: true,
    lineWrapping: true,
    autoRefresh: true, // a field created hidden (a form under another) lays itself out once it shows
    theme: pageTheme(),
    extraKeys: { F11: toggleFullScreen, Esc: toggleFullScreen },
    ...asked
  };
  if (config.theme === undefined) {
    delete config.theme;
  } else {
    linkTheme(String(config.theme), setup.asset);
  }
  // A mode as a string may name a file extension ("py") or a MIME type ("text/x-python") as well as a mode.
  const mode = asked.mode ?? 'text/plain';
  if (typeof mode === 'string') {
    const info = (CodeMirror as any).findModeByExtension(mode) ?? (CodeMirror as any).findModeByMIME(mode);
    config.mode = info ? info.mime ?? info.mode : mode;
  }
  if (setup.readOnly) {
    config.readOnly = 'nocursor';
  }
  const cm = (CodeMirror as any).fromTextArea(area, config);
  cm.setSize(null, 20 * setup.rows);
  cm.on('change', (_cm: unknown, change: { origin?: string }) => {
    cm.save(); // the text area keeps the text: the field reads it, and the form checks its constraints on it
    if (change.origin !== 'setValue') {
      setup.edited();
    }
  });
  return {
    element: cm.getWrapperElement(),
    setValue(text) {
      if (text !== cm.getValue()) {
        cm.setValue(text);
      }
    },
    setReadOnly(readOnly) {
      cm.setOption('readOnly', readOnly ? 'nocursor' : false);
    },
    focus() {
      cm.focus();
    }
  };
}
