"""Stream JSON records out of files: JSON lists, JSON Lines, single documents, gzipped or not.

Lists and JSON Lines are streamed (ijson / line by line), never loaded whole;
a single JSON document (an API response page, one entity) is small and read
whole. Every record comes with its position: the line for JSON Lines, the
item number for lists. A broken record becomes a :class:`Rejected`; a broken
file (truncated gzip, cut JSON) ends that file with a :class:`Rejected` that
says where, keeping what was read before it.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import ijson
import orjson
from ijson.common import ObjectBuilder

from labscout.errors import InputError
from labscout.records import Rejected

# the deepest nesting a record may have (OpenAlex works nest about 6 levels); deeper
# items are rejected unread, and orjson refuses lines nested past 1024 levels
MAX_DEPTH = 64

JSON_SUFFIXES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz", ".gz")


def open_text(path: Path) -> IO[bytes]:
    """Open ``path`` for binary reading, transparently un-gzipping ``.gz`` files."""
    try:
        if path.name.endswith(".gz"):
            return gzip.open(path, "rb")
        return open(path, "rb", buffering=1 << 20)
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a file") from None
    except PermissionError:
        raise InputError(f"cannot read {path}: permission denied") from None


MAX_DOCUMENT_BYTES = 256 << 20  # a single JSON document (an API page) is read whole, up to this
MAX_TEXT_BYTES = 256 << 20  # a config, a .bib, a committee file: read whole, up to this


def read_text_file(
    path: str | Path, what: str = "file", *, errors: str = "strict", max_bytes: int = MAX_TEXT_BYTES
) -> str:
    """The UTF-8 text of a small input file (a BOM dropped), or :class:`InputError` saying
    why not: missing, a folder, unreadable, larger than ``max_bytes`` (``/dev/zero``
    too), or not UTF-8 (unless ``errors="replace"``)."""
    p = Path(path)
    if p.is_dir():
        raise InputError(f"cannot read {what} {p}: it is a folder, not a file")
    try:
        with open(p, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(f"cannot read {what} {p}: no such file") from None
    except OSError as exc:
        raise InputError(f"cannot read {what} {p}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(
            f"the {what} {p} is larger than {max_bytes >> 20} MB",
            hint="Check the path: this input is read whole and is normally small.",
        )
    try:
        text = data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the {what} {p} is not UTF-8 text (byte {data[exc.start]:#04x} at {exc.start:,})",
            hint="Save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`).",
        ) from None
    return text.removeprefix("\ufeff")


def write_text_file(path: str | Path, text: str, what: str = "output") -> None:
    """Write ``text`` (UTF-8) to ``path``, or :class:`InputError` saying why it cannot be."""
    p = Path(path)
    try:
        p.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"cannot write the {what} {p}: {exc.strerror or exc}",
            hint="Pass -o with a writable file path (its folder must exist).",
        ) from None


def expand_paths(paths: list[str | Path], suffixes: tuple[str, ...] = JSON_SUFFIXES) -> list[Path]:
    """Files named directly, plus files under named folders with one of ``suffixes``, sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file() and f.name.endswith(suffixes) and "manifest" not in f.name
            )
            out.extend(found)
        elif p.exists():
            out.append(p)
        else:
            raise InputError(f"no such file or folder: {p}")
    return out


_BROKEN = (EOFError, OSError, zlib.error, ijson.JSONError, ValueError)


def iter_json_records(path: Path, skip: int = 0) -> Iterator[tuple[int, Any] | Rejected]:
    """Yield ``(position, record)`` for each record in ``path`` after the first ``skip``.

    Positions are 1-based line numbers (JSON Lines) or item numbers (lists).
    """
    with open_text(path) as fh:
        try:
            head = _peek(fh)
        except _BROKEN as exc:
            yield Rejected(str(path), None, f"unreadable file: {_why(exc)}")
            return
        if head == b"[" and _stray_bracket(path):
            # "[" alone on line 1, then one object per line: JSON Lines behind a broken
            # first line (each line read on its own), not a list that breaks at item 2
            yield from _iter_lines_or_document(path, fh, skip)
        elif head == b"[":
            yield from _iter_list(path, fh, skip)
        elif head == b"":
            return
        else:  # JSON Lines (whose first line may be broken) or one document
            yield from _iter_lines_or_document(path, fh, skip)


def _why(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, EOFError | zlib.error) or "gzip" in text.lower() or "crc" in text.lower():
        return f"truncated or corrupt gzip ({text})"
    return text


def _peek(fh: IO[bytes]) -> bytes:
    buf = fh.peek(64) if hasattr(fh, "peek") else b""
    stripped = buf.lstrip()
    if not stripped and buf:
        # all whitespace in the peeked window: read on
        data = fh.read(4096).lstrip()
        if not data:
            return b""
        raise ValueError("leading whitespace too long")
    if stripped.startswith(b"\xef\xbb\xbf"):
        stripped = stripped[3:]
    return stripped[:1]


_OPEN = frozenset(("start_map", "start_array"))
_CLOSE = frozenset(("end_map", "end_array"))


