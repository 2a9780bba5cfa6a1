"""The PySide6 user interface: kiosk, shift-lead window and the widgets they share."""

import platform
import sys


def _keep_singletons_alive() -> None:
    """PySide6 6.12.0 returns None and True to Python without taking a reference to them:
    every call of a method returning void (setText, setVisible, QTimer.start...) drops one
    reference from None and every Signal.emit() one from True. Before Python 3.12 (where
    None, True and False became immortal) a window that runs for hours frees one of them and
    the process aborts ('Fatal Python error: bool_dealloc' or 'none_dealloc'). Giving them a
    reference count no run can use up makes them as good as immortal, as on newer Pythons."""
    if sys.version_info >= (3, 12) or platform.python_implementation() != "CPython":
        return
    import ctypes

    for value in (None, True, False):
        ctypes.c_ssize_t.from_address(id(value)).value += 1 << 40


_keep_singletons_alive()
