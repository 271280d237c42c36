"""Runs a processor on this machine under the same contract as the deployed `run` (the CLI's local adapter).

`python3 run_local.py` with one JSON request on stdin: {"envelope": {...}, "ref": "llm/litellm@1",
"command": "/abs/path/to/processor", "timeout_s": 300}. Prints what `run` would return, as one JSON line.
No Modal client needed: the processor gets this machine's environment (its secrets, e.g. OPENAI_API_KEY).
"""

import json
import os
import sys
from pathlib import Path

# The contract itself lives with the code that runs inside Modal.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "modal"))

import processor_runtime  # noqa: E402


def main() -> int:
    request = json.loads(sys.stdin.read())
    environ = {**os.environ, "PROCESSOR_COMMAND": request["command"]}
    result = processor_runtime.invoke_processor(
        request["envelope"], environ, timeout_s=float(request.get("timeout_s", 300)), ref=request["ref"]
    )
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
