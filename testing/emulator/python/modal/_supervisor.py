"""Runs one spawned call (`python -m modal._supervisor FUNCTION_CALL_ID`), in a process of its own so that the
call goes on whatever its caller does, as a call on Modal does: starts the container, tells the server its
process group (a cancel with terminate_containers kills it), and reports the output when it ends."""
import json
import os
import sys

from modal_emulator import function_calls

from . import _remote


def main() -> None:
    function_call_id = sys.argv[1]
    work = function_calls.directory(function_call_id)
    with open(os.path.join(work, "target.json")) as f:
        target = json.load(f)
    output, container = _remote.run_container(
        target, work, function_call_id, on_start=lambda pgid: function_calls.container_started(function_call_id, pgid)
    )
    function_calls.finished(function_call_id, output, container)


if __name__ == "__main__":
    main()
