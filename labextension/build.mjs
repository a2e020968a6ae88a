// Bundles the standalone page script (src/standalone.ts) with its stylesheet, and each page theme (src/themes/:
// Bootstrap 4 and GitHub's markdown look) into ../jupyter_session/static/. No source maps: the wheel and the sdist
// ship that folder as it is, and a map is three to four times the size of the minified script it maps.
import { readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
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

const common = { bundle: true, minify: true, target: 'es2020', outdir, logLevel: 'info', metafile: true };
const builds = [];
builds.push(await build({ ...common, entryPoints: { jupyter_session: 'src/standalone.ts' }, format: 'iife' }));
// The code editor (CodeMirror 5 and its modes), which the page loads only when a code field shows: most pages have
// none, and it is as large as the rest of the page's script. Its export is the global `jupyterSessionCodeEditor`.
builds.push(await build({
  ...common,
  entryPoints: { code_editor: 'src/editor.ts' },
  format: 'iife',
  globalName: 'jupyterSessionCodeEditor'
}));
// CodeMirror's themes other than the editor's own, one stylesheet each, linked when an app names one.
const cmThemes = new URL('./node_modules/codemirror/theme/', import.meta.url).pathname;
builds.push(await build({
  ...common,
  entryPoints: Object.fromEntries(readdirSync(cmThemes).filter(name => name.endsWith('.css'))
    .map(name => [`cm-theme-${name.slice(0, -4)}`, `${cmThemes}${name}`])),
  logLevel: 'warning'
}));
builds.push(await build({
  ...common,
  entryPoints: Object.fromEntries(themes.map(name => [`theme-${name.slice(0, -4)}`, `src/themes/${name}`])),
  plugins: [localOnly]
}));
// The folder holds this build's output only: a file that an earlier build left there (a source map, a theme since
// removed) would still be served and packaged.
const written = new Set(builds.flatMap(result => Object.keys(result.metafile.outputs).map(path => basename(path))));
for (const name of readdirSync(outdir)) {
  if (!written.has(name)) rmSync(`${outdir}${name}`, { recursive: true });
}
