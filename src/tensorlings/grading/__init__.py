"""Grading a class: check many workbooks, keep every result, write CSV, JUnit and HTML reports.

The process that grades never imports learner code (nor torch): workbooks are checked in pool
processes, each through its own zygote, and only plain JSON comes back.
"""
