"""Reading CSV files people make in spreadsheets: any header case, BOM, ';' or ',', CRLF,
with every unreadable line reported by its number instead of failing the whole file."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UserError
from ..i18n import _, format_number, ngettext

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_CELL_CHARS = 10_000
csv.field_size_limit(MAX_FILE_BYTES)


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class CsvRows:
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import did (or, before it is applied, would do)."""
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)
    applied: bool = False

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
        parts = [added, _("{count} updated").format(count=format_number(self.updated)),
                 _("{count} unchanged").format(count=format_number(self.unchanged))]
        if self.errors:
            parts.append(ngettext("{count} bad line skipped", "{count} bad lines skipped", len(self.errors))
                         .format(count=format_number(len(self.errors))))
        return ", ".join(parts)


class CsvRefused(UserError):
    """The file has bad lines and nothing was imported."""

    def __init__(self, source: str, errors: list[LineError]):
        self.errors = errors
        listed = "; ".join(str(e) for e in errors[:20])
        more = f"; and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"Nothing was imported from {source}: {len(errors)} bad "
                         f"line{'s' if len(errors) != 1 else ''} ({listed}{more}). "
                         "Fix them, or import only the good lines (--skip-invalid).")


def _decode_lines(data: bytes) -> tuple[list[str], list[LineError]]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines, errors = [], []
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            errors.append(LineError(number, "is not UTF-8 text (save the file as 'CSV UTF-8')"))
            text = ""
        if "\x00" in text:
            errors.append(LineError(number, "contains a NUL character"))
            text = ""
        lines.append(text if text else "\n")
    return lines, errors


def read_csv(source: str | Path | bytes, required: tuple[str, ...], known: tuple[str, ...]) -> CsvRows:
    """Rows as {lower-case header: trimmed value}, keyed by their line number in the file."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise UserError(f"{path.name} is larger than 50 MB; split it into smaller files.")
            data = path.read_bytes()
        except FileNotFoundError:
            raise UserError(f"There is no file {path}.") from None
        except IsADirectoryError:
            raise UserError(f"{path} is a folder, not a CSV file.") from None
        except OSError as exc:
            raise UserError(f"Cannot read {path}: {exc.strerror}.") from None
    else:
        data = source
    lines, errors = _decode_lines(data)
    result = CsvRows(errors=errors)
    header_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        if errors:  # every line was unreadable, e.g. a UTF-16 file: say why rather than "empty"
            raise UserError(f"Nothing could be read from the file: line {errors[0].line} {errors[0].reason}.")
        raise UserError("The file is empty: it needs a header line such as 'name,department,email'.")
    header_line = lines[header_index]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    # strict: a quote that is never closed is an error, not the rest of the file read as one value.
    reader = csv.reader(io.StringIO("".join(lines)), delimiter=delimiter, strict=True)
    try:
        for _ in range(header_index + 1):
            headers = next(reader)
    except csv.Error as exc:
        raise UserError(f"The header line cannot be read: {exc}.") from None
    headers = [h.strip().lstrip("\ufeff").lower().replace(" ", "_") for h in headers]
    result.headers = headers
    missing = [name for name in required if name not in headers]
    if missing:
        raise UserError(f"The header line has no column {', '.join(repr(m) for m in missing)} "
                        f"(it has: {', '.join(h for h in headers if h) or 'nothing'}).")
    bad_lines = {e.line for e in errors}
    while True:
        try:
            start = reader.line_num + 1
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "end of data" in str(exc):
                errors.append(LineError(start, "opens a quote (\") that is never closed"))
                break
            errors.append(LineError(start, f"cannot be read ({exc})"))
            continue
        if start in bad_lines or not any(v.strip() for v in values):
            continue
        if len(values) > len(headers):
            errors.append(LineError(start, f"has {len(values)} values but the header has {len(headers)} "
                                           "(a value with a comma needs quotes)"))
            continue
        row = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(headers) if h in known}
        too_long = [h for h, v in row.items() if len(v) > MAX_CELL_CHARS]
        if too_long:
            errors.append(LineError(start, f"{too_long[0]} is longer than {MAX_CELL_CHARS:,} characters"))
            continue
        controls = [h for h, v in row.items() if any(ord(c) < 32 and c not in "\t\n" for c in v)]
        if controls:
            errors.append(LineError(start, f"{controls[0]} contains control characters"))
            continue
        result.rows.append((start, row))
    result.errors.sort(key=lambda e: e.line)
    return result


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
