"""The memo button on the case page: the decision-support memo as a PDF in the page's language
(the same document as `haven memo` and GET /api/v1/cases/{ref}/memo)."""

import json
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response

from haven.cases import Case
from haven.clock import today
from haven.i18n import LANGUAGES
from haven.reports import memo as memos
from haven.reports.memo import MEDIA_TYPES, MemoFormat
from haven.store import repo
from haven.web.packchoice import chosen_pack, offered
from haven.web.render import language
from haven.web.routes_cases import parse_day
from haven.web.session import WebUser, database, web_user

router = APIRouter(include_in_schema=False)


@router.get("/cases/{ref}/memo.pdf")
def memo_pdf(request: Request, ref: str, user: Annotated[WebUser, Depends(web_user)]) -> Response:
    day = parse_day(request.query_params.get("as_of")) or today()
    # The memo's language is chosen on the page (a link per language), else the page's.
    asked = request.query_params.get("lang")
    lang = asked if asked in LANGUAGES else language(request)
    with database(request).session() as s:
        rec, version = repo.read_case(s, user.actor, ref)
        repo.audit(
            s, user.actor, "case.memo", case_ref=ref, as_of=day.isoformat(), lang=lang, format="pdf"
        )
        case = Case.model_validate_json(json.dumps(version.data))
    pack = chosen_pack(request)
    document = memos.build(
        case,
        day,
        pack,
        lang,
        datetime.now(UTC),
        rec.version,
        user.actor.username,
        reference=offered(request).reference(pack),
    )
    data = memos.render(document, pack, MemoFormat.PDF)
    name = memos.filename(ref, day, lang, MemoFormat.PDF)
    return Response(
        data,
        media_type=MEDIA_TYPES[MemoFormat.PDF],
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )
