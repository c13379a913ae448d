"""The flow file (PRODUCT.md section 3)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from reconciler.models.common import ApiVersion, Strict

ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
# A CODEOWNERS owner: @user, @org/team or an e-mail address.
OWNER = r"^(@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?|[^@\s]+@[^@\s]+\.[^@\s]+)$"


class EnvRef(Strict):
    """A value taken from an environment variable at send time; never stored resolved."""

    env: str = Field(pattern=ENV_NAME, description="Name of the environment variable.")


class Header(Strict):
    """A custom HTTP header sent with every resubmit/resume POST."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["value"]}, {"required": ["valueFrom"]}]}
    )

    name: str = Field(min_length=1, description="Header name (an RFC 9110 token).")
    value: str | None = Field(default=None, description="Literal value (not for secrets).")
    valueFrom: EnvRef | None = Field(
        default=None, description="Take the value from an environment variable at send time."
    )
    allowLiteralSecret: bool = Field(
        default=False,
        description="Opt out of the rule that secret-looking headers must use valueFrom.env.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> Header:
        if (self.value is None) == (self.valueFrom is None):
            raise ValueError("a header needs exactly one of 'value' and 'valueFrom'")
        return self


class Endpoint(Strict):
    """A custom resubmit or resume endpoint (HTTPS)."""

    url: str = Field(
        min_length=1,
        json_schema_extra={"format": "uri", "pattern": "^https://"},
        description="HTTPS URL the JSON array of run records is POSTed to.",
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

    workflowName: str | None = Field(default=None, min_length=1)
    domain: str | None = Field(default=None, min_length=1)
    service: str | None = Field(default=None, min_length=1)
    action: str | None = Field(default=None, min_length=1)
    version: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _at_least_one(self) -> Mapping:
        if not any((self.workflowName, self.domain, self.service, self.action, self.version)):
            raise ValueError(
                "a mapping needs at least one of workflowName, domain, service, action, version"
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

    batchSize: int = Field(default=50, ge=1, le=1000, description="Runs per POST body.")
    concurrency: int = Field(default=4, ge=1, le=64, description="Requests in flight.")
    timeoutSeconds: float = Field(default=30, gt=0, le=600)
    maxAttempts: int = Field(default=5, ge=1, le=50)
    signingSecretFrom: EnvRef | None = Field(
        default=None,
        description="Standard Webhooks signing secret: whsec_ then base64, padded or not.",
    )


class Flow(Strict):
    """A flow: a group of Logic App runs with optional custom resubmit/resume endpoints."""

    apiVersion: ApiVersion
    kind: Literal["Flow"]
    name: str = Field(min_length=1, max_length=200, description="Unique, case-sensitive.")
    description: str | None = None
    mappings: list[Mapping] = Field(min_length=1)
    properties: list[PropertyDef] = Field(default_factory=list)
    display: Display | None = None
    resubmit: Endpoint | None = Field(default=None, description="Present = custom resubmit.")
    resume: Endpoint | None = Field(default=None, description="Present = custom resume.")
    dispatch: Dispatch = Field(default_factory=Dispatch)
    owners: list[Annotated[str, Field(pattern=OWNER)]] = Field(
        default_factory=list,
        description="CODEOWNERS entries (@user, @org/team or e-mail) for this file and its folder.",
    )

    def endpoint(self, action: str) -> Endpoint | None:
        return self.resubmit if action == "resubmit" else self.resume
