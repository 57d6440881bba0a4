"""Protection of personal data: encryption at rest and keyed hashes for look-up.

Both keys are derived from the master secret with HKDF, each for one purpose, so the look-up hash
cannot decrypt anything and a leaked database without the secret reveals no ID number.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from backend.core.errors import ConfigurationError


def derive_key(secret: bytes, purpose: str, length: int = 32) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=length, salt=b"jiuzhu", info=purpose.encode()
    ).derive(secret)


class PersonalDataCipher:
    """Encrypts sensitive strings (ID numbers, phones) and hashes them for equality look-up."""

    def __init__(self, secret: bytes) -> None:
        self._fernet = Fernet(base64.urlsafe_b64encode(derive_key(secret, "pii-encryption")))
        self._hash_key = derive_key(secret, "pii-lookup")

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ConfigurationError(
                "无法解密个人信息: SECRET_KEY 与加密时不一致 (the secret key changed)"
            ) from None

    def lookup_hash(self, kind: str, value: str) -> str:
        """A keyed hash: equal values give equal hashes, and nobody without the key can test one."""
        mac = hmac.new(self._hash_key, f"{kind}:{value}".encode(), hashlib.sha256)
        return mac.hexdigest()
