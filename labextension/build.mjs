// Bundles the standalone page script (src/standalone.ts) with its stylesheet, and each page theme (src/themes/:
// Bootstrap 4 and GitHub's markdown look) into ../jupyter_session/static/.
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

const outdir = new URL('../jupyter_session/static/', import.meta.url).pathname;
const themes = readdirSync(new URL('./src/themes/', import.meta.url)).filter(name => name.endsWith('.css'));

// Bootswatch's themes @import web fonts from Google: a page that waits on a remote stylesheet renders late or not
// at all offline, and tells a third party who opened it. The fonts fall back to the system's.
const localOnly = {
  name: 'local-only',
  setup(builder) {
    builder.onLoad({ filter: /bootswatch[\\/].*\.css$/ }, async args => {
      const css = await readFile(args.path, 'utf8');
      return { contents: css.replace(/@import url\(https?:[^)]*\);/g, ''), loader: 'css' };
    });
  }
};

const common = { bundle: true, minify: true, target: 'es2020', outdir, logLevel: 'info' };
await build({ ...common, entryPoints: { jupyter_session: 'src/standalone.ts' }, format: 'iife', sourcemap: true });
// The code editor (CodeMirror 5 and its modes), which the page loads only when a code field shows: most pages have
// none, and it is as large as the rest of the page's script. Its export is the global `jupyterSessionCodeEditor`.
await build({
  ...common,
  entryPoints: { code_editor: 'src/editor.ts' },
  format: 'iife',
  globalName: 'jupyterSessionCodeEditor',
  sourcemap: true
});
// CodeMirror's themes other than the editor's own, one stylesheet each, linked when an app names one.
const cmThemes = new URL('./node_modules/codemirror/theme/', import.meta.url).pathname;
await build({
  ...common,
  entryPoints: Object.fromEntries(readdirSync(cmThemes).filter(name => name.endsWith('.css'))
    .map(name => [`cm-theme-${name.slice(0, -4)}`, `${cmThemes}${name}`])),
  logLevel: 'warning'
});
// Third-party stylesheets as published: a source map would only map minified CSS to itself.
await build({
  ...common,
  entryPoints: Object.fromEntries(themes.map(name => [`theme-${name.slice(0, -4)}`, `src/themes/${name}`])),
  plugins: [localOnly]
});
