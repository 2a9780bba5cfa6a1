"""Every message a person reads is in the catalogues, translated into every shipped language,
with the same placeholders, compiled, and never left as a bare English literal in the code."""

from __future__ import annotations

import ast
import gettext
import io
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from storeshift import i18n

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "storeshift"
LANGUAGES = [code for code in i18n.available() if code != i18n.SOURCE_LANGUAGE]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}  # as tools/i18n.py extracts

# Modules whose text reaches nobody in a store, English on purpose.
ENGLISH_ON_PURPOSE = {
    "storeshift/selftest.py": "the self-test's report is read by support, in English",
    "storeshift/i18n.py": "the translation machinery itself",
    "storeshift/ui/language.py": "log lines only",
    "storeshift/reports/fonts.py": "font names",
    "storeshift/storage/schema.py": "SQL",
    "storeshift/services/demo.py": "the demo store's sample data, as if typed by its people",
    "storeshift/services/grouping.py": "letters that tell languages apart, and a model's warm-up input",
    "storeshift/storage/audit.py": "the integrity check's findings, read by support ('storeshift check')",
}
# Modules not yet taken through the catalogue. Each one must leave this list; the test below
# also fails when a module on it no longer has anything to mark.
NOT_YET_MARKED: set[str] = set()


# --- the catalogues ------------------------------------------------------------------------

def source_messages() -> dict:
    """{msgid or (singular, plural) or (context, msgid): first place found} from the code."""
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS):
        key = message if context is None else (context, message)
        found.setdefault(key, f"storeshift/{filename}:{lineno}")
    return found


def catalogue(language: str):
    with (PACKAGE / "locale" / language / "LC_MESSAGES" / "storeshift.po").open("rb") as handle:
        return read_po(handle, locale=language)


def key_of(message) -> object:
    return message.id if message.context is None else (message.context, message.id)


def fields(text: str) -> set[str]:
    names = set()
    for _literal, name, _spec, _conversion in string.Formatter().parse(text):
        if name is not None:
            names.add(re.split(r"[.\[]", name)[0])
    return names


def test_there_are_languages_besides_english():
    assert {"fr", "de"} <= set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_in_the_code_is_translated(language):
    wanted = source_messages()
    assert len(wanted) > 10
    messages = {key_of(m): m for m in catalogue(language) if m.id}
    missing = [f"{place}: {key!r}" for key, place in wanted.items() if key not in messages]
    untranslated = [f"{wanted[key]}: {key!r}" for key, m in messages.items() if key in wanted and (
        m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))]
    stale = [repr(key) for key in messages if key not in wanted]
    assert not missing, (f"{len(missing)} messages are not in the {language} catalogue "
                         "(run `python tools/i18n.py update`, then translate):\n" + "\n".join(missing))
    assert not untranslated, (f"{len(untranslated)} messages are untranslated or fuzzy in {language}:\n"
                              + "\n".join(untranslated))
    assert not stale, f"the {language} catalogue has messages the code no longer uses:\n" + "\n".join(stale)


def test_the_template_is_up_to_date():
    with (PACKAGE / "locale" / "storeshift.pot").open("rb") as handle:
        template = {key_of(m) for m in read_po(handle) if m.id}
    assert template == set(source_messages()), "run `python tools/i18n.py update`"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language):
    wrong = []
    for message in catalogue(language):
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            allowed = fields(message.id[0]) | fields(message.id[1])
            # A form may leave the number out ('one visit'), never bring a name the code lacks.
            wrong += [f"{message.id!r} -> {form!r}" for form in message.string if not fields(form) <= allowed]
        elif fields(message.string) != fields(message.id):
            wrong.append(f"{message.id!r} -> {message.string!r}")
    assert not wrong, "translations whose {placeholders} differ from the English:\n" + "\n".join(wrong)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_the_po_file(language):
    compiled = PACKAGE / "locale" / language / "LC_MESSAGES" / "storeshift.mo"
    fresh = io.BytesIO()
    write_mo(fresh, catalogue(language))
    fresh.seek(0)
    with compiled.open("rb") as handle:
        shipped = gettext.GNUTranslations(handle)
    assert shipped._catalog == gettext.GNUTranslations(fresh)._catalog, (
        f"{compiled.name} for {language} is older than its .po: run `python tools/i18n.py compile`")


