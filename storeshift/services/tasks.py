"""The task catalogue and assignments of tasks to people on the floor."""

from __future__ import annotations

from pathlib import Path

from ..i18n import N_, _, format_number
from ..errors import NotFound, Refused, UserError
from ..storage import audit
from ..storage.db import Storage, new_id, now_iso
from .csvio import CsvRefused, ImportReport, LineError, read_csv

TASK_FIELDS = ("title", "description", "area", "minutes", "capacity")


def _optional_int(value, label: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(_("{field} '{value}' is not a whole number").format(field=_(label), value=value)) from None
    if number <= 0:
        raise ValueError(_("{field} must be more than 0").format(field=_(label)))
    return number


def _clean(values: dict) -> dict:
    title = " ".join(str(values.get("title") or "").split())
    if not title:
        raise ValueError(_("title is missing"))
    if len(title) > 200:
        raise ValueError(_("title is longer than 200 characters"))
    return {"title": title,
            "description": str(values.get("description") or "").strip(),
            "area": " ".join(str(values.get("area") or "").split()),
            "minutes": _optional_int(values.get("minutes"), N_("minutes")),
            "capacity": _optional_int(values.get("capacity"), N_("capacity"))}


def add_task(storage: Storage, actor: str = "shift lead", **values) -> dict:
    try:
        task = _clean(values)
    except ValueError as exc:
        raise UserError(_("Cannot add the task: {reason}.").format(reason=exc)) from None
    return audit.insert(storage, "tasks", {**task, "active": 1}, actor)


def edit_task(storage: Storage, task_id: str, actor: str = "shift lead", **values) -> dict:
    current = get_task(storage, task_id)
    try:
        task = _clean({**current, **values})
    except ValueError as exc:
        raise UserError(_("Cannot save the task: {reason}.").format(reason=exc)) from None
    changes = {k: v for k, v in task.items() if current.get(k) != v}
    if "active" in values and int(bool(values["active"])) != current["active"]:
        changes["active"] = int(bool(values["active"]))
    return audit.update(storage, "tasks", task_id, changes, actor) if changes else current


def archive_task(storage: Storage, task_id: str, actor: str = "shift lead") -> dict:
    return audit.update(storage, "tasks", get_task(storage, task_id)["id"], {"active": 0}, actor, "archive")


def get_task(storage: Storage, task_id: str) -> dict:
    task = storage.one("SELECT * FROM tasks WHERE id = ?", (task_id,))
    if task is None:
        raise NotFound(_("There is no such task."))
    return task


def list_tasks(storage: Storage, include_archived: bool = False) -> list[dict]:
    """The catalogue, each task with how many people are on it now."""
    where = "" if include_archived else "WHERE t.active = 1"
    return storage.rows(
        "SELECT t.*, (SELECT count(*) FROM assignments a WHERE a.task_id = t.id AND a.status = 'active') AS taken "
        f"FROM tasks t {where} ORDER BY t.active DESC, t.area, t.title COLLATE NOCASE")


def plan_tasks_import(storage: Storage, source) -> tuple[ImportReport, list[dict], list[tuple[str, dict]]]:
    table = read_csv(source, required=("title",), known=TASK_FIELDS)
    report = ImportReport.of(table)
    existing = {r["title"].casefold(): r for r in storage.rows("SELECT * FROM tasks")}
    seen: dict[str, int] = {}
    inserts, updates = [], []
    for line, values in table.rows:
        try:
            task = _clean(values)
        except ValueError as exc:
            report.errors.append(LineError(line, str(exc)))
            continue
        key = task["title"].casefold()
        if key in seen:
            report.errors.append(LineError(line, _("task '{task}' is also on line {line}").format(task=task["title"], line=seen[key])))
            continue
        seen[key] = line
        match = existing.get(key)
        if match is None:
            inserts.append(task)
            report.added += 1
            continue
        changes = {k: v for k, v in task.items() if k in values and values[k] != "" and match.get(k) != v}
        if changes:
            updates.append((match["id"], changes))
            report.updated += 1
        else:
            report.unchanged += 1
    report.errors.sort(key=lambda e: e.line)
    return report, inserts, updates


def import_tasks(storage: Storage, source: str | Path | bytes, skip_invalid: bool = False,
                 actor: str = "import") -> ImportReport:
    """Import a task catalogue CSV (title, description, area, minutes, capacity); matched on title."""
    report, inserts, updates = plan_tasks_import(storage, source)
    if report.errors and not skip_invalid:
        raise CsvRefused(Path(source).name if isinstance(source, (str, Path)) else _("the file"), report.errors)
    with storage.write(N_("import the tasks")):
        now = now_iso()
        audit.insert_many(storage, "tasks", [
            {"id": new_id(), "site_id": storage.site_id, "created_at": now, "updated_at": now, **t, "active": 1}
            for t in inserts], actor)
        for task_id, changes in updates:
            audit.update(storage, "tasks", task_id, changes, actor)
    report.applied = True
    return report


def assign(storage: Storage, visit_id: str, task_id: str, actor: str = "shift lead") -> dict:
    """Give the person on this visit a task, replacing the one they had; refuses a full task."""
    with storage.write(N_("assign the task")):
        visit = storage.one("SELECT v.*, p.name FROM visits v LEFT JOIN people p ON p.id = v.person_id "
                            "WHERE v.id = ?", (visit_id,))
        if visit is None:
            raise NotFound(_("There is no such visit."))
        if visit["check_out_at"]:
            raise Refused(_("{name} has already checked out.").format(name=visit["name"]) if visit["name"]
                          else _("This person has already checked out."))
        task = get_task(storage, task_id)
        if not task["active"]:
            raise Refused(_("'{task}' is archived; restore it first.").format(task=task["title"]))
        current = storage.one("SELECT * FROM assignments WHERE visit_id = ? AND status = 'active'", (visit_id,))
        if current and current["task_id"] == task_id:
            return current
        taken = storage.value("SELECT count(*) FROM assignments WHERE task_id = ? AND status = 'active'", (task_id,))
        if task["capacity"] is not None and taken >= task["capacity"]:
            raise Refused(_("'{task}' is full: {taken} of {capacity} places are taken. Finish or move someone "
                            "first, or raise its capacity.").format(task=task["title"], taken=format_number(taken),
                                                                     capacity=format_number(task["capacity"])))
        now = now_iso()
        if current:
            audit.update(storage, "assignments", current["id"], {"status": "replaced", "ended_at": now}, actor,
                         "reassign")
        return audit.insert(storage, "assignments", {"visit_id": visit_id, "task_id": task_id, "status": "active",
                                                     "assigned_at": now, "ended_at": None}, actor, "assign")


def complete(storage: Storage, visit_id: str, actor: str = "shift lead") -> dict:
    """Mark the person's current task done."""
    with storage.write(N_("mark the task done")):
        current = storage.one("SELECT * FROM assignments WHERE visit_id = ? AND status = 'active'", (visit_id,))
        if current is None:
            raise NotFound(_("This person has no task to mark done."))
        return audit.update(storage, "assignments", current["id"], {"status": "done", "ended_at": now_iso()},
                            actor, "complete")


def unassign(storage: Storage, visit_id: str, actor: str = "shift lead") -> None:
    with storage.write(N_("take the task back")):
        current = storage.one("SELECT * FROM assignments WHERE visit_id = ? AND status = 'active'", (visit_id,))
        if current is not None:
            audit.update(storage, "assignments", current["id"], {"status": "replaced", "ended_at": now_iso()},
                         actor, "unassign")


def _free_place(storage: Storage, task_id: str) -> None:
    """Refuse to put someone back on a task that has filled up since."""
    task = get_task(storage, task_id)
    taken = storage.value("SELECT count(*) FROM assignments WHERE task_id = ? AND status = 'active'", (task_id,))
    if task["capacity"] is not None and taken >= task["capacity"]:
        raise Refused(_("'{task}' is full now ({taken} of {capacity} places), so it cannot be given back; nothing "
                        "was changed.").format(task=task["title"], taken=format_number(taken),
                                               capacity=format_number(task["capacity"])))


def _assignment_on_open_visit(storage: Storage, assignment_id: str) -> dict:
    row = storage.one("SELECT a.*, v.check_out_at, p.name FROM assignments a JOIN visits v ON v.id = a.visit_id "
                      "LEFT JOIN people p ON p.id = v.person_id WHERE a.id = ?", (assignment_id,))
    if row is None:
        raise NotFound(_("There is no such assignment."))
    if row["check_out_at"]:
        raise Refused(_("{name} has checked out since; nothing was changed.").format(name=row["name"]) if row["name"]
                      else _("This person has checked out since; nothing was changed."))
    return row


def undo_assign(storage: Storage, assignment_id: str, previous_id: str | None = None,
                actor: str = "shift lead") -> None:
    """Take back an assignment just made: it ends, and the task it replaced (previous_id, if
    any) is the person's task again. Refused, changing nothing, once the board has moved on
    (the task ended, the person checked out, or the earlier task filled up)."""
    with storage.write(N_("undo the assignment")):
        current = _assignment_on_open_visit(storage, assignment_id)
        if current["status"] != "active":
            raise Refused(_("That task has ended or changed since, so there is nothing to undo."))
        audit.update(storage, "assignments", assignment_id, {"status": "replaced", "ended_at": now_iso()}, actor,
                     "undo_assign")
        previous = storage.one("SELECT * FROM assignments WHERE id = ? AND visit_id = ?",
                               (previous_id, current["visit_id"])) if previous_id else None
        if previous is not None and previous["status"] == "replaced":
            _free_place(storage, previous["task_id"])
            audit.update(storage, "assignments", previous["id"], {"status": "active", "ended_at": None}, actor,
                         "undo_assign")


def undo_complete(storage: Storage, assignment_id: str, actor: str = "shift lead") -> dict:
    """Take back 'Mark task done': the task is the person's current task again."""
    with storage.write(N_("undo 'task done'")):
        done = _assignment_on_open_visit(storage, assignment_id)
        if done["status"] != "done":
            raise Refused(_("That task is not marked done any more, so there is nothing to undo."))
        if storage.value("SELECT count(*) FROM assignments WHERE visit_id = ? AND status = 'active'",
                         (done["visit_id"],)):
            raise Refused(_("{name} has another task now; nothing was changed.").format(name=done["name"])
                          if done["name"] else _("This person has another task now; nothing was changed."))
        _free_place(storage, done["task_id"])
        return audit.update(storage, "assignments", assignment_id, {"status": "active", "ended_at": None}, actor,
                            "undo_complete")
