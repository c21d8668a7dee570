"""Checking from a notebook kernel: its cells as a workbook (cells, locate), the isolated check
(runner), what it returns (result; views/notebook_html.py draws it), and the `%%check` magic."""
