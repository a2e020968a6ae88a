"""A plain script: its first output starts script mode (run by test_script_mode.py)."""

from jupyter_session.output import put_text
from jupyter_session.session import eval_js

put_text("hello from a plain script")
language = eval_js("navigator.language")
put_text(f"LANG {language}")
print("SCRIPT DONE", language, flush=True)