# --- no bare English in the code -----------------------------------------------------------
# Two checks, both on the syntax tree. First, text handed to a call that shows it (a label, a
# banner, an error, a line of a PDF) must come from the catalogue. Second, any other literal that
# reads like words for people ('Name', 'No task yet', f'Booked {when}') must too, unless it is
# handed to a call that is plainly technical (SQL, logging, object names, settings keys).

# Calls whose text argument a person reads: name -> positions of the text (None: all positions).
TEXT_CALLS = {
    # Qt widgets and dialogs
    "QLabel": (0,), "QPushButton": (0,), "QCheckBox": (0,), "QRadioButton": (0,), "QGroupBox": (0,),
    "QAction": (0,), "QToolButton": (0,), "QTableWidgetItem": (0,), "QListWidgetItem": (0,),
    "setText": (0,), "setWindowTitle": (0,), "setPlaceholderText": (0,), "setToolTip": (0,),
    "setStatusTip": (0,), "setWhatsThis": (0,), "setTitle": (0,), "setLabelText": (0,),
    "setInformativeText": (0,), "setDetailedText": (0,), "setSuffix": (0,), "setPrefix": (0,),
    "setSpecialValueText": (0,), "setAccessibleName": (0,), "showMessage": (0,), "setHtml": (0,),
    "addTab": (1,), "insertTab": (2,), "setTabText": (1,), "addItem": (0,), "insertItem": (1,),
    "setItemText": (1,), "addRow": (0,), "addAction": (0,), "addMenu": (0,),
    "setHeaderLabels": None, "setHorizontalHeaderLabels": None,
    "information": (1, 2), "warning": (1, 2), "critical": (1, 2), "question": (1, 2),
    "getOpenFileName": (1, 3), "getOpenFileNames": (1, 3), "getSaveFileName": (1, 3),
    "getExistingDirectory": (1,), "getText": (1, 2), "getItem": (1, 2),
    # storeshift's own ways of telling someone something
    "tell": (0,), "banner": (0,), "show_message": (0,), "show_error": (0,), "show_banner": (0,),
    "echo": (0,), "secho": (0,), "Fail": (0,), "ClickException": (0,), "BadParameter": (0,),
    "UsageError": (0,), "UserError": (0,), "NotFound": (0,), "Refused": (0,), "DatabaseBusy": (0,),
    "DiskFull": (0,), "ReadOnlyDatabase": (0,), "DamagedDatabase": (0,), "ScanResult": (1,),
    "LineError": (1,),  # why a line of a CSV file cannot be imported
    # PDFs
    "Paragraph": (0,), "para": (0,), "draw": (3,), "String": (2,),
    # what could not be done, when the database refuses (storage.db.translate)
    "translate": (1,),
}
TEXT_KEYWORDS = {"text", "title", "message", "caption", "label", "empty_note"}
TRANSLATORS = {"_", "ngettext", "pgettext", "npgettext", "_l", "N_", "gettext"}
# Calls whose string arguments are for the program, not for people.
TECHNICAL_CALLS = {
    "setObjectName", "setProperty", "property", "setStyleSheet", "setDisplayFormat", "toString", "fromString",
    "debug", "info", "warning", "error", "exception", "critical", "log", "getLogger",
    "execute", "executemany", "executescript", "rows", "one", "value", "table", "create_index", "insert",
    "update", "upsert", "get", "put", "setdefault", "pop", "getenv", "QSettings", "setValue",
    "compile", "match", "search", "sub", "fullmatch", "findall", "split", "startswith", "endswith",
    "replace", "strip", "encode", "decode", "strftime", "strptime", "fromisoformat", "format_skeleton",
    "format_date", "local_date",
    "connect", "Signal", "Slot", "command", "group", "option", "argument", "Choice", "Path", "open",
    "resource", "QKeySequence", "addLiteral", "TTFont", "registerFont", "ParagraphStyle", "setFont",
    "ValueError", "TypeError", "RuntimeError", "KeyError", "AssertionError", "NotImplementedError",
    "AttributeError", "OSError", "LookupError", "namedtuple", "Setting", "write", "getattr", "hasattr",
    "setattr", "isinstance", "mkstemp", "NamedTemporaryFile", "TemporaryDirectory", "QColor",
    "QFont", "setFamily", "setFamilies", "fromTheme", "Migrations", "migration", "sqlite3", "hexdigest",
    "QIcon", "QPixmap", "QImage", "QUrl", "fromLocalFile", "QFileInfo", "QCoreApplication", "QApplication",
    "setApplicationName", "setOrganizationName", "setApplicationDisplayName", "setDesktopFileName",
    "addLibraryPath", "setAttribute", "HexColor", "which", "run", "Popen", "check_output", "environ",
}
# Arguments whose strings are stored data, not messages.
DATA_ARGUMENTS = {"actor", "site_name"}
_MARKUP = re.compile(r"<[^>]*>|&\w+;|\{[^}]*\}|%\(\w+\)\w")


