"""Deploy configuration and the processor call that `run` performs. Standard library only.

`modal_app.py` reads its configuration here (from the deploy job's environment on the
deploying machine, from the variables baked into the image inside the container) and
its `run` function delegates to `invoke_processor`.
"""

import json
import os
import re
import shutil
import signal
import time
from dataclasses import dataclass
from typing import Mapping

from processor_naming import InvalidProcessorRef, modal_app_name_from_ref
from processor_process import run_processor

DEFAULT_REGISTRY_SECRET = "REGISTRY_AUTH"
DEFAULT_ADD_PYTHON = "3.12"
DEFAULT_TIMEOUT_S = 300
# Below 10 s there is no room left for the processor after the run function's own overhead;
# 24 h is Modal's maximum function timeout.
MIN_TIMEOUT_S = 10
MAX_TIMEOUT_S = 86_400
NONE_VALUE = "none"

STDERR_TAIL_MAX_CHARS = 2000
ENVELOPE_SCHEMA = "v1"
ENVELOPE_MODES = ("mock", "real")
ENVELOPE_KEYS = ("schema", "mode", "params")

EXAMPLE_DIGEST = "sha256:" + "0123456789abcdef" * 4
EXAMPLE_IMAGE_REF = f"ghcr.io/org/img:1.0.0@{EXAMPLE_DIGEST}"

# These rules also exist in the action (src/rules/image-ref.ts, naming.ts, secrets-policy.ts), for deploys by hand:
# test-vectors/image-refs.json and names.json pin both languages to the same answers.
# A registry host has a dot or a port, or is localhost; otherwise the first component is part of the repository path
# and must be lower-case.
_IMAGE_HOST = r"(?:localhost|[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+)(?::[0-9]{1,5})?|[a-zA-Z0-9-]+:[0-9]{1,5}"
_IMAGE_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_IMAGE_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
IMAGE_NAME_PATTERN = re.compile(
    rf"(?:(?:{_IMAGE_HOST})/)?{_IMAGE_PATH_COMPONENT}(?:/{_IMAGE_PATH_COMPONENT})*(?::{_IMAGE_TAG})?"
)
DIGEST_PATTERN = re.compile(r"sha256:[0-9a-f]{64}")
# A tool secret's name is also the one key it must hold (OPENAI_API_KEY holds OPENAI_API_KEY).
TOOL_SECRET_NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
# Modal's own object-name rule (docs/modal-client.md#names), which App and Secret names must follow.
# A tool secret becomes an environment variable of the container, over whatever was there: these names belong to the
# runtime (test-vectors/tool-secret-names.json pins the same list in src/rules/secrets-policy.ts), each group with why.
RUNTIME_OWNED = (
    (
        ("PROCESSOR_REF", "IMAGE_REF", "TOOL_SECRETS", "PROCESSOR_COMMAND", "PROCESSOR_TIMEOUT", "REGISTRY_SECRET"),
        ("MODAL_",),
        "the Modal module and Modal set it in the container and read it there",
    ),
    (
        ("PATH", "NODE_OPTIONS", "NODE_PATH", "BASH_ENV", "ENV", "IFS", "SHELL"),
        ("LD_", "PYTHON"),
        "it decides which program runs and what it loads at start",
    ),
    (("HOME", "USER", "LOGNAME", "PWD", "OLDPWD", "HOSTNAME", "TMPDIR"), (), "the container sets it for the processor"),
    ((), ("GITHUB_", "RUNNER_", "ACTIONS_"), "the GitHub runner sets it"),
)
MODAL_OBJECT_NAME_PATTERN = re.compile(r"[a-zA-Z0-9._-]{1,64}")
MODAL_APP_ID_PATTERN = re.compile(r"ap-[a-zA-Z0-9]{22}")
PYTHON_SERIES_PATTERN = re.compile(r"3\.[0-9]{1,2}t?")


class ConfigError(ValueError):
    """Every problem found in the deploy environment, one per line."""

    def __init__(self, problems: list[str]):
        count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
        super().__init__(f"Invalid processor deploy configuration ({count}):\n" + "\n".join(f"- {p}" for p in problems))
        self.problems = problems


class InvalidEnvelope(ValueError):
    """A `run` input that is not `{"schema": "v1", "mode": "mock"|"real", "params": {...}}`."""


