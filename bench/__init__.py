"""Benchmarks: jupyter_session side by side with PyWebIO 1.8.4 (``python -m bench``)."""
