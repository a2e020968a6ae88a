// The classic Notebook (nbclassic) runs this file when a notebook opens: etc/jupyter/nbconfig/notebook.d/
// jupyter-session.json enables it. It tells requirejs where the widget's module is, so that the widget manager's
// require of "jupyter-session" (the module name in the widget's model) loads the AMD bundle beside this file,
// index.js. VS Code does not run this file: it reads the module name and the path out of the config call below
// with string searches, which take the text between its first brace and its first closing parenthesis. So that
// call stays one literal object, without parentheses or comments inside.
define(function () {
  'use strict';
  require.config({ map: { '*': { 'jupyter-session': 'nbextensions/jupyter-session/index' } } });
  return { load_ipython_extension: function () {} };
});
