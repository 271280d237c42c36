"""The Modal session: one process per step that loads the Modal client once and does every Modal operation.

    python3 session.py MODAL_BIN_DIR   (started by src/modal/session-process.ts; protocol in docs/internals.md)

Requests arrive as JSON lines on fd 3, answers leave as JSON lines on fd 4, so that stdout and stderr carry only
what the client and the user's module print (the deploy's output), exactly as `modal deploy` would. The first
line on fd 4 is the handshake. The session holds no policy: it reports what the client returned or raised, with
the exception's type chain and text; retries, error codes and messages are decided by the caller.
Nothing here reads a secret's value.
"""

import fcntl
import io
import json
import os
import select
import signal
import sys
import threading
import time
import traceback

PROTOCOL = 1
REQUEST_FD, ANSWER_FD = 3, 4
# Ends a request's output on stdout and stderr: the record separator, then the request's id.
OUTPUT_END = "\x1e"
# Where the protocol pipes are moved to, out of the way of the module's own file descriptors.
PROTOCOL_FD_FLOOR = 200
# What a `cli` answer keeps of each stream: the end, where the outcome and the error panel are.
CAPTURE_LIMIT = 1024 * 1024
# How long a session whose caller is gone waits for its calls' cancels before it ends its process group.
STOP_GRACE_SECONDS = 5


class BadRequest(ValueError):
    """The request does not fit the protocol: a bug on the caller's side, reported as such."""


def raised(error: BaseException, stage: str | None = None) -> dict:
    """What the client raised, as facts: the type, every class it is an instance of, and its text."""
    chain = [f"{cls.__module__}.{cls.__qualname__}" for cls in type(error).__mro__]
    return {"type": type(error).__name__, "chain": chain, "message": str(error), "stage": stage}


class Raised(Exception):
    """What the client raised during a stage of an operation (the caller must know which stage failed), with the
    facts of the function call it concerns, when one had started."""

    def __init__(self, error: Exception, stage: str, function_call: dict | None = None):
        super().__init__(str(error))
        self.error, self.stage, self.function_call = error, stage, function_call


class SessionStopped(BaseException):
    """The session was told to stop (SIGTERM, SIGINT) while it waited for a request."""


def field(request: dict, name: str, kind: type, *, optional: bool = False):
    value = request.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise BadRequest(f"'{name}' must be of type {kind.__name__}")
    return value


# --- streams ----------------------------------------------------------------------------------------------------


class Tee(io.TextIOBase):
    """A text stream that writes through to the session's real stream (live output for the caller) and keeps the
    last CAPTURE_LIMIT characters for the answer. Not a terminal, like the GitHub runner's pipes."""

    def __init__(self, target):
        super().__init__()
        self.target = target
        self.chunks: list[str] = []
        self.size = 0

    @property
    def encoding(self):
        return "utf-8"

    def writable(self):
        return True

    def isatty(self):
        return False

    def fileno(self):
        return self.target.fileno()

    def write(self, text):
        self.target.write(text)
        self.chunks.append(text)
        self.size += len(text)
        if self.size > 2 * CAPTURE_LIMIT:
            self.chunks = [self.captured()]
            self.size = len(self.chunks[0])
        return len(text)

    def flush(self):
        self.target.flush()

    def captured(self) -> str:
        return "".join(self.chunks)[-CAPTURE_LIMIT:]


# --- the operations ---------------------------------------------------------------------------------------------


