"""A flow-run record exactly as Invictus sends it (PRODUCT.md section 5).

Only `id` is required; every other field, known or not, is kept and sent back unchanged.
The model exists for the schema; import works on raw JSON text to keep bytes exact."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class RunRecord(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    workflowEventId: str | None = None
    partitionKey: str | None = None
    workFlowRunId: str | None = None
    dateInserted: str | None = None
    parentWorkFlowRunId: str | None = None
    chainId: str | None = None
    executionTime: str | None = Field(default=None, json_schema_extra={"format": "date-time"})
    appName: str | None = None
    workflowName: str | None = None
    statusId: int | None = None
    subscriptionId: str | None = None
    resourceGroupName: str | None = None
    triggerName: str | None = None
    userStatus: int | None = None
    workFlowActionCount: int | None = None
    errorInfo: str | None = None
    properties: dict[str, Any] | None = None
    source: str | None = None
    eventText: str | None = None
    messageContentView: Any = None
    actionName: str | None = None
