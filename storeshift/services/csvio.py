"""Reading CSV files people make in spreadsheets and HR systems: header names in English, French
and German (or mapped by hand), the delimiter and encoding detected, CRLF, with every unreadable
line reported by its number instead of failing the whole file."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import UserError
from ..i18n import N_, _, format_number, ngettext

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_CELL_CHARS = 10_000
csv.field_size_limit(MAX_FILE_BYTES)

#: The delimiters spreadsheets and HR systems write: Excel in France or Germany saves ';'.
DELIMITERS = ",;\t|"
# The encodings a spreadsheet in an English, French or German office saves CSV in, for the
# detector to choose among when the file is not UTF-8 (a wider choice finds Cyrillic or Thai
# in a short Windows-1252 file).
ENCODINGS = ["utf_8", "utf_16", "utf_32", "cp1252", "iso8859_15", "cp850", "mac_roman"]
# not translated: the encodings' own names, as spreadsheets list them
ENCODING_NAMES = {"utf_8": "UTF-8", "utf_16": "UTF-16", "utf_32": "UTF-32", "cp1252": "Windows-1252",
                  "iso8859_15": "ISO-8859-15", "cp850": "DOS (code page 850)", "mac_roman": "Mac Roman"}
UTF8 = ENCODING_NAMES["utf_8"]
# A line with more values than the header: the separator in a value needs quotes.
_TOO_MANY_VALUES = {
    ",": N_("has {count} values but the header has {columns} (a value with a comma needs quotes)"),
    ";": N_("has {count} values but the header has {columns} (a value with a semicolon needs quotes)"),
    "\t": N_("has {count} values but the header has {columns} (a value with a tab needs quotes)"),
    "|": N_("has {count} values but the header has {columns} (a value with a bar (|) needs quotes)"),
}
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def header_key(text: str) -> str:
    """A header as compared: 'Prénom', 'PRENOM' and 'pré-nom' are one; so are 'E-Mail' and 'email'."""
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss")).casefold()
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str

    def __str__(self) -> str:
        return _("line {line}: {reason}").format(line=format_number(self.line), reason=self.reason)


@dataclass
class CsvRows:
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    #: The header line as written in the file.
    headers: list[str] = field(default_factory=list)
    #: Which column of the file each field was read from: {field: header as written}.
    columns: dict[str, str] = field(default_factory=dict)
    #: Columns the import does not use, as written in the file.
    ignored: list[str] = field(default_factory=list)
    encoding: str = UTF8
    delimiter: str = ","


@dataclass
class ImportReport:
    """What an import did (or, before it is applied, would do)."""
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)
    applied: bool = False
    columns: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, table: CsvRows) -> ImportReport:
        return cls(errors=list(table.errors), columns=dict(table.columns), ignored=list(table.ignored))

    def summary(self, kind: str) -> str:
        """'3 people added, 1 updated, 0 unchanged' (kind: people, tasks, bookings or observations)."""
        count = format_number(self.added)
        if kind == "people":
            added = ngettext("{count} person added", "{count} people added", self.added).format(count=count)
        elif kind == "tasks":
            added = ngettext("{count} task added", "{count} tasks added", self.added).format(count=count)
        elif kind == "observations":
            added = ngettext("{count} observation added", "{count} observations added", self.added).format(
                count=count)
        else:
            added = ngettext("{count} booking added", "{count} bookings added", self.added).format(count=count)
        parts = [added, ngettext("{count} updated", "{count} updated", self.updated).format(
                     count=format_number(self.updated)),
                 ngettext("{count} unchanged", "{count} unchanged", self.unchanged).format(
                     count=format_number(self.unchanged))]
        if self.errors:
            parts.append(ngettext("{count} bad line skipped", "{count} bad lines skipped", len(self.errors))
                         .format(count=format_number(len(self.errors))))
        text = ", ".join(parts)
        if self.ignored:
            # Said every time: a column dropped without a word is how emails went missing.
            text = ngettext("{summary}; column not imported: {columns}", "{summary}; columns not imported: {columns}",
                            len(self.ignored)).format(summary=text, columns=", ".join(self.ignored))
        return text


class MissingColumn(UserError):
    """The header line has no column for a required field; headers lists what it has (a window
    offers them to choose from). problem is the sentence without the command line's hint."""

    def __init__(self, message: str, headers: list[str], problem: str | None = None):
        super().__init__(message)
        self.headers = headers
        self.problem = problem or message


class CsvRefused(UserError):
    """The file has bad lines and nothing was imported."""

    def __init__(self, source: str, errors: list[LineError]):
        self.errors = errors
        listed = "; ".join(str(e) for e in errors[:20])
        if len(errors) > 20:
            listed = _("{lines}; and {count} more").format(lines=listed, count=format_number(len(errors) - 20))
        super().__init__(ngettext(
            "Nothing was imported from {file}: {count} bad line ({lines}). Fix it, or import only the good "
            "lines (--skip-invalid).",
            "Nothing was imported from {file}: {count} bad lines ({lines}). Fix them, or import only the good "
            "lines (--skip-invalid).", len(errors)).format(file=source, count=format_number(len(errors)), lines=listed))


