"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

    webhook-id:        the message id; the same on every retry (we use the Idempotency-Key)
    webhook-timestamp: integer Unix seconds of this attempt
    webhook-signature: "v1," + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))

The secret is base64 with an optional `whsec_` prefix, exactly as the reference libraries
decode it, so any Standard Webhooks verifier accepts what we send."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

SECRET_PREFIX = "whsec_"


class SigningKeyError(ValueError):
    """The secret is not base64 (after an optional whsec_ prefix)."""


def decode_secret(secret: str) -> bytes:
    text = secret.strip()
    if text.startswith(SECRET_PREFIX):
        text = text[len(SECRET_PREFIX) :]
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SigningKeyError("the signing secret is not base64 (expected whsec_<base64>)") from exc
    if not key:
        raise SigningKeyError("the signing secret is empty")
    return key


def sign(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value for one attempt."""
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode("ascii")


def signature_headers(key: bytes, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(key, msg_id, timestamp, body),
    }
