"""Runs the processor as a process of its own: one input on stdin, its stdout and stderr collected. Standard library only.

The processor leads a new session (so its own process group): when it exits, or when its time is up, the group is
ended, and with it whatever the processor started and left running. Its pipes are read until they close, and at most
DRAIN_S after its exit: a process that left the group (setsid) and still holds them is not waited for.
"""

import contextlib
import os
import select
import selectors
import signal
import subprocess
import time
from dataclasses import dataclass
from typing import Mapping

# Enough for what the processor printed last; not for what it left behind.
DRAIN_S = 1.0
READ_SIZE = 64 * 1024


@dataclass(frozen=True)
class Exchange:
    returncode: int
    stdout: bytes
    stderr: bytes
    timed_out: bool


def run_processor(command: str, data: bytes, environ: Mapping[str, str], timeout_s: float) -> Exchange:
    """Raises OSError when the processor cannot be started."""
    process = subprocess.Popen(
        [command],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(environ),
        start_new_session=True,
    )
    output = {process.stdout: bytearray(), process.stderr: bytearray()}
    pending = memoryview(data)
    deadline = time.monotonic() + timeout_s
    timed_out = False
    drained_by = None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdin, selectors.EVENT_WRITE)
        for stream in output:
            selector.register(stream, selectors.EVENT_READ)
        while any(key.fileobj in output for key in selector.get_map().values()):
            now = time.monotonic()
            if drained_by is None and now >= deadline:
                timed_out = True
                _end_group(process.pid)
            if drained_by is None and _has_exited(process.pid):
                _end_group(process.pid)  # what it left running; its pid is not reaped yet, so not reused
                drained_by = now + DRAIN_S
            if drained_by is not None and now >= drained_by:
                break
            for key, _ in selector.select(0.05):
                if key.fileobj is process.stdin:
                    pending = _feed(selector, process.stdin, pending)
                    continue
                chunk = os.read(key.fd, READ_SIZE)
                if chunk:
                    output[key.fileobj] += chunk
                else:
                    selector.unregister(key.fileobj)
    for stream in (process.stdin, process.stdout, process.stderr):
        with contextlib.suppress(OSError):
            stream.close()
    process.wait()
    return Exchange(process.returncode, bytes(output[process.stdout]), bytes(output[process.stderr]), timed_out)


def _feed(selector, stdin, pending: memoryview) -> memoryview:
    """Writes what fits without blocking; closes stdin once all is written, or when the processor stopped reading."""
    try:
        pending = pending[os.write(stdin.fileno(), pending[: select.PIPE_BUF]) :]
    except BrokenPipeError:
        pending = pending[:0]
    if not pending:
        selector.unregister(stdin)
        stdin.close()
    return pending


def _has_exited(pid: int) -> bool:
    """Whether the processor has exited, without reaping it."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def _end_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # nothing left in it
        os.killpg(pid, signal.SIGKILL)
