"""A flow-run record exactly as Invictus sends it.

Only `id` is required; every other field, known or not, is kept and sent back unchanged.
The model gives the schema and checks each record at import (which keeps the raw JSON text
to keep bytes exact). The fields the store indexes carry the ranges every store can hold:
text an index entry can take (KEY_TEXT_MAX characters) and a 32-bit `statusId`."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from reconciler.models.common import INT32_MAX, INT32_MIN

# An indexed text (id, workFlowRunId, chainId, workflowName): at 4 UTF-8 bytes a character
# this stays under PostgreSQL's limit for one B-tree index entry (2,704 bytes).
KEY_TEXT_MAX = 512
Key = Annotated[str, Field(max_length=KEY_TEXT_MAX)]
StatusId = Annotated[int, Field(ge=INT32_MIN, le=INT32_MAX)]


class RunRecord(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1, max_length=KEY_TEXT_MAX)
    workflowEventId: str | None = None
    partitionKey: str | None = None
    workFlowRunId: Key | None = None
    dateInserted: str | None = None
    parentWorkFlowRunId: str | None = None
    chainId: Key | None = None
    executionTime: str | None = Field(default=None, json_schema_extra={"format": "date-time"})
    appName: str | None = None
    workflowName: Key | None = None
    statusId: StatusId | None = None
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
