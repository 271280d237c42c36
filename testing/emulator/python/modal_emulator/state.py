"""Persistent emulator state: one JSON document plus directories under $MODAL_EMULATOR_HOME.

Every reader and writer takes an `fcntl` lock on `state.lock`, so concurrent `modal` processes
(CLI, SDK callers, containers) see consistent data.
"""
import contextlib
import fcntl
import json
import os
import secrets
import shutil
import string
import sys
import time
from datetime import datetime

STATE_FILE = "state.json"
LOCK_FILE = "state.lock"
CLIENT_LOADS_FILE = "client-loads.log"
DATA_DIRS = ("images", "snapshots", "logs")
_ALNUM = string.ascii_letters + string.digits


class EmulatorError(RuntimeError):
    """The emulator itself is not usable (no home directory, not initialised)."""


def home() -> str:
    path = os.environ.get("MODAL_EMULATOR_HOME")
    if not path:
        raise EmulatorError(
            "MODAL_EMULATOR_HOME is not set: point it at a directory and run `modal-emulator init` first."
        )
    return os.path.abspath(path)


def path(*parts: str) -> str:
    return os.path.join(home(), *parts)


def new_id(prefix: str) -> str:
    """IDs shaped like the real ones: `ap-` + 22 alphanumerics."""
    return prefix + "-" + "".join(secrets.choice(_ALNUM) for _ in range(22))


def now() -> float:
    return time.time()


def localized(ts: float | None, isotz: bool = True) -> str | None:
    """`timestamp_to_localized_str` of the real client: local time zone, None for a missing time."""
    if not ts:
        return None
    dt = datetime.fromtimestamp(ts).astimezone()
    return dt.isoformat(sep=" ", timespec="seconds") if isotz else f"{dt:%Y-%m-%d %H:%M %Z}"


@contextlib.contextmanager
def _locked(exclusive: bool):
    root = home()
    if not os.path.isdir(root):
        raise EmulatorError(f"MODAL_EMULATOR_HOME ({root}) does not exist: run `modal-emulator init` first.")
    with open(os.path.join(root, LOCK_FILE), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield root
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _load(root: str) -> dict:
    try:
        with open(os.path.join(root, STATE_FILE)) as f:
            return json.load(f)
    except FileNotFoundError:
        raise EmulatorError(f"No emulator state in {root}: run `modal-emulator init` first.") from None


def read() -> dict:
    """A consistent copy of the state, for read-only work."""
    with _locked(exclusive=False) as root:
        return _load(root)


@contextlib.contextmanager
def transaction():
    """Yield the state for modification; it is written back atomically when the block succeeds."""
    with _locked(exclusive=True) as root:
        data = _load(root)
        yield data
        _write(root, data)


def _write(root: str, data: dict) -> None:
    tmp = os.path.join(root, STATE_FILE + ".tmp")
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
    os.replace(tmp, os.path.join(root, STATE_FILE))


def initialise(workspace: str, environments: list[str]) -> dict:
    """Fresh state: a workspace, its token pair and environments (the first one is the default)."""
    root = home()
    os.makedirs(root, exist_ok=True)
    with _locked(exclusive=True):
        for sub in DATA_DIRS:
            shutil.rmtree(os.path.join(root, sub), ignore_errors=True)
        data = {
            "workspace": {"name": workspace, "id": new_id("ac"), "user": workspace, "user_id": new_id("us")},
            "token": {"id": new_id("ak"), "secret": new_id("as"), "created_at": now()},
            "environments": {
                name: {"id": new_id("en"), "web_suffix": "" if i == 0 else name, "created_at": now()}
                for i, name in enumerate(environments)
            },
            "default_environment": environments[0],
            "secrets": {},
            "apps": {},
            "registry": {"repos": {}, "manifests": {}, "tags": {}},
            "built_images": {},
            "faults": [],
            "calls": {},
            "function_calls": {},
        }
        _write(root, data)
    return data


def record_client_load() -> None:
    """Append a line to `client-loads.log` for a process that loaded the `modal` client (not containers,
    not `modal-emulator`): the project's benchmark counts client start-ups with it."""
    root = os.environ.get("MODAL_EMULATOR_HOME")
    if not root or not os.path.isdir(root) or os.environ.get("MODAL_IS_REMOTE") == "1":
        return
    if os.environ.get("MODAL_EMULATOR_SUPERVISOR") == "1":  # the process that runs a spawned call (server side)
        return
    if "modal_emulator.admin" in sys.modules:  # the admin command imports modal.exception
        return
    with open(os.path.join(root, CLIENT_LOADS_FILE), "a") as f:
        f.write(f"{os.getpid()} {' '.join(sys.argv)}\n")
