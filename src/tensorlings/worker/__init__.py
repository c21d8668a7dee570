"""The isolated side of the checker: code that runs next to learner code, never trusted.

Nothing here imports the catalogue or the reference solutions, so a learner's file cannot reach
them through already-imported modules.
"""
