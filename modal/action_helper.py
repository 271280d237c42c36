"""The action's Python process: `python3 action_helper.py <preflight|smoke>`.

Request: one JSON object on stdin. Answer: one JSON object, the last line on stdout; exit 0
whenever an answer was written, even one that reports a problem (see docs/internals.md).
`modal` is imported inside the functions so that a missing client is an answer too.
Nothing here reads a secret's value; only names, key names and server messages are reported.
"""

import contextlib
import io
import json
import re
import sys

USAGE = "usage: action_helper.py <preflight|smoke> < request.json"
# The phases of a request, each with its own reading of an error.
PREFLIGHT, FUNCTION_LOOKUP, REMOTE_CALL = "preflight", "function_lookup", "remote_call"

TOKEN_MISSING_PATTERN = re.compile(r"Token missing|Modal profile '.*' was not found")
ENVIRONMENT_NOT_FOUND_PATTERN = re.compile(r"Environment '.*' not found|Invalid Environment name")
MISSING_KEYS_PATTERN = re.compile(r"Secret is missing key\(s\): *(.*)")
SECRET_KEY_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TRANSIENT_PATTERN = re.compile(
    r"connection refused|connection reset|could not connect to the modal server|\bunavailable\b"
    r"|deadline exceeded|rate limit|too many requests",
    re.IGNORECASE,
)
# Some environments force colours even without a TTY (FORCE_COLOR); JSON must be read without them.
ANSI_ESCAPE_PATTERN = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class HelperError(Exception):
    """A problem already classified into one of the answer's error kinds."""

    def __init__(self, kind: str, error_type: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.error_type = error_type
        self.message = message


class InvalidRequest(ValueError):
    pass


def main(argv: list[str], stdin=sys.stdin, stdout=sys.stdout) -> int:
    commands = {"preflight": preflight, "smoke": smoke}
    if len(argv) != 1 or argv[0] not in commands:
        print(USAGE, file=sys.stderr)
        return 2
    # Anything the client prints goes to stderr, so the answer stays the last line of stdout.
    with contextlib.redirect_stdout(sys.stderr):
        answer = answer_request(commands[argv[0]], stdin.read())
    stdout.write(json.dumps(answer, default=str) + "\n")
    stdout.flush()
    return 0


def answer_request(command, request_text: str) -> dict:
    try:
        return command(parse_request(request_text))
    except HelperError as error:
        return error_answer(error.kind, error.error_type, error.message)
    except InvalidRequest as error:
        return error_answer("unexpected", "InvalidRequest", str(error))
    except Exception as error:  # noqa: BLE001 - the caller needs an answer, not a traceback
        return error_answer("unexpected", type(error).__name__, str(error))


def error_answer(kind: str, error_type: str, message: str) -> dict:
    return {"ok": False, "error": {"kind": kind, "type": error_type, "message": message}}


def parse_request(text: str) -> dict:
    try:
        request = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidRequest(f"the request on stdin is not JSON: {error}") from None
    if not isinstance(request, dict):
        raise InvalidRequest("the request on stdin must be a JSON object")
    for field in ("environment", "app_name"):
        if not isinstance(request.get(field), str) or not request[field]:
            raise InvalidRequest(f"the request needs a non-empty string '{field}'")
    return request


# --- preflight ---------------------------------------------------------------


def preflight(request: dict) -> dict:
    environment = request["environment"]
    secrets = parse_secret_requests(request.get("secrets", []))
    modal = load_client()
    with classified_errors(modal, PREFLIGHT):
        modal.Client.from_env()
        modal.Environment.from_name(environment).hydrate()
        secret_reports = [check_secret(modal, secret, environment) for secret in secrets]
        app_report = check_app(modal, request["app_name"], environment)
    return {
        "ok": True,
        "client_version": getattr(modal, "__version__", None),
        "secrets": secret_reports,
        "app": app_report,
    }


def parse_secret_requests(secrets: object) -> list[dict]:
    if not isinstance(secrets, list):
        raise InvalidRequest("'secrets' must be a list")
    parsed = []
    for secret in secrets:
        if not isinstance(secret, dict) or not isinstance(secret.get("name"), str):
            raise InvalidRequest(f"each secret needs a string 'name', got {secret!r}")
        keys = secret.get("keys", [])
        if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
            raise InvalidRequest(f"secret '{secret['name']}': 'keys' must be a list of strings")
        parsed.append({"name": secret["name"], "keys": keys, "optional": bool(secret.get("optional", False))})
    return parsed


def check_secret(modal, secret: dict, environment: str) -> dict:
    """found / missing / missing_keys; anything else (token, network) is fatal and propagates."""
    report = {
        "name": secret["name"],
        "optional": secret["optional"],
        "status": "found",
        "missing_keys": [],
        "message": None,
    }
    try:
        modal.Secret.from_name(secret["name"], environment_name=environment, required_keys=secret["keys"]).hydrate()
    except Exception as error:
        # Checked by message first: the server's FAILED_PRECONDITION text is the stable part,
        # the exception type differs between clients (ConflictError here, NotFoundError in JS).
        missing_keys = MISSING_KEYS_PATTERN.search(str(error))
        if missing_keys:
            keys = SECRET_KEY_PATTERN.findall(missing_keys.group(1))
            report.update(status="missing_keys", missing_keys=keys, message=str(error))
        elif isinstance(error, modal.exception.NotFoundError):
            report.update(status="missing", message=str(error))
        else:
            raise
    return report


def check_app(modal, app_name: str, environment: str) -> dict:
    try:
        app = modal.App.lookup(app_name, environment_name=environment)
    except modal.exception.NotFoundError:
        return {"exists": False}
    return {"exists": True, "app_id": app.app_id, "history": deployment_history(modal, app_name, environment)}


def deployment_history(modal, app_name: str, environment: str) -> list[dict]:
    from modal.cli.entry_point import entrypoint_cli

    captured = io.StringIO()
    # Without enable_output() the client's output manager discards the table.
    with modal.enable_output(), contextlib.redirect_stdout(captured):
        entrypoint_cli.main(["app", "history", app_name, "--env", environment, "--json"], standalone_mode=False)
    rows = json.loads(ANSI_ESCAPE_PATTERN.sub("", captured.getvalue()))
    history = [history_row(row) for row in rows]
    return sorted(history, key=lambda row: row["version"], reverse=True)


def history_row(row: dict) -> dict:
    # Clients before 1.5 used the column titles as keys ("Time deployed"); 1.5+ use snake_case.
    fields = {re.sub(r"[^a-zA-Z0-9]+", "_", key).lower().strip("_"): value for key, value in row.items()}
    return {
        "version": int(str(fields["version"]).lstrip("v")),
        "tag": fields.get("tag") or None,
        "time_deployed": fields.get("time_deployed"),
        "deployed_by": fields.get("deployed_by"),
    }


# --- smoke -------------------------------------------------------------------


def smoke(request: dict) -> dict:
    function_name = request.get("function", "run")
    version = request.get("version")
    if not isinstance(function_name, str) or not function_name:
        raise InvalidRequest("'function' must be a non-empty string")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool) or version < 1):
        raise InvalidRequest("'version' must be a positive integer or null")
    modal = load_client()
    environment, app_name = request["environment"], request["app_name"]
    with classified_errors(modal, FUNCTION_LOOKUP):
        app_id = modal.App.lookup(app_name, environment_name=environment).app_id
        pin = {"version": version} if version is not None else {}
        function = modal.Function.from_name(app_name, function_name, environment_name=environment, **pin)
    with classified_errors(modal, REMOTE_CALL):
        result = function.remote(request.get("payload", {}))
    return {"ok": True, "app_id": app_id, "result": result}


