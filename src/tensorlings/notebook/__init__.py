"""Checking from a notebook kernel: its cells as a workbook (cells, locate), the isolated check
(runner), what it returns (result) and how that looks (html), and the `%%check` magic."""
