"""The views of results: pure functions of the result data, one module per medium (the
terminal's rich output in `console.py`, the notebook's HTML in `notebook_html.py`). The class
reports of grading are in `grading/reports/`."""