class Session:
    def __init__(self, modal):
        self.modal = modal
        # Calls started and not yet answered, by function-call id: what a stop must cancel.
        self.in_flight: dict[str, object] = {}
        # What each cancel sent met: None when Modal took it, else what the client raised.
        self.cancels: dict[str, dict | None] = {}
        # `idle` (waiting for a request), `calling` (a call request) or `busy` (any other request).
        self.phase = "idle"
        self.stopped_by: str | None = None

    def stop(self, why: str) -> None:
        """Told to stop (SIGTERM, SIGINT; the watchers below send SIGTERM): runs in the main thread, as a signal
        handler. A wait for a request or for a call is left at once (the call is then cancelled with its containers,
        and the answer says so); any other request ends first, then the session."""
        first = self.stopped_by is None
        self.stopped_by = self.stopped_by or why
        if first and self.phase in ("idle", "calling"):
            raise SessionStopped(why)

    def cancel(self, function_call_id: str) -> None:
        call = self.in_flight.pop(function_call_id, None)
        if call is None:
            return
        try:
            call.cancel(terminate_containers=True)
            self.cancels[function_call_id] = None
        except Exception as error:  # noqa: BLE001 - reported as a fact; the caller says what it means
            self.cancels[function_call_id] = raised(error)

    def authenticate(self, request: dict):
        self.modal.Client.from_env()
        return None

    def environment(self, request: dict):
        self.modal.Environment.from_name(field(request, "name", str)).hydrate()
        return None

    def secret(self, request: dict):
        keys = field(request, "required_keys", list)
        if not all(isinstance(key, str) for key in keys):
            raise BadRequest("'required_keys' must be a list of strings")
        environment = field(request, "environment", str)
        self.modal.Secret.from_name(field(request, "name", str), environment_name=environment, required_keys=keys).hydrate()
        return None

    def app(self, request: dict):
        app = self.modal.App.lookup(field(request, "name", str), environment_name=field(request, "environment", str))
        return {"app_id": app.app_id}

    def call(self, request: dict):
        """Looks the function up (stage `lookup`), then spawns it once and waits for its output at most `timeout`
        seconds (stage `call`): the caller must know which failed, since a failure of the call itself may have run
        the processor. A call that does not end well (no output in time, an error, a stop) is cancelled on Modal with
        its containers; the answer carries the call's facts: its id, whether the wait timed out, the cancel."""
        self.phase = "calling"
        timeout = request.get("timeout")
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0):
            raise BadRequest("'timeout' must be a number of seconds")
        version = field(request, "version", int, optional=True)
        pin = {} if version is None else {"version": version}
        lookup = (field(request, "app", str), field(request, "function", str), field(request, "environment", str))
        try:
            function = self.modal.Function.from_name(lookup[0], lookup[1], environment_name=lookup[2], **pin).hydrate()
        except Exception as error:
            raise Raised(error, "lookup") from None
        return self.spawn_and_wait(function, request.get("payload", {}), timeout)

    def spawn_and_wait(self, function, payload, timeout):
        # Not interrupted while the call starts (its id would be lost): a stop then is seen right after.
        self.phase = "busy"
        try:
            call = function.spawn(payload)
            function_call_id = call.object_id
            self.in_flight[function_call_id] = call
        except Exception as error:
            raise Raised(error, "call") from None
        try:
            self.phase = "calling"
            if self.stopped_by is not None:  # told to stop while the call was being started
                raise SessionStopped(self.stopped_by)
            result = call.get(timeout=timeout)
        except BaseException as error:
            self.phase = "busy"  # a stop from here on waits for the answer
            # The built-in TimeoutError is the wait's; Modal's own timeouts (the function's) are modal.exception errors.
            timed_out = isinstance(error, TimeoutError) and not isinstance(error, self.modal.exception.Error)
            self.cancel(function_call_id)
            raise Raised(error, "call", self.call_facts(function_call_id, timed_out)) from None
        self.in_flight.pop(function_call_id, None)
        return {"function_call_id": function_call_id, "result": result}

    def call_facts(self, function_call_id: str, timed_out: bool) -> dict:
        cancelled = function_call_id in self.cancels
        return {
            "function_call_id": function_call_id,
            "timed_out": timed_out,
            "cancelled": cancelled and self.cancels[function_call_id] is None,
            "cancel_raised": self.cancels.get(function_call_id),
            "stopped_by": self.stopped_by,
        }

    def cli(self, request: dict):
        """`modal <args>` in this process, through the CLI's own entry point (what `python -m modal` runs), with
        cwd, argv and environment as the command would have them; stdout, stderr and the exit code as facts.
        Whatever the command changes of the process (environment, cwd, argv, sys.path, streams) is put back."""
        args = field(request, "args", list)
        extra_env = request.get("env") or {}
        if not all(isinstance(arg, str) for arg in args) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in extra_env.items()
        ):
            raise BadRequest("'args' must be strings and 'env' a map of strings")
        cwd = field(request, "cwd", str, optional=True)
        from modal.__main__ import main as modal_main

        saved = (dict(os.environ), os.getcwd(), sys.argv, list(sys.path), sys.stdout, sys.stderr)
        out, err = Tee(sys.stdout), Tee(sys.stderr)
        try:
            os.environ.update(extra_env)
            if cwd is not None:
                os.chdir(cwd)
            sys.argv = ["modal", *args]
            sys.stdout, sys.stderr = out, err
            exit_code = run_like_a_process(modal_main)
        finally:
            out.flush()
            err.flush()
            environ, cwd_before, sys.argv, sys.path[:], sys.stdout, sys.stderr = saved
            os.environ.clear()
            os.environ.update(environ)
            os.chdir(cwd_before)
        return {"exit_code": exit_code, "stdout": out.captured(), "stderr": err.captured()}


