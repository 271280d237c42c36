"""`modal app list|logs|rollback|stop|history`."""
import re
import time
from datetime import datetime, timedelta, timezone

from modal_emulator import faults, logs, server, state

from .. import _output
from ..client import credentials
from ..exception import InvalidError, PermissionDeniedError
from ._parser import Argument, Command, Group, Option, UsageError
from .utils import (
    confirm_or_suggest_yes,
    display_table,
    ensure_env,
    env_option,
    json_option,
    resolve_app_identifier,
    yes_option,
)

_FETCH_LIMIT = 20_000
_MAX_FETCH_RANGE = timedelta(days=35)
_RELATIVE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_SOURCES = ("stdout", "stderr", "system")
_FOLLOW_POLL_SECONDS = 0.25


def list_(env=None, json=False):
    env = ensure_env(env)
    apps = server.app_list(credentials(), env)
    rows = [
        [
            a["id"],
            a["name"],
            a["state"],
            "0",
            state.localized(a["created_at"], json),
            state.localized(a["stopped_at"], json),
        ]
        for a in apps
    ]
    title = f"Apps in environment '{env}'" if env else "Apps"
    display_table(["App ID", "Description", "State", "Tasks", "Created at", "Stopped at"], rows, json, title)


def _parse_time(value: str) -> datetime:
    if len(value) >= 2 and value[-1] in _RELATIVE_UNITS and value[:-1].isdigit():
        return datetime.now(timezone.utc) - timedelta(seconds=int(value[:-1]) * _RELATIVE_UNITS[value[-1]])
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"Invalid time format: '{value}'. Use a relative duration (e.g. '2h') or ISO 8601 datetime."
        ) from None
    return dt if dt.tzinfo else dt.astimezone()


def _line(entry: dict, timestamps: bool, prefix_fields: list[str]) -> str:
    prefix = " ".join(entry[field] for field in prefix_fields if entry.get(field))
    head = f"{state.localized(entry['ts'])} " if timestamps else ""
    return f"{head}{prefix} {entry['data']}" if prefix else f"{head}{entry['data']}"


def _print_entries(entries: list[dict], timestamps: bool, prefix_fields: list[str]) -> None:
    for entry in entries:
        _output.write_raw(_line(entry, timestamps, prefix_fields))
    if entries and not entries[-1]["data"].endswith("\n"):
        _output.write_raw("\n")


def follow_logs(app_id: str, timestamps: bool, keep=lambda entry: True, prefix_fields=()) -> None:
    """Stream the app's logs until it is stopped (a deployed app: forever) or Ctrl-C, like `--follow`."""
    seen = 0
    try:
        while True:
            # Whether it stopped is asked before reading: every line written before the stop is printed, however
            # long this process waits between the two.
            stopped = server.app_get(credentials(), app_id)["state"] == "stopped"
            entries = logs.read(app_id, seen)
            seen += len(entries)
            _print_entries([e for e in entries if keep(e)], timestamps, list(prefix_fields))
            if stopped:
                return
            time.sleep(_FOLLOW_POLL_SECONDS)
    except KeyboardInterrupt:
        pass


def logs_(
    app_identifier,
    follow=False,
    since=None,
    until=None,
    tail=None,
    search=None,
    function_id="",
    function_call_id="",
    container_id="",
    source=None,
    timestamps=False,
    show_function_id=False,
    show_function_call_id=False,
    show_container_id=False,
    env=None,
):
    env = ensure_env(env)
    if follow and (since or until or tail):
        raise UsageError("--follow cannot be combined with --since, --until, or --tail.")
    if tail is not None and tail <= 0:
        raise UsageError("--tail value must be positive.")
    if tail is not None and tail > _FETCH_LIMIT:
        raise UsageError(f"--tail value must not exceed {_FETCH_LIMIT}.")
    app_id, _, _ = resolve_app_identifier(app_identifier, env, credentials())
    if source is not None and source not in _SOURCES:
        raise UsageError(f"Invalid source: '{source}'. Must be 'stdout', 'stderr', or 'system'.")
    shown = {"function_id": show_function_id, "function_call_id": show_function_call_id, "task_id": show_container_id}
    prefix_fields = [field for field, wanted in shown.items() if wanted]
    filters = {"fd": source, "function_id": function_id, "function_call_id": function_call_id, "task_id": container_id}

    def keep(entry):
        if search and search not in entry["data"]:
            return False
        return all(not wanted or entry.get(key) == wanted for key, wanted in filters.items())

    if follow:
        follow_logs(app_id, timestamps, keep, prefix_fields)
        return
    now = datetime.now(timezone.utc)
    since_dt = _parse_time(since) if since else None
    until_dt = _parse_time(until) if until else None
    if since_dt and until_dt and since_dt >= until_dt:
        raise UsageError("--since must be before --until.")
    if since_dt and (until_dt or now) - since_dt > _MAX_FETCH_RANGE:
        raise UsageError(f"Log fetch time range cannot exceed {_MAX_FETCH_RANGE.days} days.")
    entries = [
        e
        for e in logs.read(app_id)
        if keep(e)
        and (since_dt is None or e["ts"] >= since_dt.timestamp())
        and (until_dt is None or e["ts"] <= until_dt.timestamp())
    ]
    if not (since_dt and tail is None):  # a range without --tail fetches the whole range
        entries = entries[-(tail or 100):]
    _print_entries(entries, timestamps, prefix_fields)


