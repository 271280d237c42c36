"""`modal.Client`: credentials from the config; the emulated server checks them on each request."""
from modal_emulator import faults, server

from . import config


def credentials() -> tuple[str, str]:
    """The caller's credentials; inside a container no token is needed (like a container client)."""
    return server.CONTAINER if config.is_remote() else config.credentials()


class Client:
    _client_from_env: "Client | None" = None

    def __init__(self, creds: tuple[str, str]):
        self.credentials = creds

    @classmethod
    def from_env(cls) -> "Client":
        """Raises AuthError ("Token missing…") without a token; a rejected token fails on the first request."""
        if cls._client_from_env is None:
            creds = credentials()
            faults.check("sdk:client")
            cls._client_from_env = cls(creds)
        return cls._client_from_env

    def hello(self) -> None:
        """Check the credentials against the server (AuthError when rejected)."""
        server.hello(self.credentials)


def resolve(client: Client | None) -> Client:
    return client or Client.from_env()
