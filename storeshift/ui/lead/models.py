"""Table models of the shift-lead window: rows of plain dicts, updated in place by key so a
refresh never resets the view (no flicker, the lead's selection stays)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QByteArray, QMimeData, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from ...services.observations import CATEGORIES, IMPACTS, STATUSES
from ...timeutil import format_duration, local, local_clock, minutes_between

#: The MIME type a dragged task carries: its id as UTF-8.
TASK_MIME = "application/x-storeshift-task"

MUTED = QColor("#6b7280")
WARN = QColor("#b45309")
DANGER = QColor("#b91c1c")
OK = QColor("#15803d")
FULL_BACKGROUND = QColor("#fde8e8")
HIGH_BACKGROUND = QColor("#fff4e5")


_FONTS: dict[tuple[bool, bool], QFont] = {}


def styled_font(bold: bool = False, italic: bool = False) -> QFont:
    """A shared font for FontRole, made once per style rather than on every paint: with some
    PySide6 builds on Python 3.11 each void Qt call (setBold…) loses a reference to None, and a
    fresh font per cell per paint used them up within minutes (see storeshift.selftest)."""
    key = (bold, italic)
    if key not in _FONTS:
        font = QFont()
        font.setBold(bold)
        font.setItalic(italic)
        _FONTS[key] = font
    return _FONTS[key]


class RowTableModel(QAbstractTableModel):
    """A read-mostly table of dict rows with named columns. set_rows() updates in place:
    removed rows are removed, new ones inserted, moved ones moved and changed cells
    reported, so selections and scroll positions survive every refresh."""

    #: (name, header) pairs; subclasses override.
    columns: list[tuple[str, str]] = []
    key = "id"

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[dict] = []

    # -- Qt model interface -------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.columns):
            return self.columns[section][1]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)) \
                or not (0 <= index.column() < len(self.columns)):
            return None
        row = self._rows[index.row()]
        name = self.columns[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.display(row, name)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, name)
        if role == Qt.ItemDataRole.UserRole:
            return row.get(self.key)
        if role == Qt.ItemDataRole.ForegroundRole:
            colour = self.foreground(row, name)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.BackgroundRole:
            colour = self.background(row, name)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.FontRole:
            return self.font(row, name)
        return None

    # -- what subclasses tailor ---------------------------------------------------------
    def display(self, row: dict, name: str) -> Any:
        return row.get(name)

    def tooltip(self, row: dict, name: str) -> str | None:
        return None

    def foreground(self, row: dict, name: str) -> QColor | None:
        return None

    def background(self, row: dict, name: str) -> QColor | None:
        return None

    def font(self, row: dict, name: str) -> QFont | None:
        return None

    # -- rows -----------------------------------------------------------------------------
    def rows(self) -> list[dict]:
        return list(self._rows)

    def row_at(self, row: int) -> dict | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def index_of(self, key: Any, column: int = 0) -> QModelIndex:
        for i, row in enumerate(self._rows):
            if row.get(self.key) == key:
                return self.index(i, column)
        return QModelIndex()

    def column_of(self, name: str) -> int:
        return [c[0] for c in self.columns].index(name)

    def set_rows(self, rows: list[dict]) -> None:
        """Make the model hold rows (in that order) with the fewest structural changes."""
        if not self._rows:
            # A first load (thousands of people) in one reset, not one insert signal per row;
            # an empty table has no selection or scroll position to keep.
            if rows:
                self.beginResetModel()
                self._rows = list(rows)
                self.endResetModel()
            return
        new_keys = [r.get(self.key) for r in rows]
        wanted = set(new_keys)
        # 1. Remove rows that went away, bottom up so indexes stay valid.
        for i in range(len(self._rows) - 1, -1, -1):
            if self._rows[i].get(self.key) not in wanted:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self._rows[i]
                self.endRemoveRows()
        # 2. Walk the new order: keep, update, move up or insert.
        last_column = max(0, len(self.columns) - 1)
        for i, new in enumerate(rows):
            key = new.get(self.key)
            if i < len(self._rows) and self._rows[i].get(self.key) == key:
                if self._rows[i] != new:
                    self._rows[i] = new
                    self.dataChanged.emit(self.index(i, 0), self.index(i, last_column))
                continue
            found = next((j for j in range(i + 1, len(self._rows)) if self._rows[j].get(self.key) == key), None)
            if found is None:
                self.beginInsertRows(QModelIndex(), i, i)
                self._rows.insert(i, new)
                self.endInsertRows()
                continue
            self.beginMoveRows(QModelIndex(), found, found, QModelIndex(), i)
            self._rows.insert(i, self._rows.pop(found))
            self.endMoveRows()
            if self._rows[i] != new:
                self._rows[i] = new
                self.dataChanged.emit(self.index(i, 0), self.index(i, last_column))


def _clock_text(iso: str | None, tz: str) -> str:
    return local_clock(iso, tz) if iso else ""


def since_text(iso: str, tz: str, now: dt.datetime) -> str:
    """'09:12' today; 'Tue 24 Nov 23:10' for a visit begun on another day (a night shift)."""
    moment = local(iso, tz)
    if moment.date() == local(now, tz).date():
        return f"{moment:%H:%M}"
    return f"{moment:%a} {moment.day} {moment:%b %H:%M}"


class FloorModel(RowTableModel):
    """Everyone on the floor now: name, department, since, time on the floor (ticking), task."""

    columns = [("name", "Name"), ("department", "Department"), ("on_floor", "On the floor"),
               ("task_title", "Current task")]
    key = "visit_id"

    def __init__(self, clock: Callable[[], dt.datetime], timezone: str = "Europe/London", parent=None):
        super().__init__(parent)
        self.clock = clock
        self.timezone = timezone

    def display(self, row: dict, name: str) -> Any:
        if name == "since":
            return since_text(row["check_in_at"], self.timezone, self.clock())
        if name == "on_floor":
            now = self.clock()
            return (f"{format_duration(minutes_between(row['check_in_at'], now))}"
                    f" (since {since_text(row['check_in_at'], self.timezone, now)})")
        if name == "task_title":
            return row.get("task_title") or "No task yet"
        return row.get(name)

    def foreground(self, row: dict, name: str) -> QColor | None:
        if name == "task_title" and not row.get("task_title"):
            return WARN
        if name == "department":
            return MUTED
        return None

    def font(self, row: dict, name: str) -> QFont | None:
        if name == "name":
            return styled_font(bold=True)
        if name == "task_title" and not row.get("task_title"):
            return styled_font(italic=True)
        return None

    def tooltip(self, row: dict, name: str) -> str | None:
        how = "checked in by hand" if row.get("source_in") == "manual" else "scanned their badge"
        return f"{row['name']} {how} at {since_text(row['check_in_at'], self.timezone, self.clock())}."

    def tick(self) -> None:
        """The clock moved on: only the time-on-floor column changes."""
        if self._rows:
            column = self.column_of("on_floor")
            self.dataChanged.emit(self.index(0, column), self.index(len(self._rows) - 1, column),
                                  [Qt.ItemDataRole.DisplayRole])


class ExpectedModel(RowTableModel):
    """Today's booked people who have not come in yet."""

    columns = [("name", "Name"), ("slot", "Booked"), ("task_title", "Planned task")]

    def __init__(self, timezone: str = "Europe/London", parent=None):
        super().__init__(parent)
        self.timezone = timezone

    def display(self, row: dict, name: str) -> Any:
        if name == "slot":
            return f"{_clock_text(row['start_at'], self.timezone)}–{_clock_text(row['end_at'], self.timezone)}"
        if name == "task_title":
            return row.get("task_title") or "—"
        return row.get(name)