def rollback(app_identifier, version="", strategy="rolling", env=None):
    env = ensure_env(env)
    creds = credentials()
    app_id, env_name, app = resolve_app_identifier(app_identifier, env, creds)
    if app["state"] != "deployed":
        env_suffix = f" in the '{env_name}' environment" if env_name else ""
        raise InvalidError(f"App '{app_identifier}' is not deployed{env_suffix}.")
    if not version:
        number = -1
    elif m := re.match(r"v(\d+)", version):
        number = int(m.group(1))
    else:
        raise UsageError(f"Invalid version specifier: {version}")
    rule = faults.take("app rollback", ("refuse",))
    if rule:
        raise PermissionDeniedError(faults.message(rule))
    url = server.app_rollback(creds, app_id, number, strategy)
    _output.step_completed("Deployment rollback successful!")
    _output.echo(f"\nView Deployment: {url}")


def stop(app_identifier, yes=False, env=None):
    env = ensure_env(env)
    creds = credentials()
    app_id, env_name, app = resolve_app_identifier(app_identifier, env, creds)
    if app["state"] == "stopped":
        stopped_at = state.localized(app["stopped_at"])
        raise SystemExit(f"App is already stopped. (Stopped at {stopped_at} by '{app['stopped_by']}').")
    if not yes:
        where = f" in the '{env_name}' environment" if env_name else ""
        confirm_or_suggest_yes(
            f"Are you sure you want to stop App '{app_identifier}'{where}? No containers are currently running."
        )
    server.app_stop(creds, app_id)


def history(app_identifier, env=None, json=False):
    env = ensure_env(env)
    creds = credentials()
    app_id, _, _ = resolve_app_identifier(app_identifier, env, creds)
    columns = ["Version", "Time deployed", "Client", "Deployed by", "Commit", "Tag"]
    rows, dirty = [], False
    for v in sorted(server.app_history(creds, app_id), key=lambda v: v["version"], reverse=True):
        commit = None
        if v["commit_info"] and v["commit_info"]["commit_hash"]:
            commit = v["commit_info"]["commit_hash"][:7]
            if v["commit_info"]["dirty"]:
                dirty, commit = True, commit + "*"
        deployed_at = state.localized(v["deployed_at"], json)
        rows.append([f"v{v['version']}", deployed_at, v["client_version"], v["deployed_by"], commit, v["tag"] or None])
    if not any(row[-1] for row in rows):  # the Tag column only shows when some version has a tag
        rows, columns = [row[:-1] for row in rows], columns[:-1]
    display_table(columns, rows, json)
    if dirty and not json:
        _output.echo("* - repo had uncommitted changes", always=True)  # `rich.print` in the real CLI


def _prefix_option(decl: str, dest: str, what: str) -> Option:
    return Option((decl,), dest, f"Prefix each line with its {what}", is_flag=True)


def _strategy_option() -> Option:
    return Option(
        ("--strategy",), "strategy", "Strategy for rollback", choices=("rolling", "recreate"), default="rolling"
    )


app_cli = Group(
    "app",
    "Manage deployed and running apps.",
    {
        "list": Command(
            "list",
            "List Apps that are running, deployed or recently stopped.",
            list_,
            [env_option(), json_option()],
        ),
        "logs": Command(
            "logs",
            "Fetch or stream App logs.",
            logs_,
            [
                Argument("app_identifier"),
                Option(("-f", "--follow"), "follow", "Stream log output until App stops", is_flag=True),
                Option(("--since",), "since", "Start of time range (ISO 8601 or relative, e.g. '2h')."),
                Option(("--until",), "until", "End of time range; accepts same argument types as --since"),
                Option(("-n", "--tail"), "tail", "Show only the last N log entries", type=int),
                Option(("--search",), "search", "Filter by search text"),
                Option(("--function",), "function_id", "Filter by Function ID (fu-*)", default=""),
                Option(("--function-call",), "function_call_id", "Filter by FunctionCall ID (fc-*)", default=""),
                Option(("--container",), "container_id", "Filter by Container ID (ta-*)", default=""),
                Option(("-s", "--source"), "source", "Filter by source: 'stdout', 'stderr', or 'system'"),
                Option(("--timestamps",), "timestamps", "Prefix each line with its timestamp", is_flag=True),
                _prefix_option("--show-function-id", "show_function_id", "Function ID"),
                _prefix_option("--show-function-call-id", "show_function_call_id", "FunctionCall ID"),
                _prefix_option("--show-container-id", "show_container_id", "Container ID"),
                env_option(),
            ],
            no_args_is_help=True,
        ),
        "rollback": Command(
            "rollback",
            "Redeploy a previous version of an App.",
            rollback,
            [
                Argument("app_identifier"),
                Argument("version", required=False, default=""),
                _strategy_option(),
                env_option(),
            ],
            no_args_is_help=True,
            ignore_unknown_options=True,
        ),
        "stop": Command(
            "stop",
            "Permanently stop an App and terminate its running containers.",
            stop,
            [Argument("app_identifier"), yes_option(), env_option()],
            no_args_is_help=True,
        ),
        "history": Command(
            "history",
            "Show an App's deployment history.",
            history,
            [Argument("app_identifier"), env_option(), json_option()],
            no_args_is_help=True,
        ),
    },
)
