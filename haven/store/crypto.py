"""Authenticated encryption of stored JSON: AES-256-GCM envelopes that name their key.

An envelope is itself JSON, so it fits the existing JSON columns without a migration:
`{"enc": "v1", "kid": ..., "nonce": ..., "ct": ...}` (standard base64). Every envelope is sealed
with associated data naming the row it belongs to (organisation, case, version), so a
ciphertext copied into another row fails authentication instead of being read as that row.
No I/O, no database: keys come in as bytes.
"""

import base64
import json
import secrets
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from haven.errors import HavenError

VERSION = "v1"
KEY_BYTES = 32  # AES-256
# Random 96-bit nonces: NIST SP 800-38D bounds them at 2**32 messages per key; data keys are
# per case, so each seals a handful of rows, and organisation keys wrap one data key per case.
NONCE_BYTES = 12


class CryptoError(HavenError):
    """Stored content that cannot be decrypted: altered, moved from another row, or its key
    is gone. The message names the row, never the content."""


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise CryptoError(f"{what}: not valid base64") from None


def is_envelope(value: Any) -> bool:
    return isinstance(value, dict) and value.get("enc") == VERSION and "ct" in value


def seal_bytes(key: bytes, plaintext: bytes, ad: bytes) -> bytes:
    """nonce || ciphertext+tag."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, ad)


def open_bytes(key: bytes, sealed: bytes, ad: bytes, what: str) -> bytes:
    if len(sealed) < NONCE_BYTES + 16:
        raise CryptoError(f"{what}: ciphertext too short (truncated or altered)")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], ad)
    except InvalidTag:
        raise CryptoError(
            f"{what}: stored content failed authentication "
            "(altered, or copied from another row); nothing was returned"
        ) from None


def seal_json(key: bytes, kid: str, value: Any, ad: str) -> dict[str, str]:
    plaintext = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    sealed = seal_bytes(key, plaintext, ad.encode("utf-8"))
    return {
        "enc": VERSION,
        "kid": kid,
        "nonce": b64(sealed[:NONCE_BYTES]),
        "ct": b64(sealed[NONCE_BYTES:]),
    }


def open_json(key: bytes, envelope: dict[str, Any], ad: str, what: str) -> Any:
    nonce = unb64(str(envelope.get("nonce", "")), what)
    ct = unb64(str(envelope.get("ct", "")), what)
    if len(nonce) != NONCE_BYTES:
        raise CryptoError(f"{what}: bad nonce length (altered)")
    plaintext = open_bytes(key, nonce + ct, ad.encode("utf-8"), what)
    return json.loads(plaintext.decode("utf-8"))
