// Bundles the standalone page script (src/standalone.ts) and its stylesheet into ../jupyter_session/static/.
import { build } from 'esbuild';

const outdir = new URL('../jupyter_session/static/', import.meta.url).pathname;

await build({
  entryPoints: { jupyter_session: 'src/standalone.ts' },
  bundle: true,
  minify: true,
  sourcemap: true,
  target: 'es2020',
  format: 'iife',
  outdir,
  logLevel: 'info'
});
