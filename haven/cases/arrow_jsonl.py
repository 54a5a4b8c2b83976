"""JSON Lines read with the contract's schema, by pyarrow, which refuses what does not fit it.

Polars can only decode JSON with a schema in hand, and inferring one means parsing every line
once more (for 1M cases 3.5 s of 9.6 s end to end). pyarrow's reader takes the contract's
schema (haven.cases.schema.TOP, derived from the case model) and refuses, instead of guessing
at, anything else: an unknown field at any depth (also with a null value), a value of another
JSON type, a key given twice, a broken escape, a line that is not an object, invalid UTF-8, and
any layout but one object a line (pyarrow itself reads objects however they are spread over
lines). A refusal carries no message for the user: the caller then reads the file the exact way
(Polars, schema inferred over every line), which names the problem, or, where only pyarrow
minds (a repeated key, say), goes on from the case where this reader stopped.

The file is mapped, not read, and parsed 32 MB at a time, cut at line ends, so memory stays
flat.
"""

import mmap
import re
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.json as pj
from polars._typing import PolarsDataType

from haven.cases.schema import TOP

CHUNK = 32 << 20  # bytes parsed at once; measured on 1M cases: 32-128 MB all ~1.9 s
# The first piece is smaller, so that the caller's first frame comes without waiting for 32 MB
# to be parsed (an import's writing starts ~0.3 s sooner).
FIRST_CHUNK = 4 << 20
AHEAD = 8  # pieces parsed ahead of the caller (memory: AHEAD x CHUNK and their tables)
BLOCK = 4 << 20  # pyarrow parses blocks in parallel; a line longer than this is refused


class Refused(Exception):
    """The file holds something outside the contract's schema, from case `done` + 1 on."""

    def __init__(self, done: int) -> None:
        super().__init__(f"refused after {done} cases")
        self.done = done


def _arrow(dtype: PolarsDataType) -> pa.DataType:
    if dtype == pl.String:
        return pa.string()
    if dtype == pl.Boolean:
        return pa.bool_()
    if isinstance(dtype, pl.List):
        return pa.list_(_arrow(dtype.inner))
    if isinstance(dtype, pl.Struct):
        return pa.struct([(f.name, _arrow(f.dtype)) for f in dtype.fields])
    raise TypeError(f"no Arrow type for {dtype}")  # pragma: no cover - TOP uses only these


SCHEMA = pa.schema([(name, _arrow(dtype)) for name, dtype in TOP.items()])
_PARSE = pj.ParseOptions(explicit_schema=SCHEMA, unexpected_field_behavior="error")
_READ = pj.ReadOptions(block_size=BLOCK)


def batches(path: str | Path, size: int, first: int | None = None) -> Iterator[pl.DataFrame]:
    """Cases in input order, `size` a frame (`first` the first one, if given; the last may hold
    fewer), typed as TOP; raises Refused. Pieces are gathered up to `size` cases: each frame
    costs the engine a fixed ~0.08 s of planning, whatever its size. The next pieces are parsed
    in a thread while the caller works on this frame (pyarrow lets go of the GIL): 1M cases end
    to end 5.5 -> 4.6 s."""
    done = rows = 0
    want = first or size
    held: list[pa.Table] = []
    with ThreadPoolExecutor(1, thread_name_prefix="haven-jsonl") as pool:
        ahead: deque[Future[pa.Table]] = deque()
        pieces = _chunks(Path(path))
        try:
            while True:
                while len(ahead) < AHEAD and (chunk := next(pieces, None)) is not None:
                    ahead.append(pool.submit(_parse, chunk))
                if not ahead:
                    break
                try:
                    table = ahead.popleft().result()
                except (pa.ArrowException, _NotJsonLines):
                    raise Refused(done) from None
                held.append(table)
                rows += table.num_rows
                while rows >= want:
                    whole = pa.concat_tables(held)
                    yield _frame(whole.slice(0, want))
                    done += want
                    held, rows = [whole.slice(want)], rows - want
                    want = size
        finally:  # refused, or the caller stopped early: parse nothing more
            for waiting in ahead:
                waiting.cancel()
    if rows:
        yield _frame(pa.concat_tables(held))


class _NotJsonLines(Exception):
    """A piece pyarrow parsed that Polars' line reader would not read as one case a line."""


def _parse(chunk: memoryview) -> pa.Table:
    # The layout first: pyarrow 26 crashes (SIGSEGV) on a piece that is just "null", and reads
    # a "null" line after an object as a case (tests/test_impact_jsonl.py found both).
    if not _one_object_a_line(chunk):
        raise _NotJsonLines
    buffer = pa.BufferReader(pa.py_buffer(chunk))
    table = pj.read_json(buffer, read_options=_READ, parse_options=_PARSE)
    # pyarrow's parser does not check UTF-8 (Polars does); full validation does, ~0.1 s a 1M.
    table.validate(full=True)
    return table


# pyarrow reads a stream of JSON objects, however they are laid out over lines; Polars reads
# one object a line. A piece is read here only if laid out as Polars reads it: every line is
# empty, or starts with "{" and ends with "}" (a "\r" may follow either), and no "}" is
# followed by "{" on the same line. Then no object spans lines (a "}" and a "{" with only line
# ends between them, inside one object, is a syntax error pyarrow refuses), no line holds two,
# and both skip the same empty lines. Lines with blanks before or after the object are refused
# here (the exact reader then reads the file). The pattern for the line ends begins with a
# literal, "\n": with the other, 0.035 s per 32 MB.
_LINE_ENDS = re.compile(rb"\n(?:(?<!\}\n)(?<!\}\r\n)(?<!\n\n)(?<!\n\r\n)|(?!\{|\r?\n))")
_TWO_ON_A_LINE = re.compile(rb"\}[ \t\r]*\{")
_LINE_END = b"\r\n"


def _one_object_a_line(chunk: memoryview) -> bool:
    start, end = 0, len(chunk)
    while start < end and chunk[start] in _LINE_END:  # empty lines first
        start += 1
    while end > start and chunk[end - 1] in _LINE_END:  # and last
        end -= 1
    body = chunk[start:end]
    return (
        end - start >= 2
        and body[0] == ord("{")
        and body[-1] == ord("}")
        and _LINE_ENDS.search(body) is None
        and _TWO_ON_A_LINE.search(body) is None
    )


def _frame(table: pa.Table) -> pl.DataFrame:
    # One chunk: Polars 2.1 panics in list.set_symmetric_difference over a frame whose chunks
    # came from several pieces (tests/test_impact_jsonl.py, small CHUNK).
    frame = pl.from_arrow(table, rechunk=True)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _chunks(path: Path) -> Iterator[memoryview]:
    """The file in pieces of about CHUNK bytes, each ending at a line end (or the file's).
    The pieces are views of the mapped file, not copies (a copy costs page faults: 0.4 s of
    system time for 1M cases). The map is not closed explicitly: it goes when the last view
    does, which may be after this generator ends."""
    with path.open("rb") as f:
        if path.stat().st_size == 0:
            return  # mmap cannot map an empty file
        m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(m)
    start, n, piece = 0, len(m), min(FIRST_CHUNK, CHUNK)
    while start < n:
        end, piece = min(start + piece, n), CHUNK
        if end < n:
            cut = m.rfind(b"\n", start, end)
            # a line longer than CHUNK: extend the piece to its end
            end = cut + 1 if cut >= start else (m.find(b"\n", end) + 1 or n)
        yield view[start:end]
        start = end
