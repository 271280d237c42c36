"""Terminal output shaped like the real client's Rich output without a TTY: no colours, word wrapping
at the console width (80, a TTY's width, or $COLUMNS), error panels, tables, trees and JSON.

Streams are looked up at print time (`sys.stdout`), so in-process callers can redirect them. As with
the real client's OutputManager, output is discarded unless `enable_output()` is active (the `modal`
command always enables it); error panels and `always=True` prints (`rich.print` in the real CLI) are not.
"""
import contextlib
import json
import os
import re
import sys
import unicodedata

_WORD = re.compile(r"\s*\S+\s*")
_enabled = False


@contextlib.contextmanager
def enable_output():
    global _enabled
    previous, _enabled = _enabled, True
    try:
        yield
    finally:
        _enabled = previous


def console_width() -> int:
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    for fd in (0, 1, 2):
        try:
            return os.get_terminal_size(fd).columns
        except OSError:
            continue
    return 80


def cell_len(text: str) -> int:
    total = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf") or ch == "\ufe0f":
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def _chop(word: str, width: int) -> list[str]:
    pieces, current = [], ""
    for ch in word:
        if current and cell_len(current + ch) > width:
            pieces.append(current)
            current = ""
        current += ch
    return pieces + [current]


def wrap(text: str, width: int) -> list[str]:
    """Rich's word wrap: break before words that don't fit, fold words longer than a line,
    drop whitespace that would overflow a line."""
    lines = []
    for paragraph in text.split("\n"):
        line, offset = "", 0
        for match in _WORD.finditer(paragraph):
            word = match.group(0)
            length = cell_len(word.rstrip())
            if width - offset >= length:
                line += word
                offset += cell_len(word)
            elif length > width:
                for piece in _chop(word, width):
                    if line:
                        lines.append(line)
                    line = piece
                offset = cell_len(line)
            else:
                lines.append(line)
                line, offset = word, cell_len(word)
        lines.append(line)
    return [_fit(line, width) for line in lines]


def _fit(line: str, width: int) -> str:
    while cell_len(line) > width and line.endswith(" "):
        line = line[:-1]
    return line


def echo(text: str = "", *, always: bool = False) -> None:
    """Print like `Console.print(str)`: wrapped at the console width."""
    write_raw("\n".join(wrap(text, console_width())) + "\n", always=always)


def write_raw(text: str, *, always: bool = False) -> None:
    """Print without wrapping (log lines, JSON, rendered tables)."""
    if _enabled or always:
        sys.stdout.write(text)
        sys.stdout.flush()


def panel(text: str, title: str, width: int | None = None) -> str:
    width = max(width or console_width(), 6)
    inner = width - 4
    title_text = f" {title} "[:inner]
    top = "╭─" + title_text + "─" * (inner - cell_len(title_text)) + "─╮"
    body = ["│ " + line + " " * (inner - cell_len(line)) + " │" for line in wrap(text, inner)]
    return "\n".join([top, *body, "╰" + "─" * (width - 2) + "╯"])


def print_error(text: str) -> None:
    sys.stderr.write(panel(text, "Error") + "\n")
    sys.stderr.flush()


def print_json(data) -> None:
    """`Console.print_json`: pretty-printed with 2-space indent, never wrapped."""
    write_raw(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def step_completed(message: str, *, always: bool = False) -> None:
    echo(f"✓ {message}", always=always)


def tree(label: str, children: list[str]) -> None:
    """A Rich `Tree` printed once: `├── ` / `└── ` guides, wrapped labels indented under them."""
    width = console_width()
    lines = wrap(label, width)
    for i, child in enumerate(children):
        last = i == len(children) - 1
        first, rest = ("└── ", "    ") if last else ("├── ", "│   ")
        for j, line in enumerate(wrap(child, max(width - 4, 1))):
            lines.append((first if j == 0 else rest) + line)
    write_raw("\n".join(lines) + "\n")


def table(columns: list[str], rows: list[list[str | None]], title: str = "") -> None:
    """A Rich `Table` with the default heavy-head box, shrunk and wrapped to the console width."""
    width = console_width()
    cells = [[cell or "" for cell in row] for row in rows]
    widths = [max([cell_len(c)] + [cell_len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    while sum(widths) + 3 * len(widths) + 1 > width and max(widths) > 1:
        widths[widths.index(max(widths))] -= 1

    def render_row(row, edge):
        wrapped = [wrap(cell, w) for cell, w in zip(row, widths)]
        height = max(len(w) for w in wrapped)
        out = []
        for n in range(height):
            parts = [(w[n] if n < len(w) else "") for w in wrapped]
            padded = [p + " " * (w - cell_len(p)) for p, w in zip(parts, widths)]
            out.append(edge + edge.join(f" {p} " for p in padded) + edge)
        return out

    def rule(left, mid, right, fill):
        return left + mid.join(fill * (w + 2) for w in widths) + right

    total = sum(widths) + 3 * len(widths) + 1
    lines = []
    if title:
        pad = max(total - cell_len(title), 0)
        lines.append(" " * (pad // 2) + title + " " * (pad - pad // 2))
    lines.append(rule("┏", "┳", "┓", "━"))
    lines += render_row(columns, "┃")
    lines.append(rule("┡", "╇", "┩", "━"))
    for row in cells:
        lines += render_row(row, "│")
    lines.append(rule("└", "┴", "┘", "─"))
    write_raw("\n".join(lines) + "\n")
