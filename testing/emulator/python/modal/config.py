"""Client configuration like the real `modal.config`: `MODAL_<KEY>` env vars (even when empty) win over
the active profile of `MODAL_CONFIG_PATH` / `~/.modal.toml`."""
import os
import tomllib

from .exception import AuthError, InvalidError

# Set by the global `--profile` CLI option; beats MODAL_PROFILE.
profile_override: str | None = None


def is_remote() -> bool:
    return os.environ.get("MODAL_IS_REMOTE") == "1"


def config_path() -> str:
    return os.environ.get("MODAL_CONFIG_PATH") or os.path.expanduser("~/.modal.toml")


def _read_profiles() -> dict:
    path = config_path()
    if is_remote() or not os.path.exists(path):
        return {}
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except Exception as exc:
        problem = str(exc)
    else:
        if all(isinstance(v, dict) for v in data.values()):
            return data
        problem = "TOML file must contain table sections for each profile."
    raise InvalidError(f"\nError when reading the modal configuration from `{path}`.\n\n{problem}")


def _profile_name(profiles: dict) -> str:
    explicit = profile_override or os.environ.get("MODAL_PROFILE")
    if explicit:
        return explicit
    return next((name for name, values in profiles.items() if values.get("active") is True), "default")


def check_profiles() -> None:
    profiles = _read_profiles()
    active = sum(bool(v.get("active", False)) for v in profiles.values())
    if active > 1:
        raise InvalidError(
            "More than one Modal profile is active. "
            f"Please fix with `modal profile activate` or by editing your Modal config file ({config_path()})."
        )
    if len(profiles) > 1 and active == 0 and _profile_name(profiles) == "default":
        raise InvalidError(
            "No Modal profile is active.\n\n"
            f"Please fix by running `modal profile activate` or by editing your Modal config file ({config_path()})."
        )


def get(key: str) -> str:
    env_key = f"MODAL_{key.upper()}"
    if env_key in os.environ:
        return os.environ[env_key]
    profiles = _read_profiles()
    value = profiles.get(_profile_name(profiles), {}).get(key, "")
    return str(value) if value is not None else ""


def environment() -> str:
    """The configured environment name, or "" for the server's default."""
    return get("environment")


def credentials() -> tuple[str, str]:
    """The token pair, or AuthError with the real client's texts."""
    check_profiles()
    token_id, token_secret = get("token_id"), get("token_secret")
    if token_id and token_secret:
        return token_id, token_secret
    profiles = _read_profiles()
    profile = _profile_name(profiles)
    if (profile_override or os.environ.get("MODAL_PROFILE")) and profile not in profiles:
        raise AuthError(
            f"Modal profile '{profile}' was not found in {config_path()}. "
            "Run `modal profile list` to see available profiles, or "
            f"`modal token new --profile {profile}` to configure it."
        )
    raise AuthError(
        "Token missing. Could not authenticate client."
        " If you have token credentials, see modal.com/docs/sdk/py/latest/config for setup help."
        " If you are a new user, register an account at modal.com, then run `modal token new`."
    )