@dataclass(frozen=True)
class ToolSecret:
    name: str
    optional: bool


@dataclass(frozen=True)
class DeployConfig:
    processor_ref: str
    app_name: str
    image_ref: str
    tool_secrets: tuple[ToolSecret, ...]
    registry_secret: str | None
    add_python: str | None
    timeout_s: int


def load_deploy_config(environ: Mapping[str, str]) -> DeployConfig:
    """Read and check every deploy variable, reporting all problems in one ConfigError."""
    problems: list[str] = []

    def read(parse, variable: str):
        try:
            return parse(environ.get(variable, "").strip())
        except ValueError as error:
            problems.append(f"{variable}: {error}")
            return None

    # In the order of the documented table, so the report reads like it.
    values = {
        "processor_ref": read(_parse_processor_ref, "PROCESSOR_REF"),
        "image_ref": read(_parse_image_ref, "IMAGE_REF"),
        "tool_secrets": read(_parse_tool_secrets, "TOOL_SECRETS"),
        "app_name": read(_parse_app_name, "MODAL_APP_NAME"),
        "registry_secret": read(_parse_registry_secret, "REGISTRY_SECRET"),
        "add_python": read(_parse_add_python, "MODAL_ADD_PYTHON"),
        "timeout_s": read(_parse_timeout, "PROCESSOR_TIMEOUT"),
    }
    if problems:
        raise ConfigError(problems)
    values["app_name"] = values["app_name"] or modal_app_name_from_ref(values["processor_ref"])
    return DeployConfig(**values)


def image_env(config: DeployConfig) -> dict[str, str]:
    """The variables baked into the image, from which `load_deploy_config` rebuilds the same config.

    Modal imports `modal_app` again inside the container, where the deploy job's
    environment does not exist.
    """
    return {
        "PROCESSOR_REF": config.processor_ref,
        "MODAL_APP_NAME": config.app_name,
        "IMAGE_REF": config.image_ref,
        "TOOL_SECRETS": ",".join(s.name + ("?" if s.optional else "") for s in config.tool_secrets),
        "REGISTRY_SECRET": config.registry_secret or NONE_VALUE,
        "MODAL_ADD_PYTHON": config.add_python or NONE_VALUE,
        "PROCESSOR_TIMEOUT": str(config.timeout_s),
    }


def processor_deadline_s(function_timeout_s: int) -> float:
    """The processor's own timeout: shorter than the function's, so `run` can still report it."""
    return function_timeout_s - min(10.0, function_timeout_s / 10)


def _parse_processor_ref(value: str) -> str:
    if not value:
        raise ValueError("required, e.g. PROCESSOR_REF=llm/litellm@1")
    try:
        modal_app_name_from_ref(value)
    except InvalidProcessorRef as error:
        raise ValueError(str(error)) from None
    return value


def _parse_app_name(value: str) -> str | None:
    if not value:
        return None
    if not MODAL_OBJECT_NAME_PATTERN.fullmatch(value) or MODAL_APP_ID_PATTERN.fullmatch(value):
        raise ValueError(
            f"'{value}' is not a valid Modal App name (1-64 letters, digits, '-', '_' or '.', not an App ID), "
            "e.g. MODAL_APP_NAME=llm-litellm-sandbox; leave it unset to use the name derived from PROCESSOR_REF"
        )
    return value


def _parse_image_ref(value: str) -> str:
    example = f"e.g. IMAGE_REF={EXAMPLE_IMAGE_REF}"
    if not value:
        raise ValueError(f"required, the processor image pinned by digest, {example}")
    name, separator, digest = value.partition("@")
    if not separator:
        raise ValueError(f"'{value}' is not pinned by digest; append @sha256:<64 lowercase hex>, {example}")
    if not DIGEST_PATTERN.fullmatch(digest):
        raise ValueError(f"'{value}' has a malformed digest; it must be sha256:<64 lowercase hex>, {example}")
    if not IMAGE_NAME_PATTERN.fullmatch(name):
        raise ValueError(f"'{value}' has a malformed repository or tag before '@', {example}")
    if len(name) > 255:
        raise ValueError(f"'{value}' has a repository name longer than 255 characters, {example}")
    return value


