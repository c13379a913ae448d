"""The flow file: mappings, custom resubmit/resume endpoints, delivery settings, owners."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

import idna
from pydantic import AfterValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from reconciler.models.common import ApiVersion, Int, Omittable, Strict
from reconciler.models.replay import RateLimit

ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
# A CODEOWNERS owner: @user, @org/team or an e-mail address.
OWNER = r"^(@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?|[^@\s]+@[^@\s]+\.[^@\s]+)$"
# An https URL without a fragment (RFC 3987: international names allowed; no spaces,
# control characters or <>"{}|\^` anywhere, %-escapes complete). The rules say more
# about the scheme, host, credentials and fragment.
_URL_CHAR = r'%[0-9A-Fa-f]{2}|[^\x00-\x20\x7f<>"{}|\\^`%#'
HTTPS_URL = rf"^https://({_URL_CHAR}/?])+(/({_URL_CHAR}?])*)?(\?({_URL_CHAR}])*)?$"


def _ascii_host(url: str) -> str:
    """An international host name becomes its IDNA (punycode) form: what DNS, TLS and the
    store see. One that IDNA refuses stays as written: the URL rules report it."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:  # a bad port or IPv6 literal: the URL rules report it
        return url
    if host.isascii():
        return url
    try:
        ascii_host = idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        return url
    userinfo, at, hostport = parts.netloc.rpartition("@")
    port = hostport[hostport.rfind(":") :] if hostport.rfind(":") > hostport.rfind("]") else ""
    return url.replace(parts.netloc, f"{userinfo}{at}{ascii_host}{port}", 1)


class EnvRef(Strict):
    """A value taken from an environment variable at send time; never stored resolved."""

    env: str = Field(pattern=ENV_NAME, description="Name of the environment variable.")


class Header(Strict):
    """A custom HTTP header sent with every resubmit/resume POST."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["value"]}, {"required": ["valueFrom"]}]}
    )

    name: str = Field(min_length=1, description="Header name (an RFC 9110 token).")
    value: Omittable[str] = Field(default=None, description="Literal value (not for secrets).")
    valueFrom: Omittable[EnvRef] = Field(
        default=None, description="Take the value from an environment variable at send time."
    )
    allowLiteralSecret: bool = Field(
        default=False,
        description="Opt out of the rule that secret-looking headers must use valueFrom.env.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> Header:
        if self.value is not None and self.valueFrom is not None:
            raise PydanticCustomError(
                "one_of", "has both 'value' and 'valueFrom': give exactly one"
            )
        if self.value is None and self.valueFrom is None:
            raise PydanticCustomError("one_of", "needs one of 'value' or 'valueFrom'")
        return self


class Endpoint(Strict):
    """A custom resubmit or resume endpoint (HTTPS)."""

    url: Annotated[str, AfterValidator(_ascii_host)] = Field(
        pattern=HTTPS_URL,
        description="HTTPS URL the JSON array of run records is POSTed to (international "
        "host names are sent in their IDNA form).",
    )
    headers: list[Header] = Field(default_factory=list, description="Custom HTTP headers.")


class Mapping(Strict):
    """Which workflow runs belong to the flow; every key given must match."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": [key]}
                for key in ("workflowName", "domain", "service", "action", "version")
            ]
        }
    )

    workflowName: Omittable[str] = Field(default=None, min_length=1)
    domain: Omittable[str] = Field(default=None, min_length=1)
    service: Omittable[str] = Field(default=None, min_length=1)
    action: Omittable[str] = Field(default=None, min_length=1)
    version: Omittable[str] = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _at_least_one(self) -> Mapping:
        if not any((self.workflowName, self.domain, self.service, self.action, self.version)):
            raise PydanticCustomError(
                "one_of",
                "needs at least one of 'workflowName' or 'domain' or 'service' or 'action' "
                "or 'version'",
            )
        return self


class PropertyDef(Strict):
    """A business property shown with runs."""

    name: str = Field(min_length=1)


class Display(Strict):
    """Invictus advanced settings."""

    milestones: bool = False
    eventText: bool = False
    resubmitResume: bool = False


class Dispatch(Strict):
    """Per-flow delivery settings."""

    batchSize: Int = Field(default=50, ge=1, le=1000, description="Runs per POST body.")
    concurrency: Int = Field(default=4, ge=1, le=64, description="Requests in flight.")
    timeoutSeconds: float = Field(default=30, gt=0, le=600, allow_inf_nan=False)
    maxAttempts: Int = Field(default=5, ge=1, le=50)
    signingSecretFrom: Omittable[EnvRef] = Field(
        default=None,
        description="Standard Webhooks signing secret: whsec_ then base64, padded or not.",
    )
    rateLimit: Omittable[RateLimit] = Field(
        default=None, description="At most so many POSTs per period to this endpoint."
    )


class Flow(Strict):
    """A flow: a group of Logic App runs with optional custom resubmit/resume endpoints."""

    apiVersion: ApiVersion
    kind: Literal["Flow"]
    name: str = Field(min_length=1, max_length=200, description="Unique, case-sensitive.")
    description: Omittable[str] = None
    mappings: list[Mapping] = Field(min_length=1)
    properties: list[PropertyDef] = Field(default_factory=list)
    display: Omittable[Display] = None
    resubmit: Omittable[Endpoint] = Field(default=None, description="Present = custom resubmit.")
    resume: Omittable[Endpoint] = Field(default=None, description="Present = custom resume.")
    dispatch: Dispatch = Field(default_factory=Dispatch)
    owners: list[Annotated[str, Field(pattern=OWNER)]] = Field(
        default_factory=list,
        description="CODEOWNERS entries (@user, @org/team or e-mail) for this file and its folder.",
    )

    def endpoint(self, action: str) -> Endpoint | None:
        return self.resubmit if action == "resubmit" else self.resume
