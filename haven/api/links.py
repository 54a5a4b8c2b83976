"""OpenAPI links: which later requests a response feeds, and with which of its values.

They tell clients (and stateful fuzzers such as schemathesis) how operations chain: a created
case's `id` is the `{ref}` of reading, editing, assessing it and its memo; a read's ETag is the
If-Match of the edit. Links only annotate successful responses: no path, field or status
changes. They are added to the generated document rather than in each route's `responses=`,
because they name their targets by operationId, which FastAPI generates from the route.
"""

from dataclasses import dataclass, field
from typing import Any

CASES = "/api/v1/cases"
CASE = "/api/v1/cases/{ref}"
QUEUES = "/api/v1/queues"
QUEUE = "/api/v1/queues/{queue_id}"
ITEM = "/api/v1/queues/{queue_id}/items/{item_id}"

# OpenAPI runtime expressions: values of the response (or request) being linked from.
NEW_REF = "$response.body#/id"  # a case response: {"id", "version", ..., "case"}
SAME_REF = "$request.path.ref"
ETAG = "$response.header.ETag"
CONTENT = "$response.body#/case"  # the case itself: a valid body for an edit


@dataclass(frozen=True)
class Link:
    name: str
    method: str  # of the target
    path: str  # of the target
    parameters: dict[str, str] = field(default_factory=dict)
    request_body: str | None = None
    description: str = ""

    def openapi(self, operation_id: str) -> dict[str, Any]:
        out: dict[str, Any] = {"operationId": operation_id, "parameters": dict(self.parameters)}
        if self.request_body is not None:
            out["requestBody"] = self.request_body
        if self.description:
            out["description"] = self.description
        return out


def _case_links(ref: str) -> list[Link]:
    """What can follow a response with one case (and its ETag), whose ref is at `ref`."""
    path = {"path.ref": ref}
    return [
        Link("ReadCase", "get", CASE, path),
        Link(
            "EditCase",
            "put",
            CASE,
            {**path, "header.if-match": ETAG},  # the header's name as FastAPI declares it
            request_body=CONTENT,
            description="Edit the version just seen: If-Match is this response's ETag",
        ),
        Link("ListVersions", "get", f"{CASE}/versions", path),
        Link("AssessCase", "post", f"{CASE}/assessments", path),
        Link("ListAssessments", "get", f"{CASE}/assessments", path),
        Link("CaseMemo", "get", f"{CASE}/memo", path),
        Link("ShareCase", "post", f"{CASE}/share", path),
    ]


def _item_links(queue: str, item: str) -> list[Link]:
    """What can follow a response about one work item."""
    path = {"path.queue_id": queue, "path.item_id": item}
    return [
        Link("ReadItem", "get", ITEM, path),
        Link("AssignItem", "post", f"{ITEM}/assign", path),
        Link("CommentOnItem", "post", f"{ITEM}/comments", path),
        Link("CloseItem", "post", f"{ITEM}/close", path),
        Link("ItemLetter", "get", f"{ITEM}/letter", path),
    ]


def _queue_links(queue: str) -> list[Link]:
    path = {"path.queue_id": queue}
    return [
        Link("ReadQueue", "get", QUEUE, path),
        Link("QueueCounts", "get", f"{QUEUE}/counts", path),
    ]


# (method, path, status) of a response -> the links it offers.
LINKS: dict[tuple[str, str, str], list[Link]] = {
    # A list names cases; reading one gives its ETag and the links of a case.
    ("get", CASES, "200"): [
        Link("ReadCase", "get", CASE, {"path.ref": "$response.body#/items/0/id"})
    ],
    ("post", CASES, "201"): _case_links(NEW_REF),
    ("get", CASE, "200"): _case_links(SAME_REF),
    ("put", CASE, "200"): _case_links(SAME_REF),
    ("get", QUEUES, "200"): _queue_links("$response.body#/0/id"),
    ("post", QUEUES, "201"): _queue_links("$response.body#/id"),
    ("get", QUEUE, "200"): _item_links("$request.path.queue_id", "$response.body#/work_items/0/id"),
    ("get", ITEM, "200"): [
        *_item_links("$request.path.queue_id", "$request.path.item_id"),
        Link("ReadCase", "get", CASE, {"path.ref": "$response.body#/case"}),
    ],
}


def add_links(schema: dict[str, Any]) -> None:
    """Annotate the generated OpenAPI document with LINKS. A source or target missing from the
    document is a KeyError here, so a renamed route cannot leave a dangling link."""
    paths: dict[str, Any] = schema["paths"]
    for (method, path, status), links in LINKS.items():
        response = paths[path][method]["responses"][status]
        response["links"] = {
            link.name: link.openapi(paths[link.path][link.method]["operationId"]) for link in links
        }
