"""A small command-line parser with click's plain (non-TTY) behaviour: the same usage errors, help
layout and exit codes (2 for usage errors, `Aborted!` and 1 for an aborted prompt)."""
import dataclasses
import difflib
import sys
import textwrap
from typing import Callable

# click ≥ 8.4 would print the longest help name here (`--help`); the contract documents `-h`.
HELP_HINT_OPTION = "-h"


class UsageError(Exception):
    exit_code = 2

    def __init__(self, message: str, ctx: "Context | None" = None, show_usage: bool = True):
        super().__init__(message)
        self.message = message
        self.ctx = ctx or Context.current
        self.show_usage = show_usage

    def show(self) -> None:
        if self.ctx is not None and self.show_usage:
            sys.stderr.write(f"{self.ctx.usage()}\nTry '{self.ctx.path} {HELP_HINT_OPTION}' for help.\n\n")
        sys.stderr.write(f"Error: {self.message}\n")


class NoArgsIsHelp(UsageError):
    """click ≥ 8.2: a command that needs arguments, run without any, prints its help and exits 2."""

    def __init__(self, ctx: "Context"):
        super().__init__(ctx.help(), ctx)

    def show(self) -> None:
        sys.stderr.write(self.message)


class Abort(Exception):
    """A declined or impossible confirmation: `Aborted!` on stderr, exit 1."""


class Exit(Exception):
    def __init__(self, code: int = 0):
        super().__init__(code)
        self.code = code


@dataclasses.dataclass
class Option:
    decls: tuple[str, ...]
    dest: str
    help: str = ""
    is_flag: bool = False
    type: type = str
    choices: tuple[str, ...] = ()
    default: object = None

    def label(self) -> str:
        label = ", ".join(self.decls)
        if self.choices:
            return f"{label} [{'|'.join(self.choices)}]"
        return label if self.is_flag else f"{label} {'INTEGER' if self.type is int else 'TEXT'}"

    def convert(self, value: str):
        hint = " / ".join(f"'{d}'" for d in self.decls)
        if self.choices and value not in self.choices:
            choices = ", ".join(repr(c) for c in self.choices)
            raise UsageError(f"Invalid value for {hint}: {value!r} is not one of {choices}.")
        if self.type is int:
            try:
                return int(value)
            except ValueError:
                raise UsageError(f"Invalid value for {hint}: {value!r} is not a valid integer.") from None
        return value


@dataclasses.dataclass
class Argument:
    dest: str
    required: bool = True
    variadic: bool = False
    default: object = None

    def usage(self) -> str:
        name = self.dest.upper()
        if self.variadic:
            return f"[{name}]..."
        return name if self.required else f"[{name}]"