def _parse_tool_secrets(value: str) -> tuple[ToolSecret, ...]:
    secrets: list[ToolSecret] = []
    problems: list[str] = []
    for item in filter(None, (part.strip() for part in re.split(r"[,\n]", value))):
        name = item.removesuffix("?")
        if not TOOL_SECRET_NAME_PATTERN.fullmatch(name):
            problems.append(f"'{item}' is not a valid secret name (letters, digits and '_', not starting with a digit)")
        elif name in (secret.name for secret in secrets):
            problems.append(f"'{name}' is listed more than once")
        elif why := runtime_ownership(name):
            problems.append(
                f"'{name}' is a variable the runtime owns ({why}): a secret of that name would override it inside "
                f"the container; rename the secret (e.g. MYTOOL_{name}) and read it under the new name in the processor"
            )
        else:
            secrets.append(ToolSecret(name, optional=item.endswith("?")))
    if problems:
        raise ValueError("; ".join(problems) + ", e.g. TOOL_SECRETS=OPENAI_API_KEY,LITELLM_API_BASE?")
    return tuple(secrets)


def runtime_ownership(name: str) -> str | None:
    """Why the runtime owns the variable `name`, or None when a secret may take that name."""
    for names, prefixes, why in RUNTIME_OWNED:
        if name in names or name.startswith(prefixes):
            return why
    return None


def _parse_registry_secret(value: str) -> str | None:
    if not value:
        return DEFAULT_REGISTRY_SECRET
    if value == NONE_VALUE:
        return None
    if not MODAL_OBJECT_NAME_PATTERN.fullmatch(value):
        raise ValueError(
            f"'{value}' is not a valid Modal Secret name, e.g. REGISTRY_SECRET={DEFAULT_REGISTRY_SECRET}, "
            f"or REGISTRY_SECRET={NONE_VALUE} for a public image"
        )
    return value


def _parse_add_python(value: str) -> str | None:
    if not value:
        return DEFAULT_ADD_PYTHON
    if value == NONE_VALUE:
        return None
    if not PYTHON_SERIES_PATTERN.fullmatch(value):
        raise ValueError(
            f"'{value}' is not a Python series; use major.minor, e.g. MODAL_ADD_PYTHON={DEFAULT_ADD_PYTHON}, "
            f"or MODAL_ADD_PYTHON={NONE_VALUE} when the image has its own Python"
        )
    return value


def _parse_timeout(value: str) -> int:
    if not value:
        return DEFAULT_TIMEOUT_S
    if not re.fullmatch(r"[0-9]+", value) or not MIN_TIMEOUT_S <= int(value) <= MAX_TIMEOUT_S:
        raise ValueError(
            f"'{value}' is not a whole number of seconds between {MIN_TIMEOUT_S} and {MAX_TIMEOUT_S}, "
            f"e.g. PROCESSOR_TIMEOUT={DEFAULT_TIMEOUT_S}"
        )
    return int(value)


def validate_envelope(envelope: object) -> None:
    """Raise InvalidEnvelope naming every problem of a `run` input."""
    if not isinstance(envelope, dict):
        raise InvalidEnvelope(
            f"the input must be an object like "
            f'{{"schema": "v1", "mode": "mock", "params": {{}}}}, got {type(envelope).__name__}'
        )
    problems = []
    if envelope.get("schema") != ENVELOPE_SCHEMA:
        problems.append(f"schema must be {ENVELOPE_SCHEMA!r}, got {envelope.get('schema')!r}")
    if envelope.get("mode") not in ENVELOPE_MODES:
        problems.append(f"mode must be 'mock' or 'real', got {envelope.get('mode')!r}")
    if not isinstance(envelope.get("params"), dict):
        problems.append(f"params must be an object, got {type(envelope.get('params')).__name__}")
    unknown = sorted(str(key) for key in envelope if key not in ENVELOPE_KEYS)
    if unknown:
        problems.append(f"unknown keys: {', '.join(unknown)}")
    if not problems:
        try:
            json.dumps(envelope, allow_nan=False)
        except (TypeError, ValueError) as error:
            problems.append(f"the input is not JSON-serialisable: {error}")
    if problems:
        raise InvalidEnvelope("; ".join(problems))


