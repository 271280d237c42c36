"""`modal token info`."""
import os
from datetime import datetime

from modal_emulator import server

from .. import _output
from ..client import credentials
from ._parser import Command, Group


def info():
    resp = server.token_info(credentials())
    env_vars = [name for name in ("MODAL_TOKEN_ID", "MODAL_TOKEN_SECRET") if os.environ.get(name)]
    if env_vars:
        plural = "s" if len(env_vars) > 1 else ""
        _output.echo(f"(Using {' and '.join(env_vars)} environment variable{plural})")
    _output.echo(f"Token: {resp['token_id']}")
    _output.echo(f"Workspace: {resp['name']} ({resp['id']})")
    _output.echo(f"User: {resp['user']} ({resp['user_id']})")
    created = datetime.fromtimestamp(resp["created_at"]).astimezone()
    _output.echo(f"Created at: {created.strftime('%Y-%m-%d %H:%M:%S %Z')}")


token_cli = Group(
    "token",
    "Manage tokens.",
    {"info": Command("info", "Display information about the token that is currently in use.", info)},
)
