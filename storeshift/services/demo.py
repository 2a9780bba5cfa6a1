"""A realistic, deterministic demo store: people, tasks, weeks of visits, assignments,
observations in every category, triage, bookings, and people on the floor right now."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
import uuid

from ..errors import UserError
from ..storage import audit
from ..storage.db import Storage
from ..timeutil import from_iso, to_iso, utc_now, zone
from . import settings

FIRST_NAMES = ["Mei", "Olusegun", "Sofía", "Yuki", "Tomás", "Oliver", "Dmitri", "Priya", "Mateus", "Fatima",
               "Kwame", "Siobhán", "Aisha", "Lars", "Chloé", "Jiho", "Ana", "Rahul", "Zeynep", "Noah",
               "Emma", "Liam", "Amara", "Giulia", "Björn", "Nadia", "Hiroshi", "Leila", "Marta", "Tariq",
               "Ingrid", "Kofi", "Elena", "Wei", "Sanjay", "Grace", "Youssef", "Hannah", "Pedro", "Ewa"]
LAST_NAMES = ["García", "O'Neill", "Jónsson", "de la Cruz", "Ní Bhriain", "Patel", "Hassan", "Andersen",
              "Lindqvist", "Müller", "Dubois", "Okafor", "Kowalski", "Nakamura", "Rossi", "Schmidt",
              "Nguyen", "Silva", "Haddad", "Murphy", "Khan", "Novak", "Tanaka", "Mensah", "Fischer",
              "Costa", "Ivanova", "Brown", "Yilmaz", "Chen"]
# Letters NFKD does not take apart into a base letter and an accent.
_LATIN_LETTERS = str.maketrans({"ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d",
                                "þ": "th", "ı": "i"})


def email_local_part(first: str, last: str) -> str:
    """'Björn', 'Müller' -> 'bjorn.muller': accents taken off as an email system does, not dropped."""
    text = unicodedata.normalize("NFKD", f"{first}.{last}".lower().translate(_LATIN_LETTERS))
    return "".join(c for c in text if c.isascii() and (c.isalnum() or c == "."))


# A few names in other scripts, as a real roster has them.
SPECIAL_NAMES = ["李小龙", "محمد الأحمد", "Αλέξανδρος Παπαδόπουλος", "Дмитрий Иванов", "דנה לוי", "김민준"]
DEPARTMENTS = ["Executive", "Finance", "IT", "HR", "Marketing", "Legal", "Supply Chain", "Property",
               "Digital", "Customer Insight"]
TASKS = [
    ("Greet at the door", "Welcome customers, point them to what they need, and note what they ask for.",
     "Shop floor", 60, 2),
    ("Stock aisle 4", "Fill shelves from the back room; note any product that keeps running out.",
     "Shop floor", 90, 3),
    ("Self-checkout help", "Help customers at self-checkout; note every error a customer hits.",
     "Checkout", 60, 2),
    ("Returns desk", "Shadow the returns desk; note the reasons customers give.", "Service desk", 60, 1),
    ("Click-and-collect", "Pick and hand over online orders; note every wait and missing item.",
     "Back of store", 90, 2),
    ("Shadow a phone agent", "Listen in on calls with an agent; note the top questions.",
     "Contact centre", 120, 4),
    ("Answer the email queue", "Answer simple customer emails with an agent checking.", "Contact centre", 120, 3),
    ("Reply on web chat", "Handle web chat with an agent alongside.", "Contact centre", 60, 2),
    ("Store walk with the manager", "Walk the store with the manager; note what gets in staff's way.",
     "Shop floor", 45, 2),
    ("Bakery counter", "Serve at the bakery counter; note what customers ask for that we don't have.",
     "Fresh food", 60, 1),
]
# (category, text, customer quote or None, impact)
OBSERVATIONS = [
    ("customer_voice", "Three customers asked whether the app shows stock in this store.",
     "Why can't the app tell me if you have it before I drive here?", "high"),
    ("customer_voice", "Several people asked where the parcel lockers are; there is no sign from the entrance.",
     "I walked round twice looking for the lockers.", "medium"),
    ("customer_voice", "Customers asked if we price-match the online shop; staff gave different answers.",
     "It's cheaper on your own website, can you match it?", "high"),
    ("customer_voice", "Older customers asked for paper receipts at self-checkout and could not find the option.",
     None, "medium"),
    ("customer_voice", "Customers asked whether the bakery bread is baked in store.", None, "low"),
    ("process_problem", "Self-checkout rejects bags over 2 kg and calls for help every time.",
     "It keeps saying unexpected item in the bagging area.", "high"),
    ("process_problem", "Click-and-collect orders are stored in two places, so pickers walk back and forth.",
     None, "medium"),
    ("process_problem", "Returns without a receipt need a manager's card; customers wait 10 minutes on average.",
     "I've been standing here for ages just to return a kettle.", "high"),
    ("process_problem", "The handheld scanners run out of battery before the end of the shift.", None, "medium"),
    ("process_problem", "Phone agents copy the order number by hand between two systems on every call.",
     None, "high"),
    ("process_problem", "Delivery slots in the email template show the wrong time zone.", None, "medium"),
    ("product_issue", "Oat milk sold out by 11am three days running.", "You never have the oat milk!", "medium"),
    ("product_issue", "Shelf labels for the coffee pods show last month's promotion price.", None, "high"),
    ("product_issue", "The own-brand kettle comes back often: the lid hinge breaks.", "Second one that's broken.",
     "high"),
    ("product_issue", "Gluten-free range is split across three aisles; customers can't find it.", None, "medium"),
    ("idea", "Put a 'where to find it' QR code on the aisle ends that opens the store map.", None, "medium"),
    ("idea", "Let phone agents see the click-and-collect status without a second login.", None, "high"),
    ("idea", "A basket stand by the self-checkouts would free the bagging area.", None, "low"),
    ("idea", "Send the collection code by text as well as email.", "I can never find the email.", "medium"),
    ("praise", "Customers praised the new wider aisles near the tills.", "So much easier with a pushchair.", "low"),
    ("praise", "The returns team handled an angry customer brilliantly and calmly.", None, "low"),
    ("praise", "Web chat answers were quick; two customers said so unprompted.", "That was faster than I expected.",
     "low"),
]
# What was done about an observation, keyed by the start of its text; a generic line otherwise.
FOLLOW_UPS = {
    "Three customers asked": "Raised with the app team; store stock view is on the roadmap for spring.",
    "Several people asked where the parcel": "New signs to the parcel lockers put up by the entrance.",
    "Customers asked if we price-match": "Price-match policy card printed for every till.",
    "Older customers asked for paper": "Receipt button made larger on the self-checkout screen.",
    "Self-checkout rejects bags": "Scale threshold raised to 5 kg on all self-checkouts.",
    "Click-and-collect orders are stored": "All collection orders now kept in one bay by the service desk.",
    "Returns without a receipt": "Two team leaders per shift can now approve receipt-less returns.",
    "The handheld scanners run out": "Spare batteries now charge in the back office.",
    "Phone agents copy the order number": "Order number now copies across with one click.",
    "Oat milk sold out": "Oat milk order doubled for weekday mornings.",
    "Shelf labels for the coffee pods": "Label check added to the Monday price-change routine.",
    "Gluten-free range is split": "Gluten-free range moved into one bay in aisle 6.",
    "Send the collection code by text": "Collection codes now sent by text as well.",
}
GENERIC_FOLLOW_UP = "Discussed at the weekly store meeting; owner following up."
# The title a shift lead gave each problem's theme, keyed by the start of its text.
TITLES = {
    "Three customers asked": "App does not show this store's stock",
    "Several people asked where the parcel": "No sign to the parcel lockers",
    "Customers asked if we price-match": "Price-match answers differ",
    "Older customers asked for paper": "Paper receipt option hard to find at self-checkout",
    "Customers asked whether the bakery": "Is the bread baked in store?",
    "Self-checkout rejects bags": "Self-checkout rejects bags over 2 kg",
    "Click-and-collect orders are stored": "Click-and-collect orders kept in two places",
    "Returns without a receipt": "Receipt-less returns wait for a manager",
    "The handheld scanners run out": "Handheld scanner batteries die mid-shift",
    "Phone agents copy the order number": "Order number copied by hand between systems",
    "Delivery slots in the email": "Delivery slot emails show the wrong time zone",
    "Oat milk sold out": "Oat milk sells out by late morning",
    "Shelf labels for the coffee pods": "Coffee pod labels show an old price",
    "The own-brand kettle comes back": "Own-brand kettle lid hinge breaks",
    "Gluten-free range is split": "Gluten-free range split across aisles",
    "Put a 'where to find it' QR code": "QR store map on aisle ends",
    "Let phone agents see the click-and-collect": "Collection status for phone agents",
    "A basket stand by the self-checkouts": "Basket stand by the self-checkouts",
    "Send the collection code by text": "Collection code by text",
    "Customers praised the new wider aisles": "Wider aisles by the tills",
    "The returns team handled": "Returns team calm with an angry customer",
    "Web chat answers were quick": "Quick web chat answers",
}
THANKS = "Passed on to the team with thanks."
OWNERS = ["Store manager", "Head of Digital", "Ops team", "Customer service lead", "Category manager"]


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _is_empty(storage: Storage) -> bool:
    return storage.value("SELECT count(*) FROM people") == 0


def seed(storage: Storage, *, people: int = 60, weeks: int = 6, seed: int = 1,
         observations_per_visit: float = 0.6, now: dt.datetime | None = None,
         site_name: str = "Riverside Store") -> dict:
    """Fill an empty database with a demo store; returns counts of what was made."""
    if not _is_empty(storage):
        raise UserError("This database already has people; the demo only seeds a new or empty database.")
    rng = random.Random(seed)
    now = (now or utc_now()).replace(microsecond=0)
    tz = "Europe/London"
    settings.put(storage, "site_name", site_name, "demo")
    settings.put(storage, "timezone", tz, "demo")
    z = zone(tz)
    stamp = to_iso(now - dt.timedelta(weeks=weeks))

    def row(**values) -> dict:
        return {"id": _id(rng), "site_id": storage.site_id, "created_at": stamp, "updated_at": stamp, **values}

    person_rows, badge_rows = [], []
    used_emails: set[str] = set()
    for i in range(people):
        if i < len(SPECIAL_NAMES) and people >= 30:
            name = SPECIAL_NAMES[i]
            email_base = f"colleague{i}"
        else:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            name = f"{first} {last}"
            email_base = email_local_part(first, last)
        email = f"{email_base}@example.com"
        if email in used_emails:
            email = f"{email_base}{i}@example.com"
        used_emails.add(email)
        person = row(employee_id=f"E{10000 + i}", name=name, department=rng.choice(DEPARTMENTS),
                     email=email, photo=None, active=0 if rng.random() < 0.03 else 1)
        person_rows.append(person)
        badge_rows.append(row(person_id=person["id"], serial=1, revoked_at=None))
    task_rows = [row(title=t, description=d, area=a, minutes=m, capacity=c, active=1) for t, d, a, m, c in TASKS]

    local_now = now.astimezone(z)
    today = local_now.date()
    first_day = today - dt.timedelta(days=7 * weeks - 1)
    visits_per_day = max(1.0, people * 0.4 / 6)
    visit_rows: list[dict] = []
    assignment_rows: list[dict] = []
    observation_rows: list[dict] = []
    active_people = [p for p in person_rows if p["active"]]
    day = first_day
    while day < today:
        if day.weekday() < 6:
            count = max(0, int(rng.gauss(visits_per_day, visits_per_day * 0.2)))
            for person in rng.sample(active_people, min(count, len(active_people))):
                start = dt.datetime.combine(day, dt.time(rng.randint(8, 14), rng.choice((0, 15, 30, 45))), z)
                minutes = rng.choice((60, 90, 120, 150, 180, 240)) + rng.randint(-10, 10)
                end = start + dt.timedelta(minutes=minutes)
                _add_visit(rng, row, person, start, end, task_rows, visit_rows, assignment_rows,
                           observation_rows, observations_per_visit, done=True)
        day += dt.timedelta(days=1)
    # Right now: a few people on the floor (if the store is open) and a few who already left.
    floor = rng.sample(active_people, min(len(active_people), max(2, people // 8)))
    opening = dt.datetime.combine(today, dt.time(8), z)
    for index, person in enumerate(floor):
        if local_now <= opening + dt.timedelta(minutes=30):
            break
        start = max(opening, local_now - dt.timedelta(minutes=rng.randint(10, 200)))
        end = None if index % 3 else min(local_now, start + dt.timedelta(minutes=rng.randint(20, 60)))
        _add_visit(rng, row, person, start, end, task_rows, visit_rows, assignment_rows, observation_rows,
                   observations_per_visit * 0.5, done=end is not None)
    on_floor_ids = {v["person_id"] for v in visit_rows if v["check_in_at"] >= to_iso(opening)}
    booking_rows = []
    for person in rng.sample(active_people, min(len(active_people), max(3, people // 10))):
        for offset in (0, 1, 2):
            slot = dt.datetime.combine(today + dt.timedelta(days=offset), dt.time(rng.choice((9, 10, 13, 14))), z)
            if offset == 0 or rng.random() < 0.5:
                booking_rows.append(row(person_id=person["id"], start_at=to_iso(slot),
                                        end_at=to_iso(slot + dt.timedelta(hours=2)),
                                        task_id=rng.choice(task_rows)["id"]))
    _forget_check_outs(random.Random(seed + 1), visit_rows, assignment_rows, today, z)
    theme_rows = _triage(rng, row, observation_rows, now)
    with storage.write("create the demo"):
        for table, rows in (("people", person_rows), ("badges", badge_rows), ("tasks", task_rows),
                            ("visits", visit_rows), ("assignments", assignment_rows), ("themes", theme_rows),
                            ("observations", observation_rows), ("bookings", booking_rows)):
            audit.insert_many(storage, table, rows, "demo")
    return {"people": len(person_rows), "tasks": len(task_rows), "visits": len(visit_rows),
            "assignments": len(assignment_rows), "observations": len(observation_rows),
            "themes": len(theme_rows), "bookings": len(booking_rows), "on floor now": len(on_floor_ids)}


def _add_visit(rng, row, person, start, end, task_rows, visits, assignments, observations, rate, done):
    visit = row(person_id=person["id"], department=person["department"], check_in_at=to_iso(start),
                check_out_at=to_iso(end) if end else None, source_in="badge" if rng.random() < 0.95 else "manual",
                source_out=("badge" if end else None), auto_closed=0, departure_confirmed=0, checkout_reason=None)
    visit["created_at"] = visit["updated_at"] = visit["check_in_at"]
    visits.append(visit)
    task = None
    if rng.random() < 0.85:
        task = rng.choice(task_rows)
        assigned = start + dt.timedelta(minutes=rng.randint(2, 20))
        assignments.append(row(visit_id=visit["id"], task_id=task["id"],
                               status="done" if done else "active", assigned_at=to_iso(assigned),
                               ended_at=to_iso(end) if done else None))
    whole, fraction = divmod(rate, 1)
    for _ in range(int(whole) + (1 if rng.random() < fraction else 0)):
        category, text, quote, impact = rng.choice(OBSERVATIONS)
        written = to_iso((end or start + dt.timedelta(minutes=30)) - dt.timedelta(minutes=rng.randint(0, 5)))
        observations.append(row(visit_id=visit["id"], person_id=person["id"], task_id=task["id"] if task else None,
                                category=category, text=text, quote=quote if rng.random() < 0.7 else None,
                                impact=impact, status="new", owner=None, follow_up=None, theme_id=None,
                                created_at=written, updated_at=written))


def _forget_check_outs(rng, visits, assignments, today, z) -> None:
    """Two people on the last open day before today forgot to scan out: their visits are still
    open, and storeshift ends them at that day's closing time (a separate random stream, so the
    rest of the demo is the same as before)."""
    def day_of(visit: dict) -> dt.date:
        return from_iso(visit["check_in_at"]).astimezone(z).date()

    earlier = [v for v in visits if day_of(v) < today]
    if not earlier:
        return
    last_day = max(day_of(v) for v in earlier)
    last = [v for v in earlier if day_of(v) == last_day]
    for visit in rng.sample(last, min(2, len(last))):
        visit.update(check_out_at=None, source_out=None)
        for assignment in assignments:
            if assignment["visit_id"] == visit["id"]:
                assignment.update(status="active", ended_at=None)


def _triage(rng, row, observations, now) -> list[dict]:
    """The shift lead's triage: most problems written up before the last few days have become a
    theme with an owner and a status, stamped when it got there; the last days' notes are new,
    except those the lead put into a theme still open ("same as…")."""
    recent = now - dt.timedelta(days=4)
    by_text: dict[str, list[dict]] = {}
    for obs in sorted(observations, key=lambda o: o["created_at"]):
        by_text.setdefault(obs["text"], []).append(obs)
    themes = []
    for text, notes in by_text.items():
        opened = from_iso(notes[0]["created_at"])
        if opened >= recent or rng.random() < 0.2:
            continue  # nobody has triaged it yet
        praise = notes[0]["category"] == "praise"
        triaged = min(recent, opened + dt.timedelta(hours=rng.randint(2, 48)))
        stamps = {"triaged_at": triaged, "actioned_at": None, "closed_at": None}
        roll = rng.random()
        if praise or roll > 0.4:
            stamps["actioned_at"] = triaged + dt.timedelta(days=rng.randint(1, 16), hours=rng.randint(0, 8))
            if praise or roll > 0.75:
                stamps["closed_at"] = stamps["actioned_at"] + dt.timedelta(days=rng.randint(0, 6))
        stamps = {k: (v if v is None or v < now - dt.timedelta(hours=1) else None) for k, v in stamps.items()}
        if praise:
            stamps["actioned_at"] = None  # thanks passed on: closed, nothing to act on
        status = "closed" if stamps["closed_at"] else "actioned" if stamps["actioned_at"] else "triaged"
        last = max(v for v in stamps.values() if v is not None)
        theme = row(title=next((t for start, t in TITLES.items() if text.startswith(start)), text[:60]),
                    status=status, owner=None if praise else rng.choice(OWNERS),
                    follow_up=THANKS if praise else (_follow_up(text) if status != "triaged" else None),
                    opened_at=notes[0]["created_at"], created_at=to_iso(triaged), updated_at=to_iso(last),
                    **{k: (to_iso(v) if v else None) for k, v in stamps.items()})
        themes.append(theme)
        for obs in notes:
            if from_iso(obs["created_at"]) < recent or status == "triaged":
                obs["theme_id"] = theme["id"]
    return themes


def _follow_up(text: str) -> str:
    return next((done for start, done in FOLLOW_UPS.items() if text.startswith(start)), GENERIC_FOLLOW_UP)
