"""`modal deploy`: import the App from a file or module, then deploy it (see `modal._deploy`)."""
import importlib
import importlib.util
import inspect
import os
import sys

from modal_emulator import faults, server

from .. import _deploy
from ..app import App
from ..client import credentials
from ..exception import ExecutionError, InvalidError, _CliUserExecutionError
from ._parser import Argument, Command, Option, UsageError
from .app import follow_logs
from .utils import ensure_env, env_option

RACE_TAG = "raced-by-other-run"


def parse_import_ref(ref: str) -> tuple[str, str]:
    if ref.find("::") > 1:
        file_or_module, object_path = ref.split("::", 1)
        return file_or_module, object_path
    if ref.find(":") > 1:
        raise InvalidError(f"Invalid object reference: {ref}. Did you mean '::' instead of ':'?")
    return ref, ""


def import_file_or_module(file_or_module: str, use_module_mode: bool, command: str):
    """The module and its name as a container would import it (cwd first on sys.path, as the real CLI)."""
    if "" not in sys.path:
        sys.path.insert(0, "")
    if not file_or_module.endswith(".py") or use_module_mode:
        if not use_module_mode:
            raise InvalidError(
                "Python module paths must be specified with the -m flag. "
                f"Use `{command} -m {file_or_module}` instead."
            )
        try:
            return importlib.import_module(file_or_module), file_or_module
        except Exception as exc:
            raise _CliUserExecutionError(file_or_module) from exc

    full_path = os.path.abspath(file_or_module)
    if "." in os.path.basename(full_path).removesuffix(".py"):
        raise InvalidError(
            f"Invalid Modal source filename: {os.path.basename(full_path)!r}."
            "\n\nSource filename cannot contain additional period characters."
        )
    sys.path.insert(0, os.path.dirname(full_path))
    module_name = inspect.getmodulename(file_or_module)
    spec = importlib.util.spec_from_file_location(module_name, file_or_module)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        if isinstance(exc, ImportError) and "attempted relative import with no known parent package" in str(exc):
            suggested = ".".join(os.path.normpath(file_or_module).split(os.sep)).removesuffix(".py").lstrip(".")
            new_exc = InvalidError(
                "The source file contains relative imports and is therefore written as "
                "part of a Python package, but Modal was invoked in script mode "
                f"(`{command} {file_or_module}`). "
                f"Try invoking Modal in module mode instead, i.e. `{command} -m {suggested}`, "
                "assuming that your path starts at the root of the package."
            )
            new_exc.__traceback__ = exc.__traceback__
            raise _CliUserExecutionError(full_path) from new_exc
        raise _CliUserExecutionError(full_path) from exc
    return module, module_name


def deploy(
    app_ref, name="", env=None, stream_logs=False, tag="", use_module_mode=False, timestamps=False, strategy="rolling"
):
    env = ensure_env(env)
    file_or_module, object_path = parse_import_ref(app_ref)
    module, module_name = import_file_or_module(file_or_module, use_module_mode, "modal deploy")
    app_var = object_path or "app"
    if "." in app_var:
        raise UsageError(f"{app_var} is not a Modal App")
    app = getattr(module, app_var)
    if app is None:
        sys.stderr.write(f"Could not find Modal app '{app_var}' in {file_or_module}.\n")
        sys.exit(1)
    if not isinstance(app, App):
        raise UsageError(f"{app} is not a Modal App")

    name = name or app.name or ""
    if not name:
        raise ExecutionError(
            "You need to either supply an explicit deployment name on the command line "
            "or have a name set on the App.\n"
            "\n"
            "Examples:\n"
            'app = modal.App("some-name")\n'
            "modal deploy ... --name=some-name"
        )
    result = _deploy.deploy_app(
        app,
        name=name,
        environment_name=env,
        tag=tag,
        module={"name": module_name, "app_var": app_var},
        entrypoint=_deploy.entrypoint_mount(module_name, module.__file__),
        strategy=strategy,
    )
    race = faults.take("deploy", ("race",))
    if race:
        # --message names the other run's tag (two runs given the same deploy tag); by default a tag of its own.
        server.app_deploy_copy(credentials(), result["app_id"], race.get("message") or RACE_TAG)
    if stream_logs:
        follow_logs(result["app_id"], timestamps)


deploy_command = Command(
    "deploy",
    "Deploy a Modal application.\n\nExamples:\n\n  modal deploy my_script.py\n  modal deploy -m my_package.my_mod",
    deploy,
    [
        Argument("app_ref"),
        Option(("--name",), "name", "Name of the deployment.", default=""),
        env_option(),
        Option(("--stream-logs",), "stream_logs", "Stream logs from the app upon deployment.", is_flag=True),
        Option(("--tag",), "tag", "Tag the deployment with a version.", default=""),
        Option(
            ("-m",),
            "use_module_mode",
            "Interpret argument as a Python module path instead of a file/script path",
            is_flag=True,
        ),
        Option(("--timestamps",), "timestamps", "Show timestamps for each log line.", is_flag=True),
        Option(("--strategy",), "strategy", "Deployment strategy", choices=("rolling", "recreate"), default="rolling"),
    ],
    no_args_is_help=True,
)
