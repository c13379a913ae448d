"""Start-up without the cyclic garbage collector.

A command's start-up (imports, configuration, loading the tree) builds tens of thousands
of objects that live as long as the process and makes no cyclic garbage, yet the
collector walks them some 70 times: 10-15 ms of `check`'s 0.2 s start-up. The program's
entry (`python -m reconciler`, the console script) pauses it first thing; it resumes when
the command's own work begins -- by default as soon as the command is chosen, or where a
command with a heavy start-up says so (`check`, once its tree is loaded). What start-up
built is frozen then, so later collections do not walk it again.

Importing the package as a library changes nothing: only the program's entry pauses."""

from __future__ import annotations

import gc


def pause_collector() -> None:
    gc.disable()


def resume_collector() -> None:
    if not gc.isenabled():
        gc.freeze()  # what start-up built stays: later collections skip it
        gc.enable()
