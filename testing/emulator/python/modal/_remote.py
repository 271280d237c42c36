"""The caller's side of `.remote()`: start an emulated container for one input, feed its output to the
app logs, enforce the function's timeout and turn the container's answer into a result or exception."""
import builtins
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading

from modal_emulator import function_calls, images, logs, server, state

from . import exception
from .exception import RemoteError

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def function_id(target: dict) -> str:
    """Stable across deployments of the app, like the real function ids."""
    digest = hashlib.sha256(f"{target['app_id']}/{target['function_name']}".encode()).hexdigest()
    return "fu-" + digest[:22]


def _python_dir() -> str:
    """A directory whose `python`/`python3` are this interpreter: the image's Python (its own or the
    one `add_python` installs) in the container."""
    directory = state.path("python-bin")
    os.makedirs(directory, exist_ok=True)
    for name in ("python", "python3"):
        try:
            os.symlink(sys.executable, os.path.join(directory, name))
        except FileExistsError:
            pass
    return directory


def _container_path(rootfs: str | None, image_path: str) -> str:
    """`<rootfs>/bin`, the image's other PATH directories that exist in its rootfs, the image's Python,
    then the PATH itself (whose host directories stand in for the image's system directories)."""
    dirs = []
    if rootfs:
        dirs.append(os.path.join(rootfs, "bin"))
        dirs += [
            rootfs + d
            for d in image_path.split(os.pathsep)
            if d.startswith("/") and d != "/bin" and os.path.isdir(rootfs + d)
        ]
    return os.pathsep.join(dirs + [_python_dir(), image_path])


def _container_env(target: dict, launch: dict) -> dict:
    """Only what a real container would see: image config and `.env()` variables, function env,
    secrets and Modal's own variables; never the caller's environment."""
    image = launch["image"]
    env = dict(image["config_env"])
    rootfs = state.path(image["rootfs"]) if image["rootfs"] else None
    env["PATH"] = _container_path(rootfs, env.get("PATH", images.DEFAULT_PATH))
    env.update(image["env"])
    env.update(target["function"]["env"])
    env.update(launch["secret_values"])
    env.update(
        MODAL_IS_REMOTE="1",
        MODAL_ENVIRONMENT=target["environment"],
        PYTHONPATH=PACKAGE_ROOT,
        # The container's route back to the (emulated) server, like MODAL_SERVER_URL in real containers.
        MODAL_EMULATOR_HOME=state.home(),
    )
    return env


def _pump(stream, fd: str, app_id: str, ids: dict) -> None:
    for raw in iter(stream.readline, b""):
        logs.append(app_id, {"ts": state.now(), "fd": fd, "data": raw.decode(errors="replace"), **ids})
    stream.close()


def _write_input(work: str, target: dict, args: tuple, kwargs: dict, crash: bool, hang: float | None) -> None:
    with open(os.path.join(work, "input.json"), "w") as f:
        json.dump(
            {
                "module": target["module"],
                "function": target["function_name"],
                "args": list(args),
                "kwargs": kwargs,
                "crash": crash,
                # The `hang` fault of a spawned call: the function hangs in its container (seconds; -1: forever).
                "hang": hang,
                "app": {
                    "name": target["app_name"],
                    "environment": target["environment"],
                    "version": target["version"],
                },
            },
            f,
        )


def run_container(target: dict, work: str, function_call_id: str, on_start=None) -> tuple[dict, str]:
    """Runs the container for the input in `work` to its end, feeding its output to the app logs; the function's
    `timeout` kills its process group. Returns its output ({ok, ...}; a RemoteError output when it gave none, a
    FunctionTimeoutError one at the timeout) and how the container ended (`exited` or `terminated`).
    `on_start(pgid)` may refuse the start (a cancel came first): then it is killed at once."""
    launch = server.container_start(target)
    ids = {"task_id": state.new_id("ta"), "function_id": function_id(target), "function_call_id": function_call_id}
    timeout = target["function"]["timeout"]
    proc = subprocess.Popen(
        [sys.executable, "-B", "-u", "-m", "modal._container", work],
        cwd=state.path(target["snapshot"]),
        env=_container_env(target, launch),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, so a timeout kills the processor it started too
    )
    pumps = [
        threading.Thread(target=_pump, args=(proc.stdout, "stdout", target["app_id"], ids), daemon=True),
        threading.Thread(target=_pump, args=(proc.stderr, "stderr", target["app_id"], ids), daemon=True),
    ]
    for pump in pumps:
        pump.start()
    try:
        if on_start is not None and not on_start(proc.pid):
            _kill_group(proc)
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        message = f"Task's current input {state.new_id('in')} hit its timeout of {timeout}s"
        return _error_output("FunctionTimeoutError", message), "terminated"
    finally:
        _kill_group(proc)
        for pump in pumps:
            pump.join(timeout=5)
    try:
        with open(os.path.join(work, "output.json")) as f:
            return json.load(f), "exited"
    except FileNotFoundError:
        code = 128 - code if code < 0 else code  # a signal N shows as exit code 128+N
        message = f"Container for Function '{target['function_name']}' exited with code {code} before returning a result."
        return _error_output("RemoteError", message), "exited"


def _error_output(modal_type: str, message: str) -> dict:
    return {"ok": False, "type": modal_type, "module": "modal.exception", "args": [message], "message": message}


def call(target: dict, args: tuple, kwargs: dict, crash: bool = False):
    with tempfile.TemporaryDirectory(prefix="modal-emulator-input-") as work:
        _write_input(work, target, args, kwargs, crash, None)
        output, _ = run_container(target, work, state.new_id("fc"))
    return result_of(output)


def result_of(output: dict):
    """The function's result, or its exception raised again."""
    if output["ok"]:
        return output["value"]
    raise _rebuild_exception(output)


def spawn(target: dict, args: tuple, kwargs: dict, credentials, crash: bool = False, hang: float | None = None) -> str:
    """Starts the call in a supervisor process of its own (like a call on Modal, it runs on whatever the caller
    does next, and any process may wait on it or cancel it). Returns the function call id."""
    function_call_id = state.new_id("fc")
    function_calls.create(credentials, target, function_call_id)
    work = function_calls.directory(function_call_id)
    os.makedirs(work, exist_ok=True)
    _write_input(work, target, args, kwargs, crash, hang)
    with open(os.path.join(work, "target.json"), "w") as f:
        json.dump(target, f)
    env = {**os.environ, "MODAL_EMULATOR_HOME": state.home(), "PYTHONPATH": PACKAGE_ROOT, "MODAL_EMULATOR_SUPERVISOR": "1"}
    subprocess.Popen(
        [sys.executable, "-B", "-m", "modal._supervisor", function_call_id],
        cwd=work,  # not the caller's folder: a `modal` folder there would shadow this package
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the call outlives its caller, as on Modal
    )
    return function_call_id


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def _rebuild_exception(output: dict) -> BaseException:
    """The remote exception as the same builtin or modal type when possible, else RemoteError."""
    namespace = {"builtins": builtins, "modal.exception": exception}.get(output["module"])
    cls = getattr(namespace, output["type"], None) if namespace else None
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            return cls(*output["args"])
        except Exception:
            pass
    return RemoteError(output["message"])
