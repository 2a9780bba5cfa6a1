"""The PySide6 user interface: kiosk, shift-lead window and the widgets they share."""

import platform
import sys


def _keep_true_and_false_alive() -> None:
    """PySide6 6.12.0's SignalInstance.emit() returns True without taking a reference to it, so
    every emit() from Python drops one reference from True. Before Python 3.12 (where True and
    False became immortal) a window that runs for hours frees True and the process aborts with
    'Fatal Python error: bool_dealloc'. Giving both a reference count no run can use up makes
    them as good as immortal, as they are on newer Pythons."""
    if sys.version_info >= (3, 12) or platform.python_implementation() != "CPython":
        return
    import ctypes

    for value in (True, False):
        ctypes.c_ssize_t.from_address(id(value)).value += 1 << 40


_keep_true_and_false_alive()
