"""`modal deploy` after the import: resolve secrets, build images, snapshot the mounted source, publish.

What gets mounted follows the real client ≥ 1.0: the module (or top-level package) that defines the
App, plus the modules added with `Image.add_local_python_source`; other local imports are NOT
mounted, so a container that imports them fails as it would on Modal.
"""
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import time

from modal_emulator import faults, server, state

from . import _output
from ._validation import check_add_python, check_deploy_tag, check_object_name
from .app import App
from .client import credentials
from .exception import ImageBuildError, InvalidError, ModuleNotMountable
from .image import BUILD_STEP_AFTER_MOUNT, Image


class Mount:
    """Files (remote path relative to the container's /root → local path) and the tree label."""

    def __init__(self, label: str, files: dict[str, str]):
        self.label = label
        self.files = files


def _python_files(directory: str, prefix: str) -> dict[str, str]:
    files = {}
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py") and not name.startswith("."):
                full = os.path.join(dirpath, name)
                files[os.path.join(prefix, os.path.relpath(full, directory))] = full
    return files


def _module_files(module_name: str) -> dict[str, str]:
    """The `.py` files of a local module or package, keyed by their path under /root."""
    top = module_name.split(".")[0]
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.origin:
        raise ModuleNotMountable(f"{module_name} has no spec - might not be installed in current environment")
    if spec.submodule_search_locations:
        return _python_files(os.path.dirname(spec.origin), top)
    return {os.path.basename(spec.origin): spec.origin}


def entrypoint_mount(module_name: str, module_file: str) -> Mount:
    if "." in module_name or os.path.basename(module_file) == "__init__.py":
        top = module_name.split(".")[0]
        return Mount(f"PythonPackage:{top}", _module_files(module_name))
    module_file = os.path.abspath(module_file)
    return Mount(module_file, {os.path.basename(module_file): module_file})


def _git_commit_info() -> dict | None:
    def git(*args):
        return subprocess.run(["git", *args], capture_output=True, text=True, timeout=10, check=True).stdout

    try:
        commit_hash = git("log", "-1", "--format=%H", "HEAD").strip()
        return {"commit_hash": commit_hash, "dirty": bool(git("status", "--porcelain").strip())}
    except (OSError, subprocess.SubprocessError):
        return None


def _write_snapshot(definition_hash: str, files: dict[str, str]) -> str:
    """Copy the mounted files into a content-addressed snapshot (shared by identical versions)."""
    relative = os.path.join("snapshots", definition_hash)
    target = state.path(relative)
    if not os.path.isdir(target):
        tmp = f"{target}.{os.getpid()}.tmp"
        for remote, local in files.items():
            os.makedirs(os.path.dirname(os.path.join(tmp, remote)), exist_ok=True)
            shutil.copy2(local, os.path.join(tmp, remote))
        os.makedirs(tmp, exist_ok=True)
        try:
            os.rename(tmp, target)
        except OSError:  # another deploy of the same definition won the race
            shutil.rmtree(tmp, ignore_errors=True)
    return relative


def _sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def deploy_app(
    app: App, *, name: str, environment_name: str, tag: str, module: dict, entrypoint: Mount, strategy: str = "rolling"
) -> dict:
    """Returns the publish result {app_id, url, deployed_at (0 for a no-op), version}."""
    check_object_name(name, "App")
    check_deploy_tag(tag)
    creds = credentials()
    t0 = time.time()
    env = server.environment_get(creds, environment_name)["name"]
    specs = {tag_: function._spec for tag_, function in app.registered_functions.items()}

    # Secrets first: images depend on their registry secrets.
    for spec in specs.values():
        registry_secret = spec.image._registry_secret
        for secret in spec.secrets + ([registry_secret] if registry_secret else []):
            if secret.object_id is None:
                secret._resolve(creds, env)

    image_ids: dict[int, str] = {}
    for spec in specs.values():
        if id(spec.image) not in image_ids:
            image_ids[id(spec.image)] = _build_image(creds, spec.image)

    mounts = [entrypoint] if app._include_source else []
    for spec in specs.values():
        for modules, _copy in spec.image._source_modules:
            files = {k: v for module in modules for k, v in _module_files(module).items()}
            label = ", ".join(f"PythonPackage:{module}" for module in modules)
            if label not in [m.label for m in mounts]:
                mounts.append(Mount(label, files))
    files = {remote: local for mount in mounts for remote, local in mount.files.items()}

    definition = {
        "module": module,
        "mount_files": {remote: _sha256(local) for remote, local in sorted(files.items())},
        "functions": {
            tag_: {
                "timeout": spec.timeout,
                "image_id": image_ids[id(spec.image)],
                "secrets": [{"name": s.name, "environment": s.resolved_environment} for s in spec.secrets],
                "env": spec.env,
            }
            for tag_, spec in specs.items()
        },
    }
    definition_hash = hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()
    definition["snapshot"] = _write_snapshot(definition_hash, files)

    _output.tree(
        "✓ Created objects.",
        [f"🔨 Created mount {m.label}" for m in mounts] + [f"🔨 Created function {t}." for t in specs],
    )
    result = server.app_publish(
        creds,
        name=name,
        env=env,
        definition=definition,
        definition_hash=definition_hash,
        tag=tag,
        commit_info=_git_commit_info(),
        strategy=strategy,
    )
    if result["deployed_at"] and strategy == "recreate":
        _output.echo("🧹 Terminating running containers")
    if result["deployed_at"]:
        _output.step_completed(f"App deployed in {time.time() - t0:.3f}s! 🎉")
    else:
        _output.step_completed("Deployment skipped: no changes detected! ⏭️")
    _output.echo(f"\nView Deployment: {result['url']}")
    return result


def _build_image(creds, image: Image) -> str:
    if image._build_after_mount:
        raise InvalidError(BUILD_STEP_AFTER_MOUNT)
    base = dict(image._base)
    if "ref" in base:
        if base["add_python"] is not None:
            check_add_python(base["add_python"])
        secret = image._registry_secret
        base["registry_secret"] = {"name": secret.name, "environment": secret.resolved_environment} if secret else None
    fault = faults.take("sdk:image.build", faults.allowed_actions("sdk:image.build"))
    if fault and fault["action"] in ("transient", "unauthenticated", "hang"):
        faults.apply_generic(fault)
        fault = None
    image_id, lines, result = server.image_get_or_create(creds, base, list(image._layers), image._force_build, fault)
    # Streamed build logs go through Rich's `Console.out`: never wrapped.
    _output.write_raw("".join(f"{line}\n" for line in lines))
    if result:
        raise _image_build_error(image_id, result)
    return image_id


def _image_build_error(image_id: str, result: dict) -> ImageBuildError:
    """The real client's texts for a build's GenericResult (`modal/_image.py`, `_Image._load`)."""
    status, exception = result["status"], result["exception"]
    if status == "failure":
        if exception:
            return ImageBuildError(f"Image build for {image_id} failed with the exception:\n{exception}", image_id)
        msg = f"Image build for {image_id} failed.\nView the build logs:\n  modal image logs {image_id}"
        return ImageBuildError(msg, image_id)
    if status == "terminated":
        msg = f"Image build for {image_id} terminated due to external shut-down. Please try again."
        if exception:
            msg = (
                f"Image build for {image_id} terminated due to external shut-down with the exception:\n"
                f"{exception}"
            )
        return ImageBuildError(msg, image_id)
    return ImageBuildError(
        f"Image build for {image_id} timed out. Please try again with a larger `timeout` parameter.", image_id
    )
