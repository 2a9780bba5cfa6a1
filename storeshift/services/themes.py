"""Themes: observations that tell of the same thing, with one owner, status and follow-up each;
triage (attach, detach, rename, merge, split), suggestions and automatic grouping."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from ..errors import NotFound, UserError
from ..storage import audit
from ..storage.db import Storage, now_iso
from ..storage.schema import THEME_STAMPS, THEME_STATUSES
from .observations import STATUSES, _check_choice, _clean_text, _scrub

MAX_TITLE = 200
OPEN = ("new", "triaged")
#: How much of a theme the suggestions compare a new note with: its title and its first notes.
NOTES_COMPARED = 5
#: The order of the statuses, and the column holding the time each was reached (new: opened_at).
ORDER, STAMPS = THEME_STATUSES, THEME_STAMPS


# ---------------------------------------------------------------- reading

def get_theme(storage: Storage, theme_id: str) -> dict:
    row = storage.one("SELECT * FROM themes WHERE id = ?", (theme_id,))
    if row is None:
        raise NotFound("There is no such theme (it may have been merged into another).")
    return row


def list_themes(storage: Storage, *, statuses: Sequence[str] = (), site_ids: Sequence[str] | None = None) -> list[dict]:
    """Themes with how many observations and people they hold, most reported first."""
    where, params = ["1=1"], []
    if statuses:
        where.append(f"t.status IN ({','.join('?' * len(statuses))})")
        params += list(statuses)
    if site_ids is not None:
        where.append(f"t.site_id IN ({','.join('?' * len(site_ids))})")
        params += list(site_ids)
    return storage.rows(
        "SELECT t.*, count(o.id) AS observations, count(DISTINCT o.person_id) AS people, "
        "max(o.created_at) AS last_seen FROM themes t LEFT JOIN observations o ON o.theme_id = t.id "
        f"WHERE {' AND '.join(where)} GROUP BY t.id "
        "ORDER BY count(o.id) DESC, t.opened_at, t.title COLLATE NOCASE", params)


def theme_observations(storage: Storage, theme_id: str) -> list[dict]:
    return storage.rows(
        "SELECT o.*, p.name AS person_name FROM observations o LEFT JOIN people p ON p.id = o.person_id "
        "WHERE o.theme_id = ? ORDER BY o.created_at", (theme_id,))


def status_at(theme: dict, at: str) -> str | None:
    """The theme's status just before `at` (UTC ISO), from the times it reached each status;
    None when it had not been raised yet."""
    if theme["opened_at"] >= at:
        return None
    for status in reversed(ORDER[1:]):
        stamp = theme.get(STAMPS[status])
        if stamp and stamp < at:
            return status
    return "new"


# ---------------------------------------------------------------- writing

def _title(title: str | None) -> str:
    cleaned = " ".join(_scrub(title or "").split())
    if not cleaned:
        raise UserError("Please give the theme a title, e.g. 'Self-checkout rejects bags'.")
    if len(cleaned) > MAX_TITLE:
        raise UserError(f"The title is {len(cleaned):,} characters long; please keep it under {MAX_TITLE}.")
    return cleaned


def _observation(storage: Storage, observation_id: str) -> dict:
    row = storage.one("SELECT * FROM observations WHERE id = ?", (observation_id,))
    if row is None:
        raise NotFound("There is no such observation.")
    return row


def create_theme(storage: Storage, title: str, observation_ids: Iterable[str] = (), actor: str = "shift lead",
                 site_id: str | None = None) -> dict:
    """A new theme (status new) holding the given observations; it was raised when the
    earliest of them was written."""
    title = _title(title)
    ids = list(dict.fromkeys(observation_ids))
    with storage.write("save the theme"):
        notes = [_observation(storage, i) for i in ids]
        opened = min((n["created_at"] for n in notes), default=None) or now_iso()
        values = {"title": title, "status": "new", "owner": None, "follow_up": None, "opened_at": opened,
                  "triaged_at": None, "actioned_at": None, "closed_at": None}
        if site_id or notes:
            # A theme belongs to the site where its notes were written (merged data at head office).
            values["site_id"] = site_id or notes[0]["site_id"]
        theme = audit.insert(storage, "themes", values, actor)
        for note in notes:
            _move(storage, note, theme, actor)
    return get_theme(storage, theme["id"])


def _move(storage: Storage, note: dict, theme: dict | None, actor: str) -> None:
    """Put one observation into theme (None: take it out), keeping the theme's raised time and
    removing a theme it leaves empty that nobody has triaged."""
    target = theme["id"] if theme else None
    if note.get("theme_id") == target:
        return
    audit.update(storage, "observations", note["id"], {"theme_id": target}, actor, "theme")
    if theme is not None and note["created_at"] < theme["opened_at"]:
        audit.update(storage, "themes", theme["id"], {"opened_at": note["created_at"]}, actor)
    old = note.get("theme_id")
    if old:
        left = storage.value("SELECT count(*) FROM observations WHERE theme_id = ?", (old,))
        former = storage.one("SELECT * FROM themes WHERE id = ?", (old,))
        if former is not None and not left and former["status"] == "new" and not former["owner"] \
                and not former["follow_up"]:
            audit.delete(storage, "themes", old, actor)


def attach(storage: Storage, observation_id: str, theme_id: str, actor: str = "shift lead") -> dict:
    """'Same as…': the observation joins the theme."""
    with storage.write("save the theme"):
        theme = get_theme(storage, theme_id)
        _move(storage, _observation(storage, observation_id), theme, actor)
    return get_theme(storage, theme_id)


def detach(storage: Storage, observation_id: str, actor: str = "shift lead") -> None:
    with storage.write("save the theme"):
        _move(storage, _observation(storage, observation_id), None, actor)


def rename(storage: Storage, theme_id: str, title: str, actor: str = "shift lead") -> dict:
    title = _title(title)
    theme = get_theme(storage, theme_id)
    if theme["title"] == title:
        return theme
    return audit.update(storage, "themes", theme_id, {"title": title}, actor, "rename")


def merge(storage: Storage, keep_id: str, other_ids: Iterable[str], actor: str = "shift lead") -> dict:
    """Fold other themes into keep_id: their observations move; an owner or follow-up the kept
    theme lacks is taken from them; they are deleted."""
    others = [i for i in dict.fromkeys(other_ids) if i != keep_id]
    if not others:
        raise UserError("Choose at least one other theme to merge into this one.")
    with storage.write("merge the themes"):
        keep = get_theme(storage, keep_id)
        changes: dict = {}
        for other_id in others:
            other = get_theme(storage, other_id)
            for column in ("owner", "follow_up"):
                if not keep[column] and not changes.get(column) and other[column]:
                    changes[column] = other[column]
            if other["opened_at"] < min(keep["opened_at"], changes.get("opened_at", keep["opened_at"])):
                changes["opened_at"] = other["opened_at"]
            for note in storage.rows("SELECT * FROM observations WHERE theme_id = ?", (other_id,)):
                audit.update(storage, "observations", note["id"], {"theme_id": keep_id}, actor, "theme")
            audit.delete(storage, "themes", other_id, actor, "merge")
        if changes:
            audit.update(storage, "themes", keep_id, changes, actor, "merge")
    return get_theme(storage, keep_id)


def split(storage: Storage, theme_id: str, observation_ids: Iterable[str], title: str,
          actor: str = "shift lead") -> dict:
    """Take some observations out of a theme into a new theme of their own."""
    ids = list(dict.fromkeys(observation_ids))
    with storage.write("split the theme"):
        theme = get_theme(storage, theme_id)
        members = {r["id"] for r in storage.rows("SELECT id FROM observations WHERE theme_id = ?", (theme_id,))}
        if not ids or not set(ids) <= members:
            raise UserError("Choose the observations of this theme that belong to the new theme.")
        if set(ids) == members:
            raise UserError("Leave at least one observation in the theme (to rename it, use Rename).")
        new = create_theme(storage, title, ids, actor, site_id=theme["site_id"])
        rest = storage.value("SELECT min(created_at) FROM observations WHERE theme_id = ?", (theme_id,))
        if rest and rest > theme["opened_at"]:
            audit.update(storage, "themes", theme_id, {"opened_at": rest}, actor)
    return new


def update(storage: Storage, theme_id: str, *, status: str | None = None, owner: str | None = None,
           follow_up: str | None = None, actor: str = "shift lead") -> dict:
    """Set a theme's status, owner or follow-up; the time each status is reached is stamped (and
    cleared when the theme goes back), so reports can show it as it stood at any time."""
    with storage.write("save the theme"):
        current = get_theme(storage, theme_id)
        changes: dict = {}
        if owner is not None:
            changes["owner"] = " ".join(_scrub(owner).split()) or None
        if follow_up is not None:
            changes["follow_up"] = _clean_text(follow_up, 5000, "follow-up note", False)
        if changes.get("owner") and current["status"] == "new" and status in (None, "new"):
            status = "triaged"  # giving it an owner is triaging it
        if status is not None:
            status = _check_choice(status, STATUSES, "status")
            changes["status"] = status
            if status != current["status"]:
                now = now_iso()
                reached = ORDER.index(status)
                for name, column in STAMPS.items():
                    if ORDER.index(name) > reached:
                        changes[column] = None
                    elif not current[column]:
                        # Reached now (a skipped step, new straight to closed, passed now too).
                        changes[column] = now
        changes = {k: v for k, v in changes.items() if current.get(k) != v}
        if not changes:
            return current
        return audit.update(storage, "themes", theme_id, changes, actor, "triage")


TRIAGE_FIELDS = ("status", "owner", "follow_up")


def undo_update(storage: Storage, theme_id: str, before: dict, after: dict, actor: str = "shift lead") -> dict:
    """Put a theme's triage (status, owner, follow-up and the times its statuses were reached) back as
    it was before a save, unless someone has changed it again since (then nothing changes)."""
    with storage.write("undo the triage"):
        current = get_theme(storage, theme_id)
        if any(current.get(k) != after.get(k) for k in TRIAGE_FIELDS):
            raise UserError("The theme has changed again since, so it was not undone.")
        changes = {k: before.get(k) for k in (*TRIAGE_FIELDS, *STAMPS.values()) if current.get(k) != before.get(k)}
        return audit.update(storage, "themes", theme_id, changes, actor, "undo_triage") if changes else current


# ---------------------------------------------------------------- suggestions and grouping

def _theme_text(storage: Storage, theme: dict) -> str:
    notes = storage.rows("SELECT text FROM observations WHERE theme_id = ? ORDER BY created_at LIMIT ?",
                         (theme["id"], NOTES_COMPARED))
    return "\n".join([theme["title"], *(n["text"] for n in notes)])


def suggestions(storage: Storage, observation_id: str, k: int = 3) -> list[dict]:
    """The k open themes of the observation's site most like it, best first (each with a
    'score' 0..1); themes that share nothing with it are left out."""
    from . import grouping

    note = _observation(storage, observation_id)
    candidates = [t for t in list_themes(storage, statuses=OPEN, site_ids=[note["site_id"]])
                  if t["id"] != note.get("theme_id")]
    if not candidates:
        return []
    texts = [_theme_text(storage, t) for t in candidates]
    found = grouping.similar(note["text"], texts, k=k)
    return [{**candidates[index], "score": score} for index, score in found if score > 0][:k]


@dataclass
class AutoGroup:
    """Untriaged observations the grouping put together; not (yet) a theme record."""
    title: str
    observations: list[dict] = field(default_factory=list)

    @property
    def id(self) -> str:
        """A stable synthetic id: the same notes give the same id whenever it is computed."""
        joined = ",".join(sorted(o["id"] for o in self.observations))
        return "auto-" + hashlib.sha256(joined.encode()).hexdigest()[:12]


def auto_groups(observations: list[dict]) -> list[AutoGroup]:
    """Group notes nobody has put into a theme, most reported first (a group may hold one note)."""
    from . import grouping

    if not observations:
        return []
    ordered = sorted(observations, key=lambda o: (o["created_at"], o["id"]))
    labels = grouping.group([o["text"] for o in ordered])
    members: dict[int, list[dict]] = {}
    for label, note in zip(labels, ordered):
        members.setdefault(label, []).append(note)
    groups = [AutoGroup(grouping.theme_title([n["text"] for n in notes]) or notes[0]["text"][:60], notes)
              for notes in members.values()]
    groups.sort(key=lambda g: (-len({o.get("person_id") or o["id"] for o in g.observations}),
                               -len(g.observations), g.observations[0]["created_at"]))
    return groups


def untriaged(storage: Storage, start: str | None, end: str | None,
              site_ids: Sequence[str] | None = None) -> list[dict]:
    """Observations written in [start, end) (None: no bound) that are in no theme and were never triaged."""
    where, params = ["o.theme_id IS NULL", "o.status = 'new'"], []
    if end:
        where.append("o.created_at < ?")
        params.append(end)
    if start:
        where.append("o.created_at >= ?")
        params.append(start)
    if site_ids is not None:
        where.append(f"o.site_id IN ({','.join('?' * len(site_ids))})")
        params += list(site_ids)
    return storage.rows(
        "SELECT o.*, p.name AS person_name FROM observations o LEFT JOIN people p ON p.id = o.person_id "
        f"WHERE {' AND '.join(where)} ORDER BY o.created_at", params)


def group_untriaged(storage: Storage, start: str | None, end: str | None, actor: str = "shift lead",
                    min_size: int = 2) -> list[dict]:
    """Make themes of the automatic groups (of min_size notes or more) of a week's untriaged
    notes; returns the themes made."""
    made = []
    with storage.write("group the observations"):
        for group in auto_groups(untriaged(storage, start, end, [storage.site_id])):
            if len(group.observations) >= min_size:
                made.append(create_theme(storage, group.title, [o["id"] for o in group.observations], actor))
    return made