def run_like_a_process(entry_point) -> int:
    """The exit code a process running `entry_point` would have had: SystemExit as Python maps it, and an
    uncaught exception printed as a traceback with code 1."""
    try:
        entry_point()
        return 0
    except SystemExit as exit_request:
        code = exit_request.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    except BaseException:  # noqa: BLE001 - a process would print it and exit 1; so does the session
        traceback.print_exc()
        return 1


OPERATIONS = ("authenticate", "environment", "secret", "app", "call", "cli")


def answer(session: Session, line: bytes) -> dict:
    try:
        request = json.loads(line)
    except (ValueError, RecursionError) as error:  # RecursionError: nested deeper than Python parses
        return {"id": None, "bad_request": f"not JSON: {error}"}
    request_id = request.get("id") if isinstance(request, dict) else None
    if not isinstance(request, dict) or not isinstance(request_id, int) or request.get("op") not in OPERATIONS:
        return {"id": request_id, "bad_request": f"a request needs an integer 'id' and an 'op' of {', '.join(OPERATIONS)}"}
    try:
        return {"id": request_id, "ok": True, "value": getattr(session, request["op"])(request)}
    except BadRequest as error:
        return {"id": request_id, "bad_request": str(error)}
    except Raised as error:
        reply = {"id": request_id, "ok": False, "raised": raised(error.error, stage=error.stage)}
        if error.function_call is not None:
            reply["function_call"] = error.function_call
        return reply
    except Exception as error:  # noqa: BLE001 - what the client raised is the answer
        return {"id": request_id, "ok": False, "raised": raised(error)}


def load_client():
    """`import modal` once for the whole session; the handshake says what it loaded (or why it could not)."""
    try:
        import modal
        import modal.exception
    except Exception as error:  # noqa: BLE001 - a broken install fails in many ways; all mean "no client"
        return None, raised(error)
    if not hasattr(modal, "App"):
        where = getattr(modal, "__file__", "?")
        return None, raised(ImportError(f"the 'modal' package at {where} is not Modal's client (it has no modal.App)"))
    return modal, None


def protocol_pipes():
    """The request and answer pipes, moved above PROTOCOL_FD_FLOOR and closed on exec: a module that writes to fd 4,
    or a program it starts, cannot reach them by accident."""
    moved = []
    for fd in (REQUEST_FD, ANSWER_FD):
        moved.append(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, PROTOCOL_FD_FLOOR))
        os.close(fd)
    return os.fdopen(moved[0], "rb"), os.fdopen(moved[1], "wb", buffering=0)