@dataclasses.dataclass
class Command:
    name: str
    help: str
    callback: Callable
    params: list = dataclasses.field(default_factory=list)
    no_args_is_help: bool = False
    ignore_unknown_options: bool = False  # unknown `-x` tokens become arguments (as for `app rollback`)

    @property
    def options(self) -> list[Option]:
        return [p for p in self.params if isinstance(p, Option)]

    @property
    def arguments(self) -> list[Argument]:
        return [p for p in self.params if isinstance(p, Argument)]

    def usage_pieces(self) -> str:
        return " ".join(["[OPTIONS]"] + [a.usage() for a in self.arguments])

    def help_text(self, ctx: "Context") -> str:
        rows = [(o.label(), o.help) for o in self.options] + [("-h, --help", "Show this message and exit.")]
        return _help_page(ctx, self.help, "Options", rows)

    def parse(self, ctx: "Context", args: list[str]) -> dict:
        if self.no_args_is_help and not args:
            raise NoArgsIsHelp(ctx)
        by_decl = {d: o for o in self.options for d in o.decls}
        values = {o.dest: (False if o.is_flag else o.default) for o in self.options}
        raw: dict[str, str] = {}
        positionals: list[str] = []
        wants_help = False
        i = 0
        while i < len(args):
            token = args[i]
            if token == "--":
                positionals += args[i + 1 :]
                break
            if token in ("-h", "--help"):
                wants_help = True
            elif token.startswith("--"):
                name, eq, value = token.partition("=")
                option = by_decl.get(name)
                if option is None and self.ignore_unknown_options:
                    positionals.append(token)
                elif option is None:
                    raise UsageError(_no_such_option(name, list(by_decl) + ["--help"]), ctx)
                elif option.is_flag:
                    if eq:
                        raise UsageError(f"Option '{name}' does not take a value.", ctx, show_usage=False)
                    values[option.dest] = True
                else:
                    if not eq:
                        i += 1
                        if i >= len(args):
                            raise UsageError(f"Option '{name}' requires an argument.", ctx, show_usage=False)
                        value = args[i]
                    raw[option.dest] = value
            elif token.startswith("-") and len(token) > 1:
                i = self._parse_short(ctx, args, i, by_decl, values, raw, positionals)
            else:
                positionals.append(token)
            i += 1
        if wants_help:
            sys.stdout.write(self.help_text(ctx))
            raise Exit(0)
        for option in self.options:
            if option.dest in raw:
                values[option.dest] = option.convert(raw[option.dest])
        for argument in self.arguments:
            if argument.variadic:
                values[argument.dest], positionals = tuple(positionals), []
            elif positionals:
                values[argument.dest] = positionals.pop(0)
            elif argument.required:
                raise UsageError(f"Missing argument '{argument.dest.upper()}'.", ctx)
            else:
                values[argument.dest] = argument.default
        if positionals:
            word = "argument" if len(positionals) == 1 else "arguments"
            raise UsageError(f"Got unexpected extra {word} ({' '.join(positionals)})", ctx)
        return values

    def _parse_short(self, ctx, args, i, by_decl, values, raw, positionals) -> int:
        """`-y`, combined flags `-yf`, `-n 5` and `-n5`; returns the index of the last token used."""
        token = args[i]
        for j, char in enumerate(token[1:], start=1):
            name = "-" + char
            option = by_decl.get(name)
            if option is None:
                if self.ignore_unknown_options:
                    positionals.append(token)
                    return i
                raise UsageError(f"No such option '{name}'.", ctx)
            if option.is_flag:
                values[option.dest] = True
                continue
            rest = token[j + 1 :]
            if not rest:
                i += 1
                if i >= len(args):
                    raise UsageError(f"Option '{name}' requires an argument.", ctx, show_usage=False)
                rest = args[i]
            raw[option.dest] = rest
            return i
        return i


@dataclasses.dataclass
class Group:
    name: str
    help: str
    commands: dict = dataclasses.field(default_factory=dict)

    def usage_pieces(self) -> str:
        return "[OPTIONS] COMMAND [ARGS]..."

    def help_text(self, ctx: "Context") -> str:
        options = [("-h, --help", "Show this message and exit.")]
        if ctx.parent is None:
            options.insert(0, ("--version", ""))
            options.insert(1, ("--profile TEXT", "Use this Modal profile for the command."))
        page = _help_page(ctx, self.help, "Options", options)
        rows = [(name, cmd.help.split("\n")[0]) for name, cmd in sorted(self.commands.items())]
        return page + "\n" + _rows("Commands", rows)


def _no_such_option(name: str, candidates: list[str]) -> str:
    matches = difflib.get_close_matches(name, [c for c in candidates if c.startswith("--")])
    message = f"No such option '{name}'."
    if len(matches) == 1:
        return f"{message} Did you mean '{matches[0]}'?"
    if matches:
        return f"{message} (Did you mean one of: {', '.join(repr(m) for m in sorted(matches))}?)"
    return message


def _rows(heading: str, rows: list[tuple[str, str]]) -> str:
    first = min(max(len(label) for label, _ in rows), 30)
    lines = [f"{heading}:"]
    for label, text in rows:
        wrapped = textwrap.wrap(text, max(78 - first - 2, 20)) or [""]
        if len(label) > first:
            lines.append(f"  {label}")
            lines += [" " * (first + 4) + w for w in wrapped if w]
        else:
            lines.append(f"  {label.ljust(first)}  {wrapped[0]}".rstrip())
            lines += [" " * (first + 4) + w for w in wrapped[1:]]
    return "\n".join(lines) + "\n"


def _help_page(ctx: "Context", text: str, heading: str, rows) -> str:
    body = "\n".join(textwrap.indent(p, "  ") for p in text.strip().split("\n"))
    return f"{ctx.usage()}\n\n{body}\n\n{_rows(heading, rows)}"


class Context:
    current: "Context | None" = None

    def __init__(self, command, path: str, parent: "Context | None" = None):
        self.command = command
        self.path = path
        self.parent = parent
        Context.current = self

    def usage(self) -> str:
        return f"Usage: {self.path} {self.command.usage_pieces()}"

    def help(self) -> str:
        return self.command.help_text(self)
