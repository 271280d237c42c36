"""Name, tag and Python version rules of the real client (`_utils/name_utils.py`, `_image.py`)."""
import re

from .exception import InvalidError

# Series accepted by the default ('2025.06') image builder.
SUPPORTED_PYTHON_SERIES = ["3.10", "3.11", "3.12", "3.13", "3.14", "3.14t"]
IMAGE_BUILDER_VERSION = "2025.06"
APP_ID_RE = re.compile(r"^ap-[a-zA-Z0-9]{22}$")


def is_valid_object_name(name: str) -> bool:
    return len(name) <= 64 and re.match("^[a-zA-Z0-9-_.]+$", name) is not None and not APP_ID_RE.match(name)


def check_object_name(name: str, object_type: str) -> None:
    if not is_valid_object_name(name):
        raise InvalidError(
            f"Invalid {object_type} name: '{name}'."
            "\n\nNames may contain only alphanumeric characters, dashes, periods, and underscores,"
            " must be shorter than 64 characters, and cannot conflict with App ID strings."
        )


def check_environment_name(name: str) -> None:
    valid = (
        len(name) <= 64
        and re.match(r"^[a-zA-Z0-9][a-zA-Z0-9-_.]+$", name) is not None
        and not name.lower().startswith("en-")
    )
    if not valid:
        raise InvalidError(
            f"Invalid Environment name: '{name}'."
            "\n\nEnvironment names can only start with alphanumeric characters,"
            " may contain only alphanumeric characters, dashes, periods, and underscores,"
            " must be shorter than 64 characters, and cannot start with 'en-'."
        )


def check_deploy_tag(tag: str) -> None:
    if tag and not re.match(r"^[a-zA-Z0-9._-]{1,50}$", tag):
        raise InvalidError(
            f"Deployment tag {tag!r} is invalid."
            "\n\nTags may only contain alphanumeric characters, dashes, periods, and underscores, "
            "and must be 50 characters or less"
        )


def check_add_python(version) -> None:
    """`add_python` must be a supported 'major.minor' series (checked when the image is built)."""
    if not isinstance(version, str):
        raise InvalidError(f"Python version must be specified as a string, not {type(version).__name__}")
    if not re.match(r"^3(?:\.\d{1,2}){1,2}(rc\d*)?t?$", version):
        raise InvalidError(f"Invalid Python version: {version!r}")
    components = version.split(".")
    if len(components) == 3:
        raise InvalidError(
            "Python version must be specified as 'major.minor' for this interface;"
            f" micro-level specification ({version!r}) is not valid."
        )
    if version not in SUPPORTED_PYTHON_SERIES:
        raise InvalidError(
            f"Unsupported Python version: {version!r}."
            f" When using the {IMAGE_BUILDER_VERSION!r} Image builder, Modal supports the following series:"
            f" {SUPPORTED_PYTHON_SERIES!r}."
        )
