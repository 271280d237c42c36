"""`modal.Image`: an immutable description (base image, `.env()` layers, local source mounts) that is
built by the emulated server at deploy time."""
from .exception import InvalidError
from .secret import Secret

BUILD_STEP_AFTER_MOUNT = (
    "An image tried to run a build step after using `image.add_local_*` to include local files.\n"
    "\n"
    "Run `image.add_local_*` commands last in your image build to avoid rebuilding images with every local "
    "file change. Modal will then add these files to containers on startup instead, saving build time.\n"
    "If you need to run other build steps after adding local files, set `copy=True` to copy the files "
    "directly into the image, at the expense of some added build time.\n"
    "\n"
    "Example:\n"
    "\n"
    "my_image = (\n"
    "    Image.debian_slim()\n"
    '    .add_local_file("data.json", copy=True)\n'
    '    .run_commands("python -m mypak")  # this now works!\n'
    ")\n"
)


class Image:
    def __init__(
        self,
        base: dict,
        registry_secret: Secret | None = None,
        layers=(),
        source_modules=(),
        force_build=False,
        build_after_mount=False,
    ):
        self._base = base  # {"ref", "add_python"} or {"builtin": "debian_slim", ...}
        self._registry_secret = registry_secret
        self._layers = tuple(layers)  # ({"env": {...}}, ...)
        self._source_modules = tuple(source_modules)  # ((("pkg_a", "pkg_b"), copy), ...): one mount per call
        self._force_build = force_build
        # A build step after a copy=False mount layer: refused when the image is built, as by Modal.
        self._build_after_mount = build_after_mount

    def _extend(self, **changes) -> "Image":
        fields = {
            "base": self._base,
            "registry_secret": self._registry_secret,
            "layers": self._layers,
            "source_modules": self._source_modules,
            "force_build": self._force_build,
            "build_after_mount": self._build_after_mount,
        }
        return Image(**{**fields, **changes})

    @staticmethod
    def from_registry(
        tag: str,
        secret: Secret | None = None,
        *,
        setup_dockerfile_commands: list[str] = [],
        force_build: bool = False,
        add_python: str | None = None,
        **kwargs,
    ) -> "Image":
        """`add_python` is validated when the image is built (at deploy), as in the real client."""
        if setup_dockerfile_commands:
            raise InvalidError("The modal emulator does not support setup_dockerfile_commands.")
        return Image({"ref": tag, "add_python": add_python}, secret, force_build=force_build)

    @staticmethod
    def debian_slim(python_version: str | None = None, force_build: bool = False) -> "Image":
        return Image({"builtin": "debian_slim", "python_version": python_version}, force_build=force_build)

    def env(self, vars: dict[str, str]) -> "Image":
        non_str_keys = [key for key, val in vars.items() if not isinstance(val, str)]
        if non_str_keys:
            raise InvalidError(f"Image ENV variables must be strings. Invalid keys: {non_str_keys}")
        mounted = any(not copy for _, copy in self._source_modules)
        return self._extend(
            layers=self._layers + ({"env": dict(vars)},), build_after_mount=self._build_after_mount or mounted
        )

    def add_local_python_source(self, *modules: str, copy: bool = False, ignore=None) -> "Image":
        """The `.py` files of local modules/packages are added to containers at /root, like the real
        method (`ignore` is not modelled). With copy=True later build steps are allowed."""
        if not all(isinstance(module, str) for module in modules):
            raise InvalidError("Local Python modules must be specified as strings.")
        return self._extend(source_modules=self._source_modules + ((tuple(modules), copy),))