def parse_mapping(text: str) -> dict[str, str]:
    """'name="Full Name",email="Work Email"' (the --map option) as {field: column}."""
    mapping: dict[str, str] = {}
    try:
        pairs = next(csv.reader([text], skipinitialspace=True))
    except (csv.Error, StopIteration):
        pairs = []
    for pair in pairs:
        fieldname, sep, column = pair.partition("=")
        column = column.strip().strip('"').strip("'").strip()
        if not sep or not fieldname.strip() or not column:
            raise UserError(_("'{text}' is not a column mapping such as name=\"Full Name\".").format(text=pair))
        mapping[fieldname.strip().lower().replace(" ", "_")] = column
    if not mapping:
        raise UserError(_("The column mapping is empty; write it as name=\"Full Name\",email=\"Work Email\"."))
    return mapping


def _utf8_lines(data: bytes) -> tuple[list[str], list[LineError]]:
    lines, errors = [], []
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            errors.append(LineError(number, _("is not UTF-8 text (save the file as 'CSV UTF-8')")))
            lines.append("")
    return lines, errors


def _is_utf8_with_bad_lines(lines: list[str]) -> bool:
    """Some lines hold UTF-8 letters beyond ASCII: the file is UTF-8 and its other lines are damaged
    (read in another encoding they would turn its good accents into nonsense)."""
    return any(not line.isascii() for line in lines)


def _decode(data: bytes) -> tuple[list[str], list[LineError], str]:
    """The file's lines, the lines that cannot be read, and the encoding's name."""
    if data.startswith(b"\xef\xbb\xbf"):
        lines, errors = _utf8_lines(data[3:])
        encoding = UTF8
    else:
        lines, errors = _utf8_lines(data)
        encoding = UTF8
        if errors and not _is_utf8_with_bad_lines(lines):
            from charset_normalizer import from_bytes

            best = from_bytes(data, cp_isolation=ENCODINGS).best()
            if best is not None:
                text = str(best).lstrip("\ufeff")
                lines, errors = _LINE.findall(text), []
                encoding = ENCODING_NAMES.get(best.encoding, best.encoding)
    cleaned = []
    for number, text in enumerate(lines, start=1):
        if "\x00" in text:
            errors.append(LineError(number, _("contains a NUL character")))
            text = ""
        cleaned.append(text if text else "\n")
    return cleaned, errors, encoding


def _delimiter(lines: list[str], header_line: str) -> str:
    """csv.Sniffer on the first lines, among the delimiters spreadsheets write; the header line's
    most frequent one when the sample is too small or too odd for it."""
    sample = "".join(line for line in lines[:50] if line.strip())
    try:
        found = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
        if found in DELIMITERS and found in header_line:
            return found
    except csv.Error:
        pass
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_source(source: str | Path | bytes) -> bytes:
    if not isinstance(source, (str, Path)):
        return source
    path = Path(source)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UserError(_("{file} is larger than 50 MB; split it into smaller files.").format(file=path.name))
        return path.read_bytes()
    except FileNotFoundError:
        raise UserError(_("There is no file {file}.").format(file=path)) from None
    except IsADirectoryError:
        raise UserError(_("{file} is a folder, not a CSV file.").format(file=path)) from None
    except OSError as exc:
        raise UserError(_("Cannot read {file}: {reason}.").format(file=path, reason=exc.strerror)) from None


def match_columns(headers: list[str], known: tuple[str, ...], aliases: dict[str, tuple[str, ...]],
                  mapping: dict[str, str | None] | None) -> dict[str, int]:
    """{field: column index}: mapped by hand first, then by name or a usual variant of it. Where two
    columns fit one field, the better-known name wins (a field's aliases are listed best first).
    A field mapped to None is not read at all."""
    keys = [header_key(h) for h in headers]
    chosen: dict[str, int] = {}
    for fieldname, column in (mapping or {}).items():
        if fieldname not in known:
            raise UserError(_("There is no field '{field}' to map a column to (the fields are: {fields}).")
                            .format(field=fieldname, fields=", ".join(known)))
        if column is None:
            continue
        wanted = header_key(column)
        if wanted not in keys:
            raise UserError(_("The file has no column '{column}' to read {field} from (it has: {columns}).")
                            .format(column=column, field=fieldname, columns=_listed(headers)))
        chosen[fieldname] = keys.index(wanted)
    taken = set(chosen.values())
    for fieldname in known:
        if fieldname in chosen or fieldname in (mapping or {}):
            continue
        for alias in (fieldname, *aliases.get(fieldname, ())):
            index = next((i for i, k in enumerate(keys) if k == header_key(alias) and i not in taken), None)
            if index is not None:
                chosen[fieldname] = index
                taken.add(index)
                break
    return chosen


