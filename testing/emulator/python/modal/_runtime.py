"""Execution context: set by the emulated container before it imports user code."""

in_container = False
# {"name", "environment", "version"} of the app version a container runs.
container_app: dict | None = None


def is_local() -> bool:
    """False only in the process that runs a Modal Function (like the real client, child processes say True)."""
    return not in_container
