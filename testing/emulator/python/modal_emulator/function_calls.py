"""Function calls made with `.spawn()`: the server's record of each call (FunctionCallGetOutputs and
FunctionCallCancel of the real API), kept in the state so that any process can wait on a call or cancel it.

A call is {function_call_id, app_id, app, environment, version, function, status, container, ...}:
- `status`: `running`, then `succeeded`, `failed` (the function raised, crashed or hit its timeout) or
  `cancelled` (FunctionCallCancel came first; the output, if any, is dropped);
- `container`: `starting`, `running` (with its process group in `container_pgid`), `exited` (it ended by
  itself), `terminated` (killed: a cancel with terminate_containers, or the function's timeout), or
  `none` (no container ran: the `garbage` fault).
The output of a finished call is in `function-calls/<id>/output.json` under the emulator's home.
"""
import json
import os
import signal

from . import server, state


def _calls(st: dict) -> dict:
    return st.setdefault("function_calls", {})


def directory(function_call_id: str) -> str:
    return state.path("function-calls", function_call_id)


def create(creds, target: dict, function_call_id: str) -> None:
    with server._session(creds, write=True) as st:
        _calls(st)[function_call_id] = {
            "function_call_id": function_call_id,
            "app_id": target["app_id"],
            "app": target["app_name"],
            "environment": target["environment"],
            "version": target["version"],
            "function": target["function_name"],
            "status": "running",
            "container": "starting",
            "container_pgid": None,
            "cancel_requested": False,
            "terminate_containers": False,
            "started_at": state.now(),
            "ended_at": None,
        }


def container_started(function_call_id: str, pgid: int) -> bool:
    """The supervisor's report that the container runs; False when a cancel that terminates containers came
    first (the supervisor then kills it at once)."""
    with state.transaction() as st:
        call = _calls(st)[function_call_id]
        call["container_pgid"] = pgid
        if call["cancel_requested"] and call["terminate_containers"]:
            call["container"] = "terminated"
            return False
        call["container"] = "running"
        return True


def finished(function_call_id: str, output: dict | None, container: str) -> None:
    """The supervisor's report that the call ended: its output (None: the container gave none) and how the
    container ended. A cancelled call keeps its status; its output is not kept."""
    with state.transaction() as st:
        call = _calls(st)[function_call_id]
        if call["container"] != "terminated":
            call["container"] = container
        call["container_pgid"] = None
        if call["status"] != "running":
            return
        call["status"] = "succeeded" if output is not None and output.get("ok") else "failed"
        call["ended_at"] = state.now()
        _write_output(function_call_id, output)


def finish_without_container(creds, function_call_id: str, output: dict) -> None:
    with server._session(creds, write=True) as st:
        call = _calls(st)[function_call_id]
        call.update(status="succeeded", container="none", ended_at=state.now())
        _write_output(function_call_id, output)


def _write_output(function_call_id: str, output: dict | None) -> None:
    os.makedirs(directory(function_call_id), exist_ok=True)
    tmp = os.path.join(directory(function_call_id), "output.json.tmp")
    with open(tmp, "w") as f:
        json.dump(output, f)
    os.replace(tmp, os.path.join(directory(function_call_id), "output.json"))


def get(creds, function_call_id: str) -> tuple[dict, dict | None]:
    """The call's record and its output (None while it runs, or when it gave none)."""
    with server._session(creds) as st:
        call = _calls(st).get(function_call_id)
    if call is None:
        raise server.NotFoundError(f"Function call {function_call_id} not found")
    if call["status"] in ("running", "cancelled"):
        return call, None
    try:
        with open(os.path.join(directory(function_call_id), "output.json")) as f:
            return call, json.load(f)
    except FileNotFoundError:
        return call, None


def cancel(creds, function_call_id: str, terminate_containers: bool) -> None:
    """FunctionCallCancel: the input is cancelled; with terminate_containers the container running it is
    killed too (without, the emulated container runs on to its end, and its output is dropped)."""
    with server._session(creds, write=True) as st:
        call = _calls(st).get(function_call_id)
        if call is None:
            raise server.NotFoundError(f"Function call {function_call_id} not found")
        if call["status"] != "running":
            return
        call.update(status="cancelled", cancel_requested=True, ended_at=state.now())
        call["terminate_containers"] = terminate_containers
        if terminate_containers and call["container_pgid"] is not None:
            _kill_group(call["container_pgid"])
            call["container"] = "terminated"


def terminate_app_containers(st: dict, app_id: str) -> None:
    """What a `recreate` deploy or rollback does before the new version serves: the app's running containers
    are stopped (their calls fail)."""
    for call in _calls(st).values():
        if call["app_id"] == app_id and call["container_pgid"] is not None and call["container"] == "running":
            _kill_group(call["container_pgid"])
            call["container"] = "terminated"


def listing() -> list[dict]:
    calls = state.read().get("function_calls", {})
    return sorted(calls.values(), key=lambda call: call["started_at"])


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