def invoke_processor(envelope: object, environ: Mapping[str, str], timeout_s: float, ref: str) -> dict:
    """Run the processor on one envelope and describe the outcome; never raises for a processor failure."""
    mode = envelope.get("mode") if isinstance(envelope, dict) and isinstance(envelope.get("mode"), str) else None
    outcome = _Outcome(ref, mode)
    try:
        validate_envelope(envelope)
    except InvalidEnvelope as error:
        return outcome.failure("InvalidEnvelope", str(error))
    try:
        command = _processor_command(environ)
    except LookupError as error:
        return outcome.failure("ProcessorError", str(error))

    started = time.monotonic()
    try:
        run = run_processor(command, json.dumps(envelope).encode(), environ, timeout_s)
    except OSError as error:
        return outcome.failure("ProcessorError", f"could not start {command}: {error.strerror or error}")
    if run.timed_out:
        return outcome.failure(
            "ProcessorTimeout", f"the processor did not finish within {timeout_s:g} s and was killed", stderr=run.stderr
        )
    duration_ms = round((time.monotonic() - started) * 1000)
    if run.returncode != 0:
        return _failed_run(outcome, run.returncode, run.stdout, run.stderr)
    try:
        output = _single_json_object(run.stdout)
    except ValueError as error:
        return outcome.failure("InvalidProcessorOutput", str(error), exit_code=0, stderr=run.stderr)
    return outcome.success(output, duration_ms)


@dataclass(frozen=True)
class _Outcome:
    ref: str
    mode: str | None

    def success(self, output: dict, duration_ms: int) -> dict:
        return {
            "ok": True,
            "schema": ENVELOPE_SCHEMA,
            "processor": self.ref,
            "mode": self.mode,
            "output": output,
            "duration_ms": duration_ms,
        }

    def failure(
        self, error_type: str, message: str, *, code=None, exit_code: int | None = None, stderr: bytes = b""
    ) -> dict:
        return {
            "ok": False,
            "schema": ENVELOPE_SCHEMA,
            "processor": self.ref,
            "mode": self.mode,
            "error": {
                "type": error_type,
                "code": code,
                "message": message,
                "exit_code": exit_code,
                "stderr_tail": _stderr_tail(stderr),
            },
        }


def _processor_command(environ: Mapping[str, str]) -> str:
    override = environ.get("PROCESSOR_COMMAND", "").strip()
    if override:
        if not os.path.isabs(override):
            raise LookupError(f"PROCESSOR_COMMAND must be an absolute path, got '{override}'")
        return override
    found = shutil.which("processor", path=environ.get("PATH", os.defpath))
    if not found:
        raise LookupError("no executable named 'processor' on the image's PATH (set PROCESSOR_COMMAND to override)")
    return found


def _failed_run(outcome: _Outcome, returncode: int, stdout: bytes, stderr: bytes) -> dict:
    code, message = _reported_error(stdout)
    if message is None:
        message = (
            f"the processor was killed by {_signal_name(-returncode)}"
            if returncode < 0
            else f"the processor exited with status {returncode}"
        )
    return outcome.failure("ProcessorError", message, code=code, exit_code=returncode, stderr=stderr)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _reported_error(stdout: bytes) -> tuple[str | None, str | None]:
    """The optional `{"error": {"code": ..., "message": ...}}` a failing processor writes."""
    try:
        error = _single_json_object(stdout).get("error")
    except ValueError:
        return None, None
    if not isinstance(error, dict):
        return None, None
    code, message = error.get("code"), error.get("message")
    return (
        str(code) if code is not None else None,
        str(message) if message is not None else None,
    )


def _single_json_object(stdout: bytes) -> dict:
    text = stdout.decode("utf-8", errors="replace").strip()
    if not text:
        raise ValueError("the processor exited 0 but wrote nothing to stdout; it must write one JSON object")
    try:
        output = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"stdout is not a single JSON object ({error.msg} at line {error.lineno}): {text[:200]!r}"
        ) from None
    if not isinstance(output, dict):
        raise ValueError(f"stdout must be a JSON object, got {type(output).__name__}")
    return output


def _stderr_tail(stderr: bytes) -> str:
    text = stderr.decode("utf-8", errors="replace")
    if len(text) <= STDERR_TAIL_MAX_CHARS:
        return text
    tail = text[-STDERR_TAIL_MAX_CHARS:]
    # Start at a line boundary when there is one, so the first line is not a fragment.
    return tail.partition("\n")[2] or tail
