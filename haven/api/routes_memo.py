"""GET /api/v1/cases/{ref}/memo: the decision-support memo of a stored case, as HTML or PDF.

Access is that of reading the case (the read is audited as `case.read`), and the memo itself is
audited as `case.memo` with its date, language and format.
"""

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from haven.api import deps, errors
from haven.cases import Case
from haven.clock import today
from haven.doors import document_response
from haven.policy.pack import Pack
from haven.policy.packset import PackSet
from haven.policy.snapshot import check_covered
from haven.reports import memo as memos
from haven.reports.memo import MemoFormat
from haven.store import repo
from haven.store.access import Action
from haven.store.db import Database
from haven.store.repo import Actor

router = APIRouter(
    prefix="/api/v1/cases", tags=["cases"], responses=errors.responses(401, 403, 404, 422)
)


class Lang(StrEnum):
    EN = "en"
    NL = "nl"


_OK = {
    200: {
        "description": "The memo (PDF by default)",
        "content": {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            "text/html": {"schema": {"type": "string"}},
        },
    }
}


@router.get("/{ref}/memo", response_class=Response, responses=_OK)  # type: ignore[arg-type]
def case_memo(
    ref: str,
    db: Annotated[Database, Depends(deps.db)],
    actor: Annotated[Actor, Depends(deps.actor)],
    pack: Annotated[Pack, Depends(deps.pack)],
    packs: Annotated[PackSet, Depends(deps.packs)],
    as_of: deps.QueryDate | None = None,
    lang: Lang = Lang.EN,
    format: MemoFormat = MemoFormat.PDF,
) -> Response:
    """The memo for the case's current version as of a date (default today), in English or
    Dutch, under `pack` (default: the server's). It supports and does not replace the officer's
    decision; where the reference pack (GET /api/v1/policy/packs) recommends something more
    favourable on the date, it says so."""
    day = as_of or today()
    # The role first; then a date the pack cannot assess is refused before the case is read:
    # the log must not say that a memo was made when none was.
    repo.require(actor, Action.CASE_READ)
    check_covered(pack, day)
    with db.session() as s:
        _, version = repo.read_case(s, actor, ref)
        repo.audit(
            s,
            actor,
            "case.memo",
            case_ref=ref,
            as_of=day.isoformat(),
            lang=lang.value,
            format=format.value,
        )
        case = Case.model_validate_json(json.dumps(version.data))
    document = memos.build(
        case, day, pack, lang.value, datetime.now(UTC), reference=packs.reference(pack)
    )
    # A plain `def`: FastAPI runs it in a worker thread, so a second of PDF rendering does not
    # hold up other requests.
    data = memos.render(document, pack, format)
    name = memos.filename(ref, day, lang.value, format)
    return document_response(data, format, name)
