"""`modal.Secret`: a lazy reference by name, resolved at deploy time or by `.hydrate()`."""
from modal_emulator import faults, server

from . import client as client_module
from . import config


class Secret:
    def __init__(self, name: str, environment_name: str | None, required_keys: list[str]):
        self.name = name
        self.environment_name = environment_name
        self.required_keys = list(required_keys)
        self.object_id: str | None = None
        self.resolved_environment: str | None = None

    def __repr__(self) -> str:
        return f"Secret.from_name({self.name!r})"

    @staticmethod
    def from_name(
        name: str, *, environment_name: str | None = None, required_keys: list[str] = [], client=None
    ) -> "Secret":
        return Secret(name, environment_name, required_keys)

    def hydrate(self, client=None) -> "Secret":
        """NotFoundError when missing, ConflictError ("Secret is missing key(s): …") when keys are missing."""
        client = client_module.resolve(client)
        faults.check("sdk:secret")
        return self._resolve(client.credentials, config.environment())

    def _resolve(self, creds, default_environment: str) -> "Secret":
        info = server.secret_get(
            creds, self.name, self.environment_name or default_environment, self.required_keys
        )
        self.object_id, self.resolved_environment = info["id"], info["environment"]
        return self
