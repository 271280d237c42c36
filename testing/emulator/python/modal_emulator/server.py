"""The emulated Modal API server. Each public function is one RPC of the real client: it checks the
caller's token, does its work on the state, and raises the `modal.exception` error (with the server's
text) that the real client maps the gRPC status to. Code running in an emulated container passes
`CONTAINER` as its credentials, like a container client that needs no token."""
import contextlib
import hashlib
import json
import shlex
import string

from modal.exception import AlreadyExistsError, AuthError, ConflictError, InvalidError, NotFoundError

from . import faults, function_calls, images, state

CONTAINER = ("<container>", "")
CLIENT_VERSION = "1.5.4"
BAD_TOKEN = "Invalid token ID or secret."
_SECRET_KEY_CHARS = set(string.ascii_letters + string.digits + "_")


def _authenticate(st: dict, creds: tuple[str, str]) -> None:
    if creds is CONTAINER:
        return
    token_id, token_secret = creds
    if not token_id.startswith("ak-"):
        raise AuthError("Token ID is malformed")
    if not token_secret.startswith("as-"):
        raise AuthError("Token secret is malformed")
    if (token_id, token_secret) != (st["token"]["id"], st["token"]["secret"]):
        raise AuthError(BAD_TOKEN)


@contextlib.contextmanager
def _session(creds, write: bool = False):
    """The state for one authenticated request; written back only when `write` and no error."""
    if write:
        with state.transaction() as st:
            _authenticate(st, creds)
            yield st
    else:
        st = state.read()
        _authenticate(st, creds)
        yield st


def _environment(st: dict, name: str | None) -> str:
    """An environment name, "" meaning the workspace default; unknown names fail like the server."""
    name = name or st["default_environment"]
    if name not in st["environments"]:
        raise InvalidError(f"Environment '{name}' not found")
    return name


def _user(st: dict) -> str:
    return st["workspace"]["user"]


def _deployment_url(st: dict, env: str, app_name: str) -> str:
    return f"https://modal.com/apps/{st['workspace']['name']}/{env}/deployed/{app_name}"


# --- workspace, token and environments -------------------------------------------------------


def hello(creds) -> None:
    with _session(creds):
        pass


def token_info(creds) -> dict:
    with _session(creds) as st:
        return {"token_id": st["token"]["id"], "created_at": st["token"]["created_at"], **st["workspace"]}


def environment_get(creds, name: str) -> dict:
    with _session(creds) as st:
        name = _environment(st, name)
        return {"name": name, **st["environments"][name]}


def environment_list(creds) -> list[dict]:
    with _session(creds) as st:
        envs = sorted(st["environments"].items(), key=lambda item: item[1]["created_at"])
        return [
            {"name": name, "web_suffix": env["web_suffix"], "default": name == st["default_environment"]}
            for name, env in envs
        ]


def environment_create(creds, name: str) -> None:
    with _session(creds, write=True) as st:
        if name in st["environments"]:
            raise AlreadyExistsError(f"Environment '{name}' already exists")
        st["environments"][name] = {"id": state.new_id("en"), "web_suffix": name, "created_at": state.now()}


# --- secrets -----------------------------------------------------------------------------------


def _secret(st: dict, name: str, env: str) -> dict:
    secret = st["secrets"].get(env, {}).get(name)
    if secret is None:
        ws = st["workspace"]["name"]
        raise NotFoundError(
            f"Secret '{name}' not found in environment '{env}'. "
            f"You can create it here: https://modal.com/secrets/{ws}/{env}/create?secret_name={name}"
        )
    return secret


def secret_get(creds, name: str, env: str | None, required_keys: list[str]) -> dict:
    with _session(creds) as st:
        env = _environment(st, env)
        secret = _secret(st, name, env)
        missing = [k for k in required_keys if k not in secret["values"]]
        if missing:
            raise ConflictError(f"Secret is missing key(s): {', '.join(missing)}")
        return {"id": secret["id"], "name": name, "environment": env}


def secret_list(creds, env: str | None) -> list[dict]:
    """Rows newest first, without values."""
    with _session(creds) as st:
        env = _environment(st, env)
        rows = [
            {"name": name, **{k: s[k] for k in ("created_at", "created_by", "last_used_at")}}
            for name, s in st["secrets"].get(env, {}).items()
        ]
        return sorted(rows, key=lambda r: r["created_at"], reverse=True)


