"""`modal environment list|create`."""
from modal_emulator import server

from .. import _output, config
from .._validation import check_environment_name
from ..client import credentials
from ._parser import Argument, Command, Group, Option
from .utils import display_table, json_option


def list_(json=False):
    envs = server.environment_list(credentials())
    active = config.environment() or next((e["name"] for e in envs if e["default"]), "")
    rows = [[e["name"], e["web_suffix"], str(e["name"] == active)] for e in envs]
    display_table(["name", "web suffix", "active"], rows, json)


def create(name, restricted=False, default_role=None):
    check_environment_name(name)
    server.environment_create(credentials(), name)
    prefix = "Restricted " if restricted else ""
    _output.step_completed(f"{prefix}Environment created: {name}", always=True)  # `rich.print` in the real CLI


environment_cli = Group(
    "environment",
    "Create and interact with Environments",
    {
        "list": Command("list", "List all environments in the current workspace.", list_, [json_option()]),
        "create": Command(
            "create",
            "Create a new environment in the current workspace.",
            create,
            [
                Argument("name"),
                Option(
                    ("--restricted",), "restricted", "Enable RBAC restrictions on the new environment", is_flag=True
                ),
                Option(("--default-role",), "default_role", "Default member Role for the Restricted Environment"),
            ],
            no_args_is_help=True,
        ),
    },
)