def watch_parent(session_ref: list) -> None:
    """A session whose caller died (killed outright, no chance to clean up) cancels its calls in flight, then ends
    its process group itself."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        if session_ref and session_ref[0].in_flight:
            os.kill(os.getpid(), signal.SIGTERM)  # the main thread cancels the calls, then ends the group
            time.sleep(STOP_GRACE_SECONDS)
        os.killpg(os.getpgrp(), signal.SIGKILL)

    threading.Thread(target=watch, name="session-parent-watch", daemon=True).start()


def watch_requests_during_calls(requests, session: "Session") -> None:
    """The request pipe closing while a call runs (the caller ended or died) stops the session: its calls are
    cancelled. Between requests, the read of the next one sees the end of the pipe by itself."""
    poller = select.poll()
    poller.register(requests.fileno(), select.POLLHUP | select.POLLERR)

    def watch():
        while True:
            events = poller.poll(200)
            if events and session.phase == "calling":
                os.kill(os.getpid(), signal.SIGTERM)
                return
            if events:
                time.sleep(0.2)  # closed between calls: the main loop is ending by itself

    threading.Thread(target=watch, name="session-request-watch", daemon=True).start()


def stop_on_signals(session: "Session") -> None:
    """SIGTERM and SIGINT stop the session: calls in flight are cancelled before it exits (the caller kills the
    process group a few seconds later)."""

    def handler(signum, _frame):
        session.stop(signal.Signals(signum).name)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, handler)


def encode(message: dict) -> bytes:
    try:
        # Strict JSON: NaN or Infinity would not parse on the other side.
        line = json.dumps(message, default=str, allow_nan=False)
    except (TypeError, ValueError) as error:  # a value JSON cannot hold (NaN, a cycle, a tuple key): say so
        line = json.dumps({"id": message.get("id"), "ok": False, "raised": raised(error, stage="answer")})
    return line.encode() + b"\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: session.py MODAL_BIN_DIR  (requests on fd 3, answers on fd 4)", file=sys.stderr)
        return 2
    # As for the `modal` console script, the first import path is the folder of the script, not this one.
    sys.path[0] = argv[0]
    requests, answers = protocol_pipes()
    session_ref: list[Session] = []
    if os.getpgrp() == os.getpid():  # the caller made the session lead its own group (it always does)
        watch_parent(session_ref)

    streams = (sys.stdout, sys.stderr)

    def send(message: dict) -> None:
        # The output of a request comes before its answer. The pipes are read apart, so each stream also ends the
        # request's output with a marker line (the caller waits for both, and keeps them out of the output).
        for stream in streams:
            try:
                if "id" in message:
                    stream.write(f"{OUTPUT_END}{message['id']}\n")
                stream.flush()
            except (OSError, ValueError):  # a module closed the stream: the caller waits a moment, then goes on
                pass
        answers.write(encode(message))

    modal, import_error = load_client()
    python = ".".join(map(str, sys.version_info[:3]))
    client_version = getattr(modal, "__version__", None) if modal else None
    send({"protocol": PROTOCOL, "python": python, "client_version": client_version, "import_error": import_error})
    if modal is None:
        return 0
    session = Session(modal)
    session_ref.append(session)
    stop_on_signals(session)
    watch_requests_during_calls(requests, session)
    try:
        for line in requests:
            session.phase = "busy"
            if line.strip():
                send(answer(session, line))
            session.phase = "idle"
            if session.stopped_by is not None:
                break
    except SessionStopped:
        session.phase = "busy"
    for function_call_id in list(session.in_flight):  # stopped while a call was being started
        session.cancel(function_call_id)
    if session.stopped_by is not None and os.getpgrp() == os.getpid():
        # A stopped session ends what the module or the client left running in its group, itself last.
        os.killpg(os.getpgrp(), signal.SIGKILL)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
