"""`modal.Environment`: looked up by name with `.hydrate()`."""
from modal_emulator import faults, server

from . import client as client_module
from ._validation import check_environment_name


class Environment:
    def __init__(self, name: str, create_if_missing: bool):
        self.name = name
        self._create_if_missing = create_if_missing
        self.object_id: str | None = None

    @staticmethod
    def from_name(name: str, *, create_if_missing: bool = False, client=None) -> "Environment":
        check_environment_name(name)
        return Environment(name, create_if_missing)

    def hydrate(self, client=None) -> "Environment":
        """InvalidError ("Environment '<name>' not found") when it does not exist."""
        creds = client_module.resolve(client).credentials
        faults.check("sdk:environment")
        names = {e["name"] for e in server.environment_list(creds)}
        if self._create_if_missing and self.name not in names:
            server.environment_create(creds, self.name)
        self.object_id = server.environment_get(creds, self.name)["id"]
        return self