def secret_create(creds, name: str, values: dict, env: str | None, overwrite: bool) -> None:
    with _session(creds, write=True) as st:
        env = _environment(st, env)
        for key in values:
            if not key or key[0].isdigit() or not set(key) <= _SECRET_KEY_CHARS:
                raise InvalidError(
                    f"Secret key name {key!r} is invalid for environment variables. Only letters, numbers,"
                    " and underscores are allowed, and the name may not start with a number."
                )
        env_secrets = st["secrets"].setdefault(env, {})
        existing = env_secrets.get(name)
        if existing and not overwrite:
            raise AlreadyExistsError(f"Secret '{name}' already exists in environment '{env}'")
        env_secrets[name] = {
            "id": existing["id"] if existing else state.new_id("st"),
            "values": dict(values),
            "created_at": existing["created_at"] if existing else state.now(),
            "created_by": _user(st),
            "last_used_at": existing["last_used_at"] if existing else None,
        }


def secret_delete(creds, name: str, env: str | None) -> None:
    with _session(creds, write=True) as st:
        env = _environment(st, env)
        _secret(st, name, env)
        del st["secrets"][env][name]


# --- images ------------------------------------------------------------------------------------


def image_id(definition: dict) -> str:
    """Deterministic `im-` id of an image definition, so an unchanged definition is a cache hit."""
    digest = hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()
    return "im-" + _base62(digest)[:22]


def _base62(hex_digest: str) -> str:
    alphabet, n, out = string.digits + string.ascii_letters, int(hex_digest, 16), ""
    while n:
        n, r = divmod(n, 62)
        out += alphabet[r]
    return out


def image_get_or_create(creds, base: dict, layers: list[dict], force_build: bool, fault: dict | None = None):
    """Build (or find cached) the base image and each `.env()` layer, like ImageGetOrCreate plus the
    build's log stream.

    Returns (image_id, build log lines, result). `result` is None for a built image, else the build's
    GenericResult as the client reads it: {"status": "failure" | "timeout" | "terminated",
    "exception": server text or None}. `base` is {"ref", "add_python", "registry_secret":
    {"name", "environment"} | None} or {"builtin": "debian_slim", ...}; layers are {"env": {...}}.
    A `fault` rule (from `sdk:image.build`) makes the base image build, and fail its way.
    """
    lines: list[str] = []
    with _session(creds, write=True) as st:
        built = st["built_images"]
        build_logs = st.setdefault("image_logs", {})
        current = image_id(base)
        if force_build or fault or current not in built:
            start = len(lines)
            lines += [f"Building image {current}", "", f"=> Step 0: FROM {base.get('ref', 'debian:bookworm-slim')}"]
            record, result = _build_base(st, base, lines, fault)
            if result is None:
                lines += ["Saving image...", "Image saved, took 0.01s", "", f"Built image {current} in 0.02s", ""]
                built[current] = record
            build_logs[current] = lines[start:]
            if result is not None:
                return current, lines, result
        for layer in layers:
            parent, current = current, image_id({"parent": current, "env": sorted(layer["env"].items())})
            if force_build or current not in built:
                start = len(lines)
                lines += [f"Building image {current}", "", "=> Step 0: FROM base"]
                lines += [f"=> Step {n}: ENV {k}={shlex.quote(v)}" for n, (k, v) in enumerate(layer["env"].items(), 1)]
                lines += ["Saving image...", "Image saved, took 0.01s", "", f"Built image {current} in 0.01s", ""]
                built[current] = {**built[parent], "env": {**built[parent]["env"], **layer["env"]}}
                build_logs[current] = lines[start:]
        return current, lines, None


def image_logs(creds, image_id_: str) -> list[str]:
    """The build log of an image this workspace built (`modal image logs`)."""
    with _session(creds) as st:
        if image_id_ not in st.get("image_logs", {}):
            raise NotFoundError(f"Image '{image_id_}' not found")
        return st["image_logs"][image_id_]


def _pull_failure(ref: str, registry_text: str, lines: list[str]) -> dict:
    lines += [f"Error: failed to pull {ref}: {registry_text}"]
    return {"status": "failure", "exception": None}