class LeftTodayModel(RowTableModel):
    """Today's visits that have ended (services.visits.left_today: ended_at, minutes, estimated),
    those ended at closing time marked estimated."""

    columns = [("name", "Name"), ("times", "Was in"), ("note", "")]
    key = "visit_id"

    def __init__(self, timezone: str = "Europe/London", parent=None):
        super().__init__(parent)
        self.timezone = timezone

    def display(self, row: dict, name: str) -> Any:
        if name == "times":
            return f"{_clock_text(row['check_in_at'], self.timezone)}–{_clock_text(row['ended_at'], self.timezone)}"
        if name == "note":
            duration = format_duration(row["minutes"])
            return f"⚠ {duration} estimated" if row.get("estimated") else duration
        return row.get(name)

    def foreground(self, row: dict, name: str) -> QColor | None:
        if name == "note" and row.get("estimated"):
            return WARN
        return MUTED if name == "times" else None

    def tooltip(self, row: dict, name: str) -> str | None:
        if row.get("estimated"):
            return (f"{row['name']} did not scan out; the visit ended at closing time and counts as estimated. "
                    "They are asked when they really left at their next scan.")
        return None


class DidntCheckOutModel(RowTableModel):
    """Visits of the previous open day nobody checked out (services.visits.didnt_check_out):
    ended at closing time, estimated until the lead or the visitor confirms a time."""

    columns = [("name", "Name"), ("times", "Arrived – closing time"), ("note", "Estimated")]
    key = "visit_id"

    def __init__(self, timezone: str = "Europe/London", parent=None):
        super().__init__(parent)
        self.timezone = timezone

    def display(self, row: dict, name: str) -> Any:
        if name == "times":
            return f"{_clock_text(row['check_in_at'], self.timezone)}–{_clock_text(row['ended_at'], self.timezone)}"
        if name == "note":
            return f"⚠ {format_duration(row['minutes'])}"
        return row.get(name)

    def foreground(self, row: dict, name: str) -> QColor | None:
        return WARN if name == "note" else (MUTED if name == "times" else None)

    def font(self, row: dict, name: str) -> QFont | None:
        return styled_font(bold=True) if name == "name" else None

    def tooltip(self, row: dict, name: str) -> str | None:
        return (f"{row['name']} ({row.get('department') or 'no department'}) did not scan out. Double-click (or "
                "Enter) to set when they left, or to confirm the closing time.")


