"""The processor naming rule: `<namespace>/<name>@<major>` -> `<namespace>-<name>-v<major>`.

One rule, implemented twice (here and in the TypeScript action) and pinned by
`test-vectors/app-names.json`, whose reject reasons are the exact texts below.
Importable without `modal`.
"""

import re
from typing import NamedTuple

NAMESPACE_MAX_LENGTH = 24
NAME_MAX_LENGTH = 32
MAJOR_MAX = 9999

_ALLOWED_CHARACTERS = re.compile(r"[a-z0-9/@-]*")
_STRUCTURE = re.compile(r"([^/@]*)/([^/@]*)@([^/@]*)")
_DIGITS = re.compile(r"[0-9]+")


class InvalidProcessorRef(ValueError):
    """A processor ref that does not follow `<namespace>/<name>@<major>`."""

    def __init__(self, ref, reason: str):
        super().__init__(
            f"Invalid processor ref '{ref}': {reason}. Expected <namespace>/<name>@<major>, e.g. llm/litellm@1."
        )
        self.ref = ref
        self.reason = reason


class ProcessorRef(NamedTuple):
    namespace: str
    name: str
    major: int


def parse_processor_ref(ref: str) -> ProcessorRef:
    """Split a ref into its parts, raising InvalidProcessorRef with the first problem found."""
    reason = _character_problem(ref)
    if reason:
        raise InvalidProcessorRef(ref, reason)
    match = _STRUCTURE.fullmatch(ref)
    if not match:
        raise InvalidProcessorRef(ref, _structure_problem(ref))
    namespace, name, major = match.groups()
    reason = _namespace_problem(namespace) or _name_problem(name) or _major_problem(major)
    if reason:
        raise InvalidProcessorRef(ref, reason)
    return ProcessorRef(namespace, name, int(major))


def modal_app_name_from_ref(ref: str) -> str:
    """`llm/litellm@1` -> `llm-litellm-v1`; at most 63 characters, always a valid Modal App name."""
    parsed = parse_processor_ref(ref)
    return f"{parsed.namespace}-{parsed.name}-v{parsed.major}"


# Apps that stand beside a processor's live app: a pull request's preview (`-pr<N>`) and a verify-first
# release's candidate (`-candidate`). A processor's own app name always ends in `-v<major>`, so neither
# suffix can name one. Mirrors src/rules/naming.ts; pinned by test-vectors/app-name-variants.json.
APP_NAME_MAX_LENGTH = 64
HASH_LENGTH = 8
CANDIDATE_SUFFIX = "candidate"
PULL_REQUEST_MAX = 9_999_999_999


def preview_app_name(app_name: str, pull_request: int) -> str:
    """`llm-litellm-v1` -> `llm-litellm-v1-pr42`."""
    if isinstance(pull_request, bool) or not isinstance(pull_request, int) or not 1 <= pull_request <= PULL_REQUEST_MAX:
        raise ValueError(f"a pull request number is an integer from 1 to {PULL_REQUEST_MAX}, not {pull_request!r}")
    return _app_name_with_suffix(app_name, f"pr{pull_request}")


def candidate_app_name(app_name: str) -> str:
    """`llm-litellm-v1` -> `llm-litellm-v1-candidate`: where a verify-first release is tested first."""
    return _app_name_with_suffix(app_name, CANDIDATE_SUFFIX)


def _app_name_with_suffix(app_name: str, suffix: str) -> str:
    # `<app>-<suffix>` when it fits; otherwise `<cut app>-<8 hex>-<suffix>`, exactly 64 characters, where the
    # hash of the whole name keeps two long names that share a beginning apart.
    whole = f"{app_name}-{suffix}"
    if len(whole) <= APP_NAME_MAX_LENGTH:
        return whole
    kept = app_name[: APP_NAME_MAX_LENGTH - len(suffix) - HASH_LENGTH - 2]
    return f"{kept}-{_fnv1a32(app_name)}-{suffix}"


def _fnv1a32(text: str) -> str:
    # FNV-1a (32 bits) over the name's bytes; app names are ASCII, so this equals the TypeScript rule's
    # hash over UTF-16 code units.
    value = 0x811C9DC5
    for byte in text.encode("ascii"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{value:0{HASH_LENGTH}x}"


def _character_problem(ref) -> str | None:
    # Character checks come first so that hostile input (shell metacharacters,
    # newlines, look-alike Unicode) is named for what it is.
    if not isinstance(ref, str):
        return "not a string"
    if ref == "":
        return "empty ref"
    if any(character.isspace() or not character.isprintable() for character in ref):
        return "contains whitespace or control characters"
    if not ref.isascii():
        return "contains non-ASCII characters"
    if any("A" <= character <= "Z" for character in ref):
        return "contains upper-case letters"
    if not _ALLOWED_CHARACTERS.fullmatch(ref):
        return "contains characters other than a-z, 0-9, '-', '/' and '@'"
    return None


def _structure_problem(ref: str) -> str:
    if "@" not in ref:
        return "missing @<major>"
    if ref.count("@") > 1:
        return "more than one '@'"
    if "/" not in ref:
        return "missing <namespace>/"
    if ref.count("/") > 1:
        return "more than one '/'"
    return "'/' must come before '@'"


def _namespace_problem(namespace: str) -> str | None:
    if namespace == "":
        return "empty namespace"
    if len(namespace) > NAMESPACE_MAX_LENGTH:
        return f"namespace longer than {NAMESPACE_MAX_LENGTH} characters"
    if "-" in namespace:
        return "namespace must not contain '-'"
    if not namespace[0].isalpha():
        return "namespace must start with a letter"
    return None


def _name_problem(name: str) -> str | None:
    if name == "":
        return "empty name"
    if len(name) > NAME_MAX_LENGTH:
        return f"name longer than {NAME_MAX_LENGTH} characters"
    if name.startswith("-") or name.endswith("-"):
        return "name must not start or end with '-'"
    if "--" in name:
        return "name must not contain '--'"
    if not name[0].isalpha():
        return "name must start with a letter"
    return None


def _major_problem(major: str) -> str | None:
    if major == "":
        return "empty major"
    if not _DIGITS.fullmatch(major):
        return "major must be a number"
    if len(major) > 1 and major.startswith("0"):
        return "major must not have leading zeros"
    if int(major) > MAJOR_MAX:
        return f"major must be at most {MAJOR_MAX}"
    return None
