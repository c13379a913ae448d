"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

    webhook-id:        the message id; the same on every retry (we use the Idempotency-Key)
    webhook-timestamp: integer Unix seconds of this attempt
    webhook-signature: "v1," + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))

The secret is `whsec_` (optional) followed by base64 of the key, padded or not, as the
reference libraries read it, so any Standard Webhooks verifier accepts what we send. Unlike
the reference, characters outside the base64 alphabet are refused rather than skipped: a
skipped character would sign with another key than the one the operator meant."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

SECRET_PREFIX = "whsec_"


class SigningKeyError(ValueError):
    """The secret is not base64 (after an optional whsec_ prefix)."""


def decode_secret(secret: str) -> bytes:
    text = secret.strip().removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
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