def _words(text: str) -> bool:
    """Does this piece of literal text hold words (two letters in a row) once markup is gone?"""
    return re.search(r"[^\W\d_]{2}", _MARKUP.sub(" ", text)) is not None


def _prose(text: str) -> bool:
    """Literal text that reads as words for people, not a key, a name in code, SQL or a colour."""
    value = text.strip()
    if not _words(value):
        return False
    technical = (
        r"[a-z_][A-Za-z0-9_.\-/:*]*",               # keys, identifiers (camelCase too), file patterns
        r"[A-Z][A-Z0-9_]+",                          # constants
        r"[A-Z][a-z]+(/[A-Za-z_]+)+",                 # time zones
        r"#[0-9a-fA-F]{3,8}",                        # colours
        r"(Ctrl|Alt|Shift|Meta)(\+\w+)+",              # key sequences
        r"[\w\-.*/]*\.[a-z0-9]{1,4}",                 # file names and suffixes
        r"[.\-:][\w.\-:]*",                          # suffixes and special names (.partial, -wal, :memory:)
        r"(?is)(SELECT|INSERT|UPDATE|DELETE|COPY|WITH|CREATE|PRAGMA|BEGIN|COMMIT|ROLLBACK|ALTER|DROP|AND|OR|ORDER|"
        r"GROUP|LIMIT|WHERE|FROM|JOIN|LEFT|SET|VALUES|IN|EXISTS|NOT EXISTS)\b.*",    # SQL
        r"(?s)(coalesce\(.*|[a-z_]+(\.[a-z_\[\]]+)?\s+(IN|IS|=|<|>|<=|>=|LIKE|NOT)\s.*)",  # SQL conditions
        r"[a-z_]+(, [a-z_]+)+",                      # column lists
    )
    return not any(re.fullmatch(pattern, value) for pattern in technical)


def _technical(name: str) -> bool:
    """A translator, a technical call, or an exception that is a bug report, not a sentence for people."""
    return (name in TRANSLATORS or name in TECHNICAL_CALLS
            or (name.endswith(("Error", "Exception")) and name not in TEXT_CALLS))


