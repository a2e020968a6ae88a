// Bundles src/embed.ts (compiled to lib/ by tsc) and the stylesheet as an AMD module, dist/index.js: the file
// that ipywidgets' html-manager requires by package name. `@jupyter-widgets/base` comes from the page.
import { rspack } from '@rspack/core';

const config = {
  mode: 'production',
  context: new URL('.', import.meta.url).pathname,
  entry: ['./src/core/style.css', './lib/embed.js'], // the last entry's exports are the module's
  output: {
    path: new URL('./dist/', import.meta.url).pathname,
    filename: 'index.js',
    library: { type: 'amd' },
    // One file: html-manager requires only dist/index.js (the package publishes no other), so the jQuery that
    // the JupyterLab build loads as a chunk of its own for run_js code is inside it.
    asyncChunks: false,
    clean: true
  },
  externals: ['@jupyter-widgets/base'],
  module: {
    rules: [
      // tsc keeps extensionless imports, which strict ES module resolution refuses.
      { test: /\.js$/, resolve: { fullySpecified: false } },
      { test: /\.css$/, use: ['style-loader', 'css-loader'] }
    ]
  },
  // No source map: it would be published beside index.js at nearly four times its size.
  devtool: false
};

rspack(config, (error, stats) => {
  if (error || stats.hasErrors()) {
    console.error(error ?? stats.toString({ all: false, errors: true }));
    process.exitCode = 1;
  } else {
    console.log(stats.toString({ all: false, assets: true }));
  }
});