def _build_base(st: dict, base: dict, lines: list[str], fault: dict | None) -> tuple[dict | None, dict | None]:
    """(the built record, None) or (None, the failed build's result), with the builder's log lines."""
    action = fault["action"] if fault else None
    if action == "fail":
        return None, {"status": "failure", "exception": faults.message(fault)}
    if action == "timeout":
        lines += ["Getting image source signatures", "Copying blob sha256:" + "0" * 64]
        return None, {"status": "timeout", "exception": None}
    if action == "terminated":
        lines += ["Getting image source signatures"]
        return None, {"status": "terminated", "exception": fault["message"]}
    if base.get("builtin"):
        record = {"ref": None, "digest": None, "rootfs": None, "config_env": {"PATH": images.DEFAULT_PATH}, "env": {}}
        return record, None
    ref = base["ref"]
    if action == "pull-refused":
        return None, _pull_failure(ref, fault["message"] or images.REFUSED, lines)
    if action == "unknown-digest":
        return None, _pull_failure(ref, fault["message"] or images.UNKNOWN_MANIFEST, lines)
    credentials = None
    if base["registry_secret"]:
        credentials = _secret(st, base["registry_secret"]["name"], base["registry_secret"]["environment"])["values"]
    try:
        manifest = images.pull(st, ref, credentials)
    except images.PullError as exc:
        return None, _pull_failure(ref, str(exc), lines)
    if action == "no-python" or (not base["add_python"] and not manifest["python"]):
        lines += ["=> Step 1: RUN python -m pip install --upgrade pip", "/bin/sh: 1: python: not found"]
        return None, {"status": "failure", "exception": None}
    if base["add_python"]:
        lines.append("=> Step 1: COPY /python/. /usr/local")
    record = {
        "ref": ref,
        "digest": manifest["digest"],
        "rootfs": manifest["rootfs"],
        "config_env": manifest["env"],
        "env": {},
    }
    return record, None


# --- apps --------------------------------------------------------------------------------------


def _app_ids(st: dict, name: str, env: str) -> tuple[str | None, str | None]:
    """(deployed app id, most recently stopped app id) for a deployment name."""
    deployed, stopped = None, None
    for app_id, app in st["apps"].items():
        if app["name"] == name and app["environment"] == env:
            if app["state"] == "deployed":
                deployed = app_id
            elif stopped is None or app["stopped_at"] >= st["apps"][stopped]["stopped_at"]:
                stopped = app_id
    return deployed, stopped


def _app(st: dict, app_id: str) -> dict:
    if app_id not in st["apps"]:
        raise NotFoundError(f"App '{app_id}' not found")
    return st["apps"][app_id]


def _live(app: dict) -> dict | None:
    return next((v for v in app["versions"] if v["version"] == app["live_version"]), None)


def _new_app(st: dict, name: str, env: str) -> str:
    app_id = state.new_id("ap")
    st["apps"][app_id] = {
        "name": name,
        "environment": env,
        "state": "deployed",
        "created_at": state.now(),
        "stopped_at": None,
        "stopped_by": None,
        "live_version": None,
        "versions": [],
    }
    return app_id


def app_get_by_name(creds, name: str, env: str | None) -> tuple[str, dict | None]:
    """(resolved env, the deployed or recently stopped app with its id) like AppGetByDeploymentName."""
    with _session(creds) as st:
        env = _environment(st, env)
        deployed, stopped = _app_ids(st, name, env)
        app_id = deployed or stopped
        return env, ({"id": app_id, **st["apps"][app_id]} if app_id else None)


def app_get(creds, app_id: str) -> dict:
    with _session(creds) as st:
        return {"id": app_id, **_app(st, app_id)}


def app_lookup(creds, name: str, env: str | None, create_if_missing: bool) -> str:
    with _session(creds, write=create_if_missing) as st:
        env = _environment(st, env)
        deployed, _ = _app_ids(st, name, env)
        if deployed:
            return deployed
        if not create_if_missing:
            raise NotFoundError(f"App '{name}' not found in environment '{env}'")
        return _new_app(st, name, env)


def app_list(creds, env: str | None) -> list[dict]:
    with _session(creds) as st:
        env = _environment(st, env)
        apps = [{"id": i, **a} for i, a in st["apps"].items() if a["environment"] == env]
        return sorted(apps, key=lambda a: a["created_at"])


