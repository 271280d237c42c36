"""Fault injection rules, stored in the state so that a rule spans processes.

A rule is {target, action, times (None = always), message, seconds}. `take()` consumes one firing
atomically; the caller decides what the action means at its own point of the flow.
"""
import time

from modal.exception import AuthError, ConnectionError, InternalError

from . import state

CLI_TARGETS = (
    "deploy",
    "app list",
    "app history",
    "app logs",
    "app rollback",
    "app stop",
    "secret list",
    "secret create",
    "secret delete",
    "environment list",
    "environment create",
    "token info",
)
SDK_TARGETS = (
    "sdk:client",
    "sdk:environment",
    "sdk:secret",
    "sdk:app.lookup",
    "sdk:function.lookup",
    "sdk:function.remote",
    "sdk:image.build",
)
# Actions every target understands; they fire before the operation does its work.
GENERIC_ACTIONS = ("fail", "transient", "hang", "unauthenticated")
# What the image builder meets instead of a normal build (`fail`: the build fails with the server's exception text).
IMAGE_BUILD_FAULTS = ("pull-refused", "unknown-digest", "no-python", "timeout", "terminated")
_EXTRA_ACTIONS = {
    "deploy": ("race",),
    "app rollback": ("refuse",),
    "sdk:function.remote": ("garbage", "crash"),
    "sdk:image.build": IMAGE_BUILD_FAULTS,
}

DEFAULT_MESSAGES = {
    "fail": "Internal server error.",
    "transient": "Could not connect to the Modal server.",
    "unauthenticated": "Invalid token ID or secret.",
    "refuse": "Deployment rollbacks are not available on the Starter plan.",
}


def allowed_actions(target: str) -> tuple[str, ...]:
    if target not in CLI_TARGETS + SDK_TARGETS:
        raise ValueError(f"unknown target {target!r}; targets: {', '.join(CLI_TARGETS + SDK_TARGETS)}")
    cli_only = ("garbage",) if target in CLI_TARGETS else ()
    return GENERIC_ACTIONS + cli_only + _EXTRA_ACTIONS.get(target, ())


def add(target: str, action: str, times: int | None, message: str | None, seconds: float | None) -> dict:
    if action not in allowed_actions(target):
        valid = ", ".join(allowed_actions(target))
        raise ValueError(f"action {action!r} is not valid for {target!r}; use one of: {valid}")
    if times is not None and times < 1:
        raise ValueError("--times must be at least 1")
    rule = {"target": target, "action": action, "times": times, "message": message, "seconds": seconds}
    with state.transaction() as st:
        st["faults"].append(rule)
    return rule


def clear() -> None:
    with state.transaction() as st:
        st["faults"] = []


def rules() -> list[dict]:
    return state.read()["faults"]


def take(target: str, actions: tuple[str, ...] = GENERIC_ACTIONS) -> dict | None:
    """Consume one firing of the first rule for `target` whose action is in `actions`."""

    def matches(rule):
        return rule["target"] == target and rule["action"] in actions

    if not any(matches(r) for r in state.read()["faults"]):
        return None
    with state.transaction() as st:
        for i, rule in enumerate(st["faults"]):
            if matches(rule):
                if rule["times"] is not None:
                    rule["times"] -= 1
                    if rule["times"] <= 0:
                        del st["faults"][i]
                return rule
    return None


def message(rule: dict) -> str:
    return rule["message"] or DEFAULT_MESSAGES.get(rule["action"], f"Injected fault: {rule['action']}")


def apply_generic(rule: dict | None) -> None:
    """Raise (or stall) for a generic action; other actions are left to the caller."""
    if rule is None:
        return
    action = rule["action"]
    if action == "hang":
        if rule["seconds"] is None:
            while True:
                time.sleep(3600)
        time.sleep(rule["seconds"])
    elif action == "fail":
        raise InternalError(message(rule))
    elif action == "transient":
        raise ConnectionError(message(rule))
    elif action == "unauthenticated":
        raise AuthError(message(rule))


def check(target: str) -> None:
    """The usual entry point: fire a generic fault for `target` if one is set."""
    apply_generic(take(target))
