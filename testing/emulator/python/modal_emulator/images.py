"""A local container registry: `push` stores a directory as an image's root filesystem under a
content digest; `pull` resolves a ref the way a registry would, with its error texts."""
import hashlib
import json
import os
import shutil
import stat

from . import state

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class PullError(Exception):
    """The registry refused the pull; the text is what a registry would answer."""


# The answers of an OCI registry (error code, then message), as `docker pull` shows them.
REFUSED = "unauthorized: authentication required"
UNKNOWN_MANIFEST = "manifest unknown: manifest unknown"


def parse_ref(ref: str) -> tuple[str, str | None, str | None]:
    """`repo[:tag][@sha256:hex]` → (repo, tag, hex digest)."""
    name, _, digest = ref.partition("@")
    repo, tag = name, None
    if ":" in name.rsplit("/", 1)[-1]:
        repo, tag = name.rsplit(":", 1)
    if digest:
        if not digest.startswith("sha256:") or len(digest) != 71:
            raise PullError(f"invalid reference format: {ref}")
        digest = digest[len("sha256:"):]
    return repo, tag, digest or None


def _digest(rootfs: str, config: dict) -> str:
    """Deterministic over sorted relative paths, file modes, contents and the image config."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(rootfs):
        dirnames.sort()
        for name in sorted(filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, rootfs)
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                content = os.readlink(full).encode()
            else:
                with open(full, "rb") as f:
                    content = f.read()
            h.update(f"{rel}\0{stat.S_IMODE(st.st_mode):o}\0".encode())
            h.update(hashlib.sha256(content).digest())
    h.update(json.dumps(config, sort_keys=True).encode())
    return h.hexdigest()


def push(ref: str, src: str, *, private: bool, username: str, password: str, env: dict, python: bool) -> str:
    """Store `src` as the image `ref` and return the pinned ref `repo[:tag]@sha256:<hex>`."""
    repo, tag, digest = parse_ref(ref)
    if digest:
        raise PullError("push takes a repository and optional tag, not a digest")
    if not os.path.isdir(src):
        raise PullError(f"not a directory: {src}")
    config = {"env": {"PATH": DEFAULT_PATH, **env}, "python": python}
    digest = _digest(src, config)
    rootfs = os.path.join("images", digest, "rootfs")
    if not os.path.isdir(state.path(rootfs)):
        tmp = state.path("images", f"{digest}.{os.getpid()}.tmp")
        shutil.copytree(src, os.path.join(tmp, "rootfs"), symlinks=True)
        try:
            os.rename(tmp, state.path("images", digest))
        except OSError:  # the same image was pushed concurrently
            shutil.rmtree(tmp, ignore_errors=True)
    with state.transaction() as st:
        registry = st["registry"]
        registry["repos"][repo] = {"private": private, "username": username, "password": password}
        manifest = registry["manifests"].setdefault(digest, {"repos": [], "rootfs": rootfs, **config})
        if repo not in manifest["repos"]:
            manifest["repos"].append(repo)
        registry["tags"][f"{repo}:{tag or 'latest'}"] = digest
    return f"{repo}:{tag}@sha256:{digest}" if tag else f"{repo}@sha256:{digest}"


def pull(st: dict, ref: str, credentials: dict | None) -> dict:
    """The manifest of `ref` (rootfs, env, python), checking private repos' credentials."""
    repo, tag, digest = parse_ref(ref)
    registry = st["registry"]
    repo_info = registry["repos"].get(repo)
    if repo_info and repo_info["private"]:
        creds = credentials or {}
        if (creds.get("REGISTRY_USERNAME"), creds.get("REGISTRY_PASSWORD")) != (
            repo_info["username"],
            repo_info["password"],
        ):
            raise PullError(REFUSED)
    if digest is None:
        digest = registry["tags"].get(f"{repo}:{tag or 'latest'}")
    manifest = registry["manifests"].get(digest or "")
    if manifest is None or repo not in manifest["repos"]:
        raise PullError(UNKNOWN_MANIFEST)
    return {"digest": digest, **manifest}