def app_publish(creds, *, name, env, definition, definition_hash, tag, commit_info, strategy="rolling") -> dict:
    """Deploy a new version unless the live one has the same definition (then deployed_at is 0). The strategy is
    kept on the version; `recreate` stops the app's running containers first."""
    with _session(creds, write=True) as st:
        env = _environment(st, env)
        app_id = _app_ids(st, name, env)[0] or _new_app(st, name, env)
        app = st["apps"][app_id]
        live = _live(app)
        result = {"app_id": app_id, "url": _deployment_url(st, env, name)}
        if live and live["definition_hash"] == definition_hash:
            return {**result, "deployed_at": 0, "version": live["version"]}
        version = _append_version(
            st,
            app,
            definition=definition,
            definition_hash=definition_hash,
            tag=tag,
            commit_info=commit_info,
            client_version=CLIENT_VERSION,
            strategy=strategy,
        )
        if strategy == "recreate":
            function_calls.terminate_app_containers(st, app_id)
        return {**result, "deployed_at": version["deployed_at"], "version": version["version"]}


def _append_version(st: dict, app: dict, **fields) -> dict:
    number = max((v["version"] for v in app["versions"]), default=0) + 1
    version = {
        "version": number,
        "deployed_at": state.now(),
        "deployed_by": _user(st),
        "rollback_version": None,
        **fields,
    }
    app["versions"].append(version)
    app["live_version"] = number
    return version


def app_deploy_copy(creds, app_id: str, tag: str) -> None:
    """Another client deploying the live definition again (the `race` fault)."""
    with _session(creds, write=True) as st:
        app = _app(st, app_id)
        live = _live(app)
        _append_version(
            st,
            app,
            **{k: live[k] for k in ("definition", "definition_hash", "commit_info", "client_version")},
            tag=tag,
        )


def app_history(creds, app_id: str) -> list[dict]:
    with _session(creds) as st:
        return list(_app(st, app_id)["versions"])


def app_rollback(creds, app_id: str, version: int, strategy: str = "rolling") -> str:
    """`version` -1 means one before the live version. Returns the deployment URL. The strategy is kept on the
    new version; `recreate` stops the app's running containers first."""
    with _session(creds, write=True) as st:
        app = _app(st, app_id)
        current = app["live_version"] or 0
        if version < 0:
            target = current + version
            if target <= 0:
                raise InvalidError("Rollback request exceeds number of App deployments.")
        elif version > 0:
            target = version
        else:
            raise InvalidError("Invalid rollback version request.")
        old = next((v for v in app["versions"] if v["version"] == target), None)
        if old is None:
            raise NotFoundError("Rollback version not found in App history.")
        copied = ("definition", "definition_hash", "commit_info", "client_version", "tag")
        new = _append_version(st, app, **{k: old[k] for k in copied}, strategy=strategy)
        new["rollback_version"] = target
        if strategy == "recreate":
            function_calls.terminate_app_containers(st, app_id)
        return _deployment_url(st, app["environment"], app["name"])


def app_stop(creds, app_id: str) -> None:
    with _session(creds, write=True) as st:
        app = _app(st, app_id)
        app.update(state="stopped", stopped_at=state.now(), stopped_by=_user(st))


# --- functions ---------------------------------------------------------------------------------


def function_get(creds, app_name: str, function_name: str, env: str | None, version: int | None) -> dict:
    """What a call needs: the app, the version's definition of the function, its module and mount."""
    with _session(creds) as st:
        env = _environment(st, env)
        app_id = _app_ids(st, app_name, env)[0]
        if app_id is None:
            raise NotFoundError(f"App '{app_name}' not found in environment '{env}'")
        app = st["apps"][app_id]
        if version is None:
            chosen = _live(app)
        else:
            chosen = next((v for v in app["versions"] if v["version"] == version), None)
            if chosen is None:
                raise NotFoundError(f"App '{app_name}' has no version {version}")
        functions = chosen["definition"]["functions"] if chosen else {}
        if function_name not in functions:
            raise NotFoundError(f"Function '{function_name}' not found in App '{app_name}'")
        return {
            "app_id": app_id,
            "app_name": app_name,
            "environment": env,
            "version": chosen["version"],
            "function_name": function_name,
            "function": functions[function_name],
            "module": chosen["definition"]["module"],
            "snapshot": chosen["definition"]["snapshot"],
        }


def container_start(target: dict) -> dict:
    """Schedule a container for one input: count the call and gather the image and secret values."""
    with state.transaction() as st:
        function = target["function"]
        image = st["built_images"][function["image_id"]]
        secret_values = {}
        for ref in function["secrets"]:
            secret = _secret(st, ref["name"], ref["environment"])
            secret["last_used_at"] = state.now()
            secret_values.update(secret["values"])
        calls = st["calls"].setdefault(target["app_id"], {})
        calls[str(target["version"])] = calls.get(str(target["version"]), 0) + 1
        return {"image": image, "secret_values": secret_values}
