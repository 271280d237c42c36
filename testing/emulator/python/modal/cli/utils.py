"""Helpers shared by the CLI commands: options, environments, tables, confirmations, app lookup."""
import os
import re
import sys

from modal_emulator import server

from .. import _output, config
from .._validation import APP_ID_RE
from ..exception import NotFoundError
from ._parser import Abort, Option

ENV_OPTION_HELP = (
    "Environment to interact with. If unspecified, defers to `MODAL_ENVIRONMENT`, "
    "your active local profile, or your workspace default, in that order."
)


def env_option() -> Option:
    return Option(("-e", "--env"), "env", help=ENV_OPTION_HELP)


def json_option() -> Option:
    return Option(("--json",), "json", is_flag=True)


def yes_option() -> Option:
    return Option(("-y", "--yes"), "yes", is_flag=True, help="Run without pausing for confirmation.")


def ensure_env(env: str | None) -> str:
    """Like the real `ensure_env`: `--env` becomes MODAL_ENVIRONMENT for this process, so SDK lookups
    made while importing user code use it. Returns the configured env ("" = workspace default)."""
    if env is not None:
        os.environ["MODAL_ENVIRONMENT"] = env
    return config.environment()


def json_key(column: str) -> str:
    """Snake_case JSON keys of client ≥ 1.5.0 (`App ID` → `app_id`)."""
    return re.sub(r"[^a-zA-Z0-9]+", "_", column).lower().strip("_")


def display_table(columns: list[str], rows: list[list], as_json: bool, title: str = "") -> None:
    if as_json:
        _output.print_json([{json_key(c): row[i] for i, c in enumerate(columns)} for row in rows])
    else:
        _output.table(columns, rows, title)


def confirm(message: str) -> None:
    """`click.confirm(message, default=False, abort=True)`."""
    sys.stdout.write(f"{message} [y/N]: ")
    sys.stdout.flush()
    try:
        answer = input()
    except EOFError:
        raise Abort() from None
    if answer.strip().lower() not in ("y", "yes"):
        raise Abort()


def confirm_or_suggest_yes(message: str) -> None:
    if not sys.stdin.isatty():
        sys.stdout.write(f"{message} [y/N]: \n")
        raise SystemExit("Aborted: no interactive terminal detected. Rerun with --yes (-y) to skip confirmation.")
    confirm(message)


def resolve_app_identifier(identifier: str, env: str, creds) -> tuple[str, str, dict]:
    """(app id, resolved environment or "" for an ID, app record) for an App ID or deployment name."""
    if APP_ID_RE.match(identifier):
        return identifier, "", server.app_get(creds, identifier)
    env_name, app = server.app_get_by_name(creds, identifier, env)
    if app is None:
        raise NotFoundError(f"No App with name '{identifier}' found in the '{env_name}' environment.")
    return app["id"], env_name, app
