"""App logs: one JSON line per log entry in `logs/<app_id>.jsonl`, appended under a file lock."""
import fcntl
import json
import os

from . import state


def _file(app_id: str) -> str:
    return state.path("logs", f"{app_id}.jsonl")


def append(app_id: str, entry: dict) -> None:
    """`entry`: {ts, fd ('stdout'|'stderr'|'system'), data, task_id, function_id, function_call_id}."""
    os.makedirs(state.path("logs"), exist_ok=True)
    with open(_file(app_id), "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.write(json.dumps(entry) + "\n")
        f.flush()
        fcntl.flock(f, fcntl.LOCK_UN)


def read(app_id: str, start: int = 0) -> list[dict]:
    """Entries from index `start` on (for following a growing log)."""
    try:
        with open(_file(app_id)) as f:
            fcntl.flock(f, fcntl.LOCK_SH)
            lines = f.readlines()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in lines[start:]]