def read_csv(source: str | Path | bytes, required: tuple[str | tuple[str, ...], ...], known: tuple[str, ...],
             aliases: dict[str, tuple[str, ...]] | None = None, mapping: dict[str, str] | None = None,
             adjust: Callable[[dict[str, int], list[str], dict[str, str]], dict[str, int]] | None = None) -> CsvRows:
    """Rows as {field: trimmed value}, keyed by their line number in the file.

    required lists fields the header must have (a tuple: any one of them); aliases gives each
    field's other usual header names (a file read with aliases may also be mapped by hand with
    --map, so a missing column's sentence says how); mapping ({field: column}) names columns; adjust
    may rearrange the matched columns (e.g. a French 'Nom' beside 'Prénom' is the family name)."""
    lines, errors, encoding = _decode(_read_source(source))
    result = CsvRows(errors=errors, encoding=encoding)
    header_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        if errors:  # every line was unreadable: say why rather than "empty"
            raise UserError(_("Nothing could be read from the file: {problem}.").format(problem=errors[0]))
        raise UserError(_("The file is empty: it needs a header line such as 'name,department,email'."))
    if errors and errors[0].line < header_index + 1 or any(
            ord(c) < 32 and c not in "\t\r\n" for c in lines[header_index]):
        raise UserError(_("This is not a CSV text file: its first lines cannot be read as text. "
                          "Save the spreadsheet as 'CSV UTF-8' and import that file."))
    delimiter = _delimiter(lines[header_index:], lines[header_index])
    result.delimiter = delimiter
    # strict: a quote that is never closed is an error, not the rest of the file read as one value.
    reader = csv.reader(io.StringIO("".join(lines)), delimiter=delimiter, strict=True)
    try:
        for _line in range(header_index + 1):
            headers = next(reader)
    except csv.Error as exc:
        raise UserError(_("The header line cannot be read: {reason}.").format(reason=exc)) from None
    headers = [h.strip().lstrip("\ufeff").strip() for h in headers]
    result.headers = headers
    chosen = match_columns(headers, known, aliases or {}, mapping)
    if adjust is not None:
        chosen = adjust(chosen, headers, mapping or {})
    for need in required:
        options = (need,) if isinstance(need, str) else need
        if not any(o in chosen for o in options):
            problem = _("The header line has no column '{field}' (it has: {columns}).").format(
                field=options[0], columns=_listed(headers))
            if aliases is None:  # files whose columns have one name each: no --map to offer
                raise MissingColumn(problem, headers)
            hint = _("Say which column holds it, e.g. --map {field}=\"{column}\".").format(
                field=options[0], column=_example(headers))
            raise MissingColumn(f"{problem} {hint}", headers, problem)
    result.columns = {f: headers[i] for f, i in sorted(chosen.items(), key=lambda item: item[1])}
    result.ignored = [h for i, h in enumerate(headers) if h and i not in chosen.values()]
    bad_lines = {e.line for e in errors}
    while True:
        try:
            start = reader.line_num + 1
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "end of data" in str(exc):
                errors.append(LineError(start, _("opens a quote (\") that is never closed")))
                break
            errors.append(LineError(start, _("cannot be read ({reason})").format(reason=exc)))
            continue
        if start in bad_lines or not any(v.strip() for v in values):
            continue
        if len(values) > len(headers):
            errors.append(LineError(start, _(_TOO_MANY_VALUES[delimiter]).format(
                count=format_number(len(values)), columns=format_number(len(headers)))))
            continue
        row = {f: (values[i].strip() if i < len(values) else "") for f, i in chosen.items()}
        too_long = [f for f, v in row.items() if len(v) > MAX_CELL_CHARS]
        if too_long:
            errors.append(LineError(start, _("'{column}' is longer than {limit} characters").format(
                column=headers[chosen[too_long[0]]], limit=format_number(MAX_CELL_CHARS))))
            continue
        controls = [f for f, v in row.items() if any(ord(c) < 32 and c not in "\t\n" for c in v)]
        if controls:
            errors.append(LineError(start, _("'{column}' contains control characters").format(
                column=headers[chosen[controls[0]]])))
            continue
        result.rows.append((start, row))
    result.errors.sort(key=lambda e: e.line)
    return result


def _example(headers: list[str]) -> str:
    return next((h for h in headers if h), _("Column"))


def _listed(headers: list[str]) -> str:
    """The file's column names for a sentence, or 'nothing'."""
    return ", ".join(h for h in headers if h.strip()) or _("nothing")


def spreadsheet_safe(value: object) -> str:
    """A cell a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def write_csv(path: Path, headers: list[str], rows: list[list[object]]) -> None:
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows([[spreadsheet_safe(v) for v in row] for row in rows])
