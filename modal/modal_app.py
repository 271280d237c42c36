"""The committed Modal module: `modal deploy -m modal_app --env <env>`, run from this directory.

Everything comes from the environment (see docs/internals.md): PROCESSOR_REF, IMAGE_REF,
TOOL_SECRETS, MODAL_APP_NAME, REGISTRY_SECRET, MODAL_ADD_PYTHON, PROCESSOR_TIMEOUT.
Modal imports this module twice: on the deploying machine, and inside the container,
where the same variables come from the image (`Image.env`).
"""

import os
import sys

import modal
import modal.exception

import processor_runtime

REGISTRY_KEYS = ["REGISTRY_USERNAME", "REGISTRY_PASSWORD"]


def load_config() -> processor_runtime.DeployConfig:
    try:
        return processor_runtime.load_deploy_config(os.environ)
    except processor_runtime.ConfigError as error:
        # SystemExit, not an exception: `modal deploy` wraps exceptions raised while importing
        # the module in a Rich traceback of this file, while a SystemExit passes through its
        # handlers and prints only our message (every problem, one per line) on stderr, exit 1.
        raise SystemExit(str(error)) from None


def build_image(config: processor_runtime.DeployConfig) -> modal.Image:
    registry_secret = (
        modal.Secret.from_name(config.registry_secret, required_keys=REGISTRY_KEYS)
        if config.registry_secret
        else None
    )
    return (
        modal.Image.from_registry(config.image_ref, secret=registry_secret, add_python=config.add_python)
        .env(processor_runtime.image_env(config))
        # Modal only ships this file automatically; the modules it imports must be added. Last,
        # because sources mounted at container start (copy=False) cannot precede build steps.
        .add_local_python_source("processor_runtime", "processor_naming", "processor_process")
    )


def tool_secrets(config: processor_runtime.DeployConfig) -> list[modal.Secret]:
    """Required secrets always; optional ones only when they exist in the target environment."""
    # Checking existence needs the deploying machine's credentials. Inside the container the
    # function is already defined by the deployment, so optional secrets are simply left out there.
    check_optional = modal.is_local()
    return [
        modal.Secret.from_name(secret.name, required_keys=[secret.name])
        for secret in config.tool_secrets
        if not secret.optional or (check_optional and secret_exists(secret.name))
    ]


def secret_exists(name: str) -> bool:
    # `modal deploy --env` has already set MODAL_ENVIRONMENT, so the lookup uses the target environment.
    try:
        modal.Secret.from_name(name).hydrate()
    except modal.exception.NotFoundError:
        return False
    return True


config = load_config()
app = modal.App(config.app_name)


@app.function(image=build_image(config), secrets=tool_secrets(config), timeout=config.timeout_s)
def run(inputs: dict) -> dict:
    result = processor_runtime.invoke_processor(
        inputs,
        os.environ,
        timeout_s=processor_runtime.processor_deadline_s(config.timeout_s),
        ref=config.processor_ref,
    )
    # One line per call in the container's log (what `modal app logs` shows), and the processor's own stderr
    # when it failed, so a failure can be read there as well as in the returned error.
    if result["ok"]:
        print(f"run {config.processor_ref} mode={result['mode']} ok in {result['duration_ms']} ms", flush=True)
    else:
        error = result["error"]
        print(f"run {config.processor_ref} mode={result['mode']} failed: {error['type']}: {error['message']}", file=sys.stderr)
        if error.get("stderr_tail"):
            print(error["stderr_tail"], file=sys.stderr, flush=True)
    return result