def _receiver(node: ast.Call) -> str:
    """'self.ctx.storage' for self.ctx.storage.write(...)."""
    return ast.unparse(node.func.value) if isinstance(node.func, ast.Attribute) else ""


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def bare_english(node: ast.AST) -> str | None:
    """The English words an expression puts on screen without the catalogue, if any."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value if _words(node.value) else None
    if isinstance(node, ast.JoinedStr):
        literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        if _words(literal):
            return literal
        return next(filter(None, (bare_english(v.value) for v in node.values
                                  if isinstance(v, ast.FormattedValue))), None)
    if isinstance(node, ast.BinOp):
        return bare_english(node.left) or bare_english(node.right)
    if isinstance(node, ast.IfExp):
        return bare_english(node.body) or bare_english(node.orelse)
    if isinstance(node, (ast.List, ast.Tuple)):
        return next(filter(None, (bare_english(e) for e in node.elts)), None)
    if isinstance(node, ast.Call):
        if _call_name(node) in TRANSLATORS:
            return None
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"):
            return bare_english(node.func.value)
    return None


def _not_for_people(tree: ast.AST) -> set[int]:
    """ids of the nodes whose strings are not text for people: docstrings, dict keys, compared
    values, subscripts, __all__, and everything inside translator and technical calls."""
    skip: set[int] = set()

    def inside(node):
        skip.update(id(sub) for sub in ast.walk(node))

    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)):
            skip.add(id(body[0].value))
        if isinstance(node, ast.Call) and _technical(_call_name(node)):
            inside(node)
        elif isinstance(node, ast.Dict):
            for key in node.keys:
                if key is not None:
                    inside(key)
        elif isinstance(node, ast.Compare):
            inside(node)
        elif isinstance(node, ast.Subscript):
            inside(node.slice)
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            inside(node.value)
        elif isinstance(node, ast.arguments):
            # actor="shift lead": who did it, as the audit log records it (data, not a message).
            positional = node.args[len(node.args) - len(node.defaults):]
            for argument, default in [*zip(positional, node.defaults), *zip(node.kwonlyargs, node.kw_defaults)]:
                if default is not None and argument.arg in DATA_ARGUMENTS:
                    inside(default)
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in DATA_ARGUMENTS:
                    inside(keyword.value)
    return skip


def untranslated_text(path: Path) -> list[str]:
    """Bare English passed to the calls above or written as words anywhere, and messages the
    extractor cannot read."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    lines = source.splitlines()
    name_of_file = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    found: list[tuple[int, int, str]] = []
    # A statement (not a block) whose line above is a comment '# not translated: why' is not for
    # people as a whole: a table of data, such as the header names HR files use.
    quiet_lines: set[int] = set()
    for statement in ast.walk(tree):
        if (isinstance(statement, ast.stmt) and not hasattr(statement, "body") and statement.lineno > 1
                and lines[statement.lineno - 2].strip().startswith("# not translated")):
            quiet_lines.update(range(statement.lineno, statement.end_lineno + 1))

    def report(node, what):
        if "# not translated" not in lines[node.lineno - 1] and node.lineno not in quiet_lines:
            found.append((node.lineno, node.col_offset, f"{name_of_file}:{node.lineno}: {what}"))

    reported: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name in ("_", "_l", "N_") and node.args and isinstance(node.args[0], (ast.JoinedStr, ast.BinOp)):
            # _(f"...") or _("a" + b) cannot be extracted: the catalogue would never have it.
            report(node, f"{name}() of a composed string; use placeholders")
        if name == "write" and _receiver(node).endswith("storage"):
            positions = (0,)  # storage.write("save the task"): the action names what failed, if it does
        elif name in TEXT_CALLS:
            positions = TEXT_CALLS[name]
        else:
            continue
        args = [arg for index, arg in enumerate(node.args) if positions is None or index in positions]
        args += [kw.value for kw in node.keywords if kw.arg in TEXT_KEYWORDS]
        for arg in args:
            words = bare_english(arg)
            if words:
                report(node, f"{name}({words.strip()[:60]!r})")
                reported.update(id(sub) for sub in ast.walk(arg))
    skip = _not_for_people(tree) | reported
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)
            if id(node) not in skip:
                literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
                if _prose(literal):
                    report(node, f"words outside the catalogue: {literal.strip()[:60]!r}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            if _prose(node.value):
                report(node, f"words outside the catalogue: {node.value.strip()[:60]!r}")
    return [problem for _line, _column, problem in sorted(found)]


def checked_modules() -> list[Path]:
    skip = set(ENGLISH_ON_PURPOSE) | NOT_YET_MARKED
    return [p for p in sorted(PACKAGE.rglob("*.py")) if p.relative_to(ROOT).as_posix() not in skip]


def test_no_bare_english_reaches_a_person():
    problems = [problem for path in checked_modules() for problem in untranslated_text(path)]
    assert not problems, ("text shown to people that is not in the catalogue (wrap it in _(), or mark a "
                          "line that is not for people with '# not translated: why'):\n" + "\n".join(problems))


def test_modules_waiting_to_be_marked_still_have_something_to_mark():
    done = [name for name in sorted(NOT_YET_MARKED)
            if (ROOT / name).exists() and not untranslated_text(ROOT / name)]
    assert not done, f"these modules have no bare English left: take them off NOT_YET_MARKED: {done}"


def test_the_check_catches_what_it_should(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        'label = QLabel("Scan your badge")\n'
        'button.setText(f"Hello {name}, welcome")\n'
        'raise UserError("Bad " + thing)\n'
        'canvas_text.draw(canvas, 1, 2, "Week", 8)\n'
        'tell(_(f"Saved {n}"))\n'
        'columns = [("name", "Name"), ("task_title", "Current task")]\n'
        'def data(row):\n'
        '    """A docstring is for developers."""\n'
        '    return row.get("task_title") or "No task yet"\n'
        'ok = QLabel(_("Scan your badge"))\n'
        'ok2 = setText(_("Hello {name}").format(name=name))\n'
        'ok3 = QLabel("✓")\n'
        'ok4 = QLabel(f"<b>{name}</b>")\n'
        'ok5 = text.draw(canvas, 1, 2, value, 8, align="right")\n'
        'ok6 = QLabel("Debug only")  # not translated: a developer\'s label\n'
        'ok7 = storage.rows("SELECT name FROM people WHERE status = \'Active\'")\n'
        'log.warning("Camera failed: %s", why)\n'
        'ok8 = {"Europe/London": "#1d6f8c"}\n'
        'raise ValueError("naive datetime: say which zone it is in")\n'
        'ok9 = widget.setObjectName("pageTitle") or CATEGORIES == "Idea"\n'
        'with self.storage.write("save the task"):\n'
        '    handle.write("name,department\\n")\n'
        '# not translated: header names as HR files write them\n'
        'ALIASES = {"name": ("Full Name",\n'
        '                    "Employee Name")}\n'
        'after = QLabel("Not quiet")\n',
        encoding="utf-8")
    found = [problem.split(": ", 1)[1] for problem in untranslated_text(sample)]
    assert found == [
        "QLabel('Scan your badge')", "setText('Hello , welcome')", "UserError('Bad')", "draw('Week')",
        "_() of a composed string; use placeholders", "words outside the catalogue: 'Name'",
        "words outside the catalogue: 'Current task'", "words outside the catalogue: 'No task yet'",
        "write('save the task')", "QLabel('Not quiet')"]


def _binds_underscore(function: ast.AST) -> bool:
    """Does this function (or lambda) make `_` a local name of its own?"""
    args = function.args
    if any(a.arg == "_" for a in [*args.args, *args.kwonlyargs, *args.posonlyargs, args.vararg, args.kwarg] if a):
        return True
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
            return True
    return False


def test_no_function_hides_the_translator_behind_a_throwaway_underscore():
    """`year, week, _ = ...` in a function that also calls _() makes _ a local there: the call
    then fails (UnboundLocalError) or calls the wrong thing."""
    clashes = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and _binds_underscore(node):
                calls = [c for c in ast.walk(node) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
                         and c.func.id == "_"]
                if calls:
                    clashes.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno}")
    assert not clashes, "rename the throwaway `_` in: " + ", ".join(clashes)
