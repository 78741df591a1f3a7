"""Lines for the instructor's terminal, shown as they happen (flushed at once)."""


def echo(*parts, **kw):
    print(*parts, flush=True, **kw)
