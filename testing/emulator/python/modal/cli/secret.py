"""`modal secret list|create|delete`."""
import json as json_module
import os

from modal_emulator import server, state

from .. import _output
from .._validation import check_object_name
from ..client import credentials
from ..exception import NotFoundError
from ._parser import Argument, Command, Group, Option, UsageError
from .utils import confirm, display_table, ensure_env, env_option, json_option, yes_option


def list_(env=None, json=False):
    env = ensure_env(env)
    rows = [
        [
            s["name"],
            state.localized(s["created_at"], json),
            s["created_by"],
            state.localized(s["last_used_at"], json) if s["last_used_at"] else "-",
        ]
        for s in server.secret_list(credentials(), env)
    ]
    title = f"Secrets in environment '{env}'" if env else "Secrets"
    display_table(["Name", "Created at", "Created by", "Last used at"], rows, json, title)


def _read_dotenv(path: str) -> dict:
    """Minimal `.env` reading (KEY=VALUE lines, comments, optional quotes, `export`)."""
    values = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, value = line.removeprefix("export ").split("=", 1)
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            values[key.strip()] = value
    return values


def create(secret_name, keyvalues=(), env=None, from_dotenv=None, from_json=None, force=False):
    env = ensure_env(env)
    env_dict = {}
    for arg in keyvalues:
        if "=" not in arg:
            raise UsageError(
                """Each item should be of the form <KEY>=VALUE. To enter secrets using your $EDITOR, use `<KEY>=-`. To
enter secrets from environment variables, use `<KEY>="$ENV_VAR"`.

E.g.

modal secret create my-credentials username=john password=-
modal secret create my-credentials username=john password="$PASSWORD"
"""
            )
        key, value = arg.split("=", 1)
        if value == "-":
            raise UsageError(f"The modal emulator cannot open $EDITOR for '{key}'; pass the value instead.")
        env_dict[key] = value
    if from_dotenv:
        if not os.path.isfile(from_dotenv):
            raise UsageError(f"Could not read .env file at {from_dotenv}")
        env_dict.update(_read_dotenv(from_dotenv))
    if from_json:
        if not os.path.isfile(from_json):
            raise UsageError(f"Could not read JSON file at {from_json}")
        try:
            with open(from_json) as f:
                env_dict.update(json_module.load(f))
        except Exception as e:
            raise UsageError(f"Could not parse JSON file at {from_json}: {e}") from None
    if not env_dict:
        raise UsageError("You need to specify at least one key for your secret")
    for k, v in env_dict.items():
        if not isinstance(k, str) or not k:
            raise UsageError(f"Invalid key: '{k}'")
        if not isinstance(v, str):
            raise UsageError(f"Non-string value for secret '{k}'")

    check_object_name(secret_name, "Secret")
    server.secret_create(credentials(), secret_name, env_dict, env, overwrite=force)

    plural = "s" if len(env_dict) > 1 else ""
    _output.echo(f"Created a new secret '{secret_name}' with the key{plural} {', '.join(repr(k) for k in env_dict)}")
    _output.echo("\nUse it in your Modal app:\n")
    getenvs = "\n    ".join(f'os.getenv("{k}")' for k in env_dict)
    _output.write_raw(
        f'\n@app.function(secrets=[modal.Secret.from_name("{secret_name}")])\ndef some_function():\n    {getenvs}\n'
    )


def delete(name, allow_missing=False, yes=False, env=None):
    env = ensure_env(env)
    if not yes:
        confirm(f"Are you sure you want to irrevocably delete the modal.Secret '{name}'?")
    try:
        server.secret_delete(credentials(), name, env)
    except NotFoundError:
        if not allow_missing:
            raise


secret_cli = Group(
    "secret",
    "Manage secrets.",
    {
        "list": Command("list", "List your published secrets.", list_, [env_option(), json_option()]),
        "create": Command(
            "create",
            "Create a new secret.",
            create,
            [
                Argument("secret_name"),
                Argument("keyvalues", required=False, variadic=True),
                env_option(),
                Option(("--from-dotenv",), "from_dotenv", "Path to a .env file to load secrets from."),
                Option(("--from-json",), "from_json", "Path to a JSON file to load secrets from."),
                Option(("--force",), "force", "Overwrite the secret if it already exists.", is_flag=True),
            ],
            no_args_is_help=True,
        ),
        "delete": Command(
            "delete",
            "Delete a named Secret.",
            delete,
            [
                Argument("name"),
                Option(("--allow-missing",), "allow_missing", "Don't error if the Secret doesn't exist.", is_flag=True),
                yes_option(),
                env_option(),
            ],
            no_args_is_help=True,
        ),
    },
)
