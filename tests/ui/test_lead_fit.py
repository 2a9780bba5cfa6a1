"""The shift-lead window on the screens stores have: 1024x768, and 1366x768 at 150% scaling
(911x512 logical pixels). The window's minimum fits what such a screen leaves a maximised
window; every page's controls are in view or reachable by scrolling, none sideways at
1024x768; every column of the Floor board can be scrolled to."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QComboBox, QHeaderView, QLineEdit,
                               QScrollArea)

from storeshift.timeutil import UTC
from storeshift.ui.app import style_sheet

NOW = dt.datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
TASKBAR, TITLE_BAR = 40, 30
#: what a maximised window gets inside: the screen less a taskbar and its title bar (logical px)
SMALL = (1024, 768 - TASKBAR - TITLE_BAR)
SCALED = (int(1366 / 1.5), int(768 / 1.5) - TASKBAR - TITLE_BAR)


@pytest.fixture
def window(demo_storage, make_window, qapp):
    """The shared lead window, with the real style sheet: its paddings and fonts decide what fits."""
    qapp.setStyleSheet(style_sheet("lead"))
    yield make_window(demo_storage)
    qapp.setStyleSheet("")


def controls(page):
    found = [w for kind in (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView) for w in page.findChildren(kind)]
    return [w for w in found if w.isVisibleTo(page) and w.window() is page.window()
            and not isinstance(w, QHeaderView) and not isinstance(w.parentWidget(), QAbstractItemView)
            and not isinstance(w.parent(), QComboBox) and not isinstance(w.parentWidget().parentWidget(), QComboBox)]


@pytest.mark.parametrize("size", [SMALL, SCALED], ids=["1024x768", "1366x768-at-150%"])
def test_the_window_can_be_as_small_as_the_screen_leaves(window, size):
    for hint in (window.minimumSize(), window.minimumSizeHint()):
        assert hint.width() <= size[0] and hint.height() <= size[1], hint


@pytest.mark.parametrize("size", [SMALL, SCALED], ids=["1024x768", "1366x768-at-150%"])
def test_every_control_of_every_page_can_be_reached(window, qtbot, size, settle):
    window.resize(*size)
    settle()
    scroll = window.page_scroll
    for key, page in window.pages.items():
        window.show_page(key)
        settle()
        if size == SMALL:
            # Nothing hides to the side at 1024x768: no page scrolls sideways.
            assert scroll.horizontalScrollBar().maximum() == 0, key
        assert controls(page), key
        for control in controls(page):
            scroll.ensureWidgetVisible(control, 0, 0)
            inner = page.findChild(QScrollArea, "settingsScroll")
            if inner is not None and inner.isAncestorOf(control):
                inner.ensureWidgetVisible(control, 0, 0)
            settle()
            shown = control.visibleRegion().boundingRect()
            assert not shown.isEmpty(), (key, control.objectName() or type(control).__name__,
                                         getattr(control, "text", lambda: "")())
            # At least most of it is in view, not a sliver.
            assert shown.width() >= min(control.width(), 40) and shown.height() >= min(control.height(), 16), (
                key, control.objectName() or type(control).__name__)


@pytest.mark.parametrize("size", [SMALL, SCALED], ids=["1024x768", "1366x768-at-150%"])
def test_every_floor_board_column_can_be_scrolled_to(window, qtbot, size, settle):
    window.resize(*size)
    settle()
    board = window.floor.board
    model = board.model()
    assert model.rowCount()
    viewport = board.viewport().rect()
    # Who and their task are in view without scrolling.
    for name in ("name", "task_title"):
        column = model.column_of(name)
        left = board.columnViewportPosition(column)
        assert left >= 0 and left + min(board.columnWidth(column), 80) <= viewport.width(), name
    for column in range(model.columnCount()):
        board.scrollTo(model.index(0, column))
        settle()
        cell = board.visualRect(model.index(0, column))
        assert viewport.intersects(cell) and cell.intersected(viewport).width() >= min(cell.width(), 60), column


def test_the_side_navigation_gives_way_on_a_narrow_window(window, qtbot, settle):
    window.resize(1366, 700)
    settle()
    wide = window.side.width()
    assert "Floor" in window.nav.item(0).text()
    window.resize(*SCALED)
    settle()
    # A rail: the icon above a short label, the full name in the tooltip.
    assert window.side.width() < wide and window.nav.item(3).text().endswith("\nNotes")
    assert "Observations" in window.nav.item(3).toolTip()
    assert QRect(window.nav.visualItemRect(window.nav.item(5))).bottom() < window.nav.viewport().height()