def _iter_list(path: Path, fh: IO[bytes], skip: int) -> Iterator[tuple[int, Any] | Rejected]:
    """The items of a JSON list, built from ijson's events (no prefixes, which grow with
    the depth): an item nested deeper than :data:`MAX_DEPTH` is rejected, not built."""
    n = 0
    depth = 0
    builder: ObjectBuilder | None = None
    too_deep = False
    try:
        # not use_float=True: the C parser then refuses an integer past 64 bits or a
        # float past double range and cannot go on; this way every value parses and the
        # record checks reject what is out of range, item by item
        events = ijson.basic_parse(fh)
        next(events)  # the list's start_array
        for event, value in events:
            if type(value) is Decimal:
                value = float(value)  # 1e999 -> inf, rejected by the record checks
            if depth == 0:
                if event == "end_array":
                    return
                n += 1
                if event not in _OPEN:  # a scalar item
                    if n > skip:
                        yield n, value
                    continue
                builder = ObjectBuilder() if n > skip else None
                too_deep = False
            if event in _OPEN:
                depth += 1
                if depth > MAX_DEPTH:
                    too_deep, builder = True, None
            elif event in _CLOSE:
                depth -= 1
            if builder is not None:
                builder.event(event, value)
            if depth == 0 and n > skip:
                if too_deep:
                    yield Rejected(str(path), n, f"item nested deeper than {MAX_DEPTH} levels")
                elif builder is not None:
                    yield n, builder.value
                builder = None
    except _BROKEN as exc:
        yield Rejected(str(path), n + 1, f"file ends early at item {n + 1}: {_why(exc)}")


def _iter_lines_or_document(
    path: Path, fh: IO[bytes], skip: int
) -> Iterator[tuple[int, Any] | Rejected]:
    lineno = 0
    try:
        first = fh.readline()
        try:
            first_obj = orjson.loads(first)
        except orjson.JSONDecodeError as first_error:
            second = fh.readline()
            if _is_object(second):  # JSON Lines whose first line is broken: that line only
                lineno = 2
                if skip < 1 and first.strip():  # a blank first line is no record
                    yield Rejected(str(path), 1, f"malformed JSON line: {first_error}")
                if skip < 2:
                    yield 2, orjson.loads(second)
            else:
                # a pretty-printed single document (an API page, one entity), or lines
                rest = fh.read(MAX_DOCUMENT_BYTES)
                if fh.read(1):
                    yield Rejected(
                        str(path), None, "not JSON: neither JSON Lines nor one JSON document"
                    )
                    return
                yield from _document(path, first + second + rest, skip)
                return
        else:
            lineno = 1
            if skip < 1:
                yield 1, first_obj
        loads = orjson.loads
        for line in fh:
            lineno += 1
            if lineno <= skip or (line[:1].isspace() and not line.strip()):
                continue
            try:
                yield lineno, loads(line)
            except orjson.JSONDecodeError as exc:
                yield Rejected(str(path), lineno, f"malformed JSON line: {exc}")
    except _BROKEN as exc:
        yield Rejected(str(path), lineno + 1, f"file ends early after line {lineno}: {_why(exc)}")


def _stray_bracket(path: Path) -> bool:
    """Whether the file starts with a line holding only ``[`` followed by a line that is
    one whole JSON object and then by something other than the list's closing ``]`` (in
    a list written one item per line, every item but the last ends in a comma).

    Read through a second handle, so the decision does not depend on how much a
    (gzip) reader happens to buffer; a second line longer than :data:`MAX_LINE_BYTES`
    is not looked at (the file is then read as a list, as any other)."""
    try:
        with open_text(path) as fh:
            if fh.readline(64).strip().lstrip(b"\xef\xbb\xbf") != b"[":
                return False
            second = fh.readline(MAX_LINE_BYTES)
            if not second.endswith(b"\n") or not _is_object(second):
                return False
            return not fh.read(4096).lstrip().startswith(b"]")
    except (*_BROKEN, InputError):
        return False  # the list reader reports what is wrong with the file


MAX_LINE_BYTES = 64 << 20
"""The longest second line :func:`_stray_bracket` reads to tell JSON Lines behind a stray
``[`` from a list."""


def _is_object(line: bytes) -> bool:
    if not line.lstrip().startswith(b"{"):
        return False
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


def _document(path: Path, data: bytes, skip: int) -> Iterator[tuple[int, Any] | Rejected]:
    """One JSON document (an API response page's ``results``, or one record); when it is not
    one, the lines that are JSON objects, each malformed line rejected."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        lines = data.splitlines()
        if not any(_is_object(line) for line in lines):
            yield Rejected(str(path), None, f"not JSON (neither JSON Lines nor a document): {exc}")
            return
        for n, line in enumerate(lines, start=1):
            if n <= skip or not line.strip():
                continue
            try:
                yield n, orjson.loads(line)
            except orjson.JSONDecodeError as line_error:
                yield Rejected(str(path), n, f"malformed JSON line: {line_error}")
        return
    if isinstance(doc, dict) and isinstance(doc.get("results"), list):
        for n, item in enumerate(doc["results"], start=1):  # an API response page
            if n > skip:
                yield n, item
    elif skip < 1:
        yield 1, doc


def iter_text_lines(path: Path) -> Iterator[str]:
    with open_text(path) as fh:
        yield from io.TextIOWrapper(fh, encoding="utf-8")
