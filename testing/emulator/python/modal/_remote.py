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

from modal_emulator import images, logs, server, state

from . import exception
from .exception import FunctionTimeoutError, RemoteError

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


def call(target: dict, args: tuple, kwargs: dict, crash: bool = False):
    launch = server.container_start(target)
    ids = {
        "task_id": state.new_id("ta"),
        "function_id": function_id(target),
        "function_call_id": state.new_id("fc"),
    }
    timeout = target["function"]["timeout"]
    with tempfile.TemporaryDirectory(prefix="modal-emulator-input-") as work:
        with open(os.path.join(work, "input.json"), "w") as f:
            json.dump(
                {
                    "module": target["module"],
                    "function": target["function_name"],
                    "args": list(args),
                    "kwargs": kwargs,
                    "crash": crash,
                    "app": {
                        "name": target["app_name"],
                        "environment": target["environment"],
                        "version": target["version"],
                    },
                },
                f,
            )
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
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise FunctionTimeoutError(
                f"Task's current input {state.new_id('in')} hit its timeout of {timeout}s"
            ) from None
        finally:
            _kill_group(proc)
            for pump in pumps:
                pump.join(timeout=5)
        try:
            with open(os.path.join(work, "output.json")) as f:
                output = json.load(f)
        except FileNotFoundError:
            code = 128 - code if code < 0 else code  # a signal N shows as exit code 128+N
            raise RemoteError(
                f"Container for Function '{target['function_name']}' exited with code {code}"
                " before returning a result."
            ) from None
    if output["ok"]:
        return output["value"]
    raise _rebuild_exception(output)


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