class TaskModel(RowTableModel):
    """The task catalogue. On the Floor page it is the drag source (read-only); on the Tasks
    page it is editable in place, each edit saved through on_edit(task_id, field, value)."""

    FLOOR_COLUMNS = [("title", "Task"), ("places", "Places taken")]
    EDIT_COLUMNS = [("title", "Title"), ("area", "Area"), ("description", "Description"),
                    ("minutes", "Minutes"), ("capacity", "Capacity"), ("taken", "On it now"),
                    ("status", "Status")]
    EDITABLE = {"title", "area", "description", "minutes", "capacity"}

    def __init__(self, editable: bool = False, on_edit: Callable[[str, str, Any], bool] | None = None, parent=None):
        super().__init__(parent)
        self.editable = editable
        self.on_edit = on_edit
        self.columns = self.EDIT_COLUMNS if editable else self.FLOOR_COLUMNS

    @staticmethod
    def is_full(row: dict) -> bool:
        return row.get("capacity") is not None and row.get("taken", 0) >= row["capacity"]

    def display(self, row: dict, name: str) -> Any:
        if name == "places":
            if row.get("capacity") is None:
                return f"{row.get('taken', 0)} on it"
            return "FULL" if self.is_full(row) else f"{row.get('taken', 0)} of {row['capacity']}"
        if name == "status":
            return "Active" if row.get("active") else "Archived"
        if name in ("minutes", "capacity"):
            value = row.get(name)
            return "" if value is None else value
        return row.get(name)

    def foreground(self, row: dict, name: str) -> QColor | None:
        if not row.get("active"):
            return MUTED
        if name in ("places", "taken") and self.is_full(row):
            return DANGER
        return None

    def background(self, row: dict, name: str) -> QColor | None:
        return FULL_BACKGROUND if (row.get("active") and self.is_full(row) and not self.editable) else None

    def font(self, row: dict, name: str) -> QFont | None:
        if name == "places" and self.is_full(row):
            return styled_font(bold=True)
        return None

    def tooltip(self, row: dict, name: str) -> str | None:
        text = row.get("description") or row.get("title")
        if row.get("area"):
            text = f"{row['area']}: {text}"
        if self.is_full(row):
            text += f"\nFull: {row['taken']} of {row['capacity']} places are taken."
        elif not self.editable:
            text += "\nDrag onto a person on the board to give them this task."
        return text

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.editable:
            if self.columns[index.column()][0] in self.EDITABLE:
                flags |= Qt.ItemFlag.ItemIsEditable
        else:
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.EditRole and index.isValid() and 0 <= index.row() < len(self._rows) \
                and 0 <= index.column() < len(self.columns):
            value = self._rows[index.row()].get(self.columns[index.column()][0])
            return "" if value is None else str(value)
        return super().data(index, role)

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self.on_edit is None:
            return False
        name = self.columns[index.column()][0]
        if name not in self.EDITABLE:
            return False
        row = self._rows[index.row()]
        if str(row.get(name) or "") == str(value or ""):
            return False
        return bool(self.on_edit(row["id"], name, value))

    def mimeTypes(self) -> list[str]:
        return [TASK_MIME]

    def mimeData(self, indexes) -> QMimeData:
        mime = QMimeData()
        rows = {i.row() for i in indexes if i.isValid()}
        if rows:
            row = self._rows[min(rows)]
            mime.setData(TASK_MIME, QByteArray(row["id"].encode("utf-8")))
            mime.setText(row["title"])
        return mime

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction


class PeopleModel(RowTableModel):
    """The roster with each person's badge state."""

    columns = [("name", "Name"), ("department", "Department"), ("email", "Email"),
               ("employee_id", "Employee id"), ("badge", "Badge"), ("status", "Status")]

    def display(self, row: dict, name: str) -> Any:
        if name == "status":
            return "Active" if row.get("active") else "Inactive"
        if name == "badge":
            if not row.get("badge_serial"):
                return "none"
            if row.get("badge_revoked_at"):
                return f"#{row['badge_serial']} revoked"
            return f"#{row['badge_serial']} valid"
        return row.get(name) or ""

    def foreground(self, row: dict, name: str) -> QColor | None:
        if not row.get("active"):
            return MUTED
        if name == "badge" and (row.get("badge_revoked_at") or not row.get("badge_serial")):
            return DANGER
        return None


class ObservationModel(RowTableModel):
    """Observations with who wrote them; the table of the Observations page."""

    columns = [("when", "When"), ("category", "Category"), ("impact", "Impact"), ("status", "Status · theme"),
               ("text", "What was noticed")]

    def __init__(self, timezone: str = "Europe/London", parent=None):
        super().__init__(parent)
        self.timezone = timezone

    def display(self, row: dict, name: str) -> Any:
        if name == "when":
            return local(row["created_at"], self.timezone).strftime("%d %b %H:%M")
        if name == "category":
            return CATEGORIES.get(row["category"], row["category"])
        if name == "impact":
            return IMPACTS.get(row["impact"], row["impact"])
        if name == "status":
            status = STATUSES.get(row["status"], row["status"])
            # Short: the note's own text needs the width; the tooltip and the pane give the title whole.
            title = row.get("theme_title")
            if title:
                status += " · " + (title if len(title) <= 20 else title[:19] + "…")
            return status
        if name == "text":
            text = " ".join((row.get("text") or "").split())
            return text if len(text) <= 140 else text[:139] + "…"
        if name == "person_name":
            return row.get("person_name") or "(erased)"
        return row.get(name) or ""

    def foreground(self, row: dict, name: str) -> QColor | None:
        if name == "impact" and row["impact"] == "high":
            return DANGER
        if name == "status" and row["status"] == "new":
            return WARN
        if name == "status" and row["status"] in ("actioned", "closed"):
            return OK
        return None

    def font(self, row: dict, name: str) -> QFont | None:
        if name in ("impact", "status") and (row["impact"] == "high" or row["status"] == "new"):
            return styled_font(bold=True)
        return None

    def tooltip(self, row: dict, name: str) -> str | None:
        by = row.get("person_name") or "someone since erased"
        owner = f"\nFollow-up owner: {row['owner']}" if row.get("owner") else ""
        theme = f"\nTheme: {row['theme_title']}" if row.get("theme_title") else ""
        return f"{row.get('text')}\n— {by}{theme}{owner}"


class ImportProblemsModel(RowTableModel):
    """The bad lines of a CSV file, shown before anything is imported."""

    columns = [("line", "Line"), ("reason", "Why it cannot be imported")]
    key = "n"