# --- client loading and error classification ---------------------------------


def load_client():
    try:
        import modal
        import modal.exception
    except Exception as error:  # noqa: BLE001 - a broken install fails in many ways; all mean "no client"
        raise HelperError(
            "client_missing",
            type(error).__name__,
            f"the Modal client could not be imported ({error}); install it with `pip install modal`",
        ) from None
    if not hasattr(modal, "App"):
        raise HelperError(
            "client_missing",
            "ImportError",
            f"the 'modal' package at {getattr(modal, '__file__', '?')} is not Modal's client (it has no modal.App)",
        )
    return modal


@contextlib.contextmanager
def classified_errors(modal, phase: str):
    try:
        yield
    except HelperError:
        raise
    except Exception as error:
        raise HelperError(classify(modal, error, phase), type(error).__name__, str(error)) from None


def classify(modal, error: Exception, phase: str) -> str:
    """The answer's error kind, from the exception type and the server's message."""
    exceptions = modal.exception
    message = str(error)
    if TOKEN_MISSING_PATTERN.search(message):
        return "token_missing"
    if isinstance(error, exceptions.AuthError):
        return "token_rejected"
    if phase == PREFLIGHT:
        if ENVIRONMENT_NOT_FOUND_PATTERN.search(message):
            return "environment_not_found"
    # A smoke call has no environment_not_found kind: without the environment there is no function.
    elif isinstance(error, exceptions.NotFoundError) or ENVIRONMENT_NOT_FOUND_PATTERN.search(message):
        return "function_not_found"
    if phase == REMOTE_CALL and isinstance(error, exceptions.FunctionTimeoutError):
        return "function_timeout"
    # A failure during the call itself is never called transient: the caller would run the processor again
    # (in real mode, against a paid provider), and an error raised by `run` must not be retried.
    if phase != REMOTE_CALL and is_transient(exceptions, error):
        return "transient"
    if phase == REMOTE_CALL and is_remote_failure(exceptions, error):
        return "remote_error"
    return "unexpected"


def is_transient(exceptions, error: Exception) -> bool:
    transient_types = (ConnectionError, TimeoutError, exceptions.ConnectionError, exceptions.ServiceError)
    return isinstance(error, transient_types) or bool(TRANSIENT_PATTERN.search(str(error)))


def is_remote_failure(exceptions, error: Exception) -> bool:
    # .remote() re-raises the function's own exception with its original (non-Modal) type.
    return isinstance(error, (exceptions.RemoteError, exceptions.ExecutionError)) or not isinstance(
        error, exceptions.Error
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
