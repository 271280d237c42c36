"""Inside an emulated container: import the deployed module from the mount snapshot (the cwd), call the
function with the input and write the result for the caller. Run as `python -m modal._container DIR`."""
import importlib
import json
import os
import sys
import time

from . import _runtime
from ._traceback import print_user_traceback


def _exception_info(exc: Exception) -> dict:
    try:
        args = json.loads(json.dumps(list(exc.args)))
    except (TypeError, ValueError):
        args = [str(exc)]
    return {"ok": False, "type": type(exc).__name__, "module": type(exc).__module__, "args": args, "message": str(exc)}


def main() -> None:
    work = sys.argv[1]
    with open(os.path.join(work, "input.json")) as f:
        spec = json.load(f)
    if spec["crash"]:
        os._exit(137)  # the `crash` fault: the container dies without answering
    if spec.get("hang") is not None:  # the `hang` fault of a spawned call: the function hangs in its container
        deadline = None if spec["hang"] < 0 else time.monotonic() + spec["hang"]
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.1 if deadline is None else max(0.0, min(0.1, deadline - time.monotonic())))
    _runtime.in_container = True
    _runtime.container_app = spec["app"]
    try:
        module = importlib.import_module(spec["module"]["name"])
        function = getattr(module, spec["module"]["app_var"]).registered_functions[spec["function"]]
        value = function.local(*spec["args"], **spec["kwargs"])
        try:
            result = {"ok": True, "value": json.loads(json.dumps(value))}
        except (TypeError, ValueError) as exc:
            raise TypeError(f"The modal emulator can only return JSON-serialisable results: {exc}") from None
    except Exception as exc:
        print_user_traceback(exc)
        result = _exception_info(exc)
    sys.stdout.flush()
    tmp = os.path.join(work, "output.json.tmp")
    with open(tmp, "w") as f:
        json.dump(result, f)
    os.replace(tmp, os.path.join(work, "output.json"))


if __name__ == "__main__":
    main()
