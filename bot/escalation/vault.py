"""The identity vault: what resolves to a person is stored only as a Fernet token.

`index` gives a keyed digest for lookups (a DM thread, a relayed message) so the database can find
a reporter's thread without holding their user id or DM channel id in clear.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken


class VaultError(Exception):
    """A sealed value could not be opened (wrong or rotated key)."""


class Vault:
    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key.encode())
        # A separate key for digests, so an index value is never a usable Fernet input.
        self._index_key = hashlib.sha256(b"peerconsult-index\0" + key.encode()).digest()

    def seal(self, value: str) -> bytes:
        return self._fernet.encrypt(value.encode())

    def open(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(bytes(token)).decode()
        except InvalidToken as exc:
            raise VaultError("sealed value does not open with PEERCONSULT_SECRET_KEY") from exc

    def index(self, *parts: str) -> str:
        digest = hmac.new(self._index_key, "\0".join(parts).encode(), hashlib.sha256)
        return digest.hexdigest()[:40]
