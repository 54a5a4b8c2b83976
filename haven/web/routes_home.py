"""The administrator's home: user administration (/admin/users) and the status of the
organisation's encryption keys. Key ids, dates and counts only: never key material."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from haven.store.access import Action
from haven.store.keyops import status as key_status
from haven.store.keys import ring_for
from haven.store.models import Organisation, User
from haven.store.repo import audit, require
from haven.web.render import render
from haven.web.session import WebUser, database, web_user

router = APIRouter(include_in_schema=False)
Signed = Annotated[WebUser, Depends(web_user)]


@router.get("/admin")
def admin_home(request: Request, user: Signed) -> HTMLResponse:
    require(user.actor, Action.USER_MANAGE)
    with database(request).session() as s:
        by_role = dict(
            s.execute(
                select(User.role, func.count())
                .where(User.org_id == user.actor.org_id, User.active.is_(True))
                .group_by(User.role)
            ).all()
        )
    return render(request, "admin.html", by_role=by_role)


@router.get("/admin/keys")
def keys_page(request: Request, user: Signed) -> HTMLResponse:
    require(user.actor, Action.USER_MANAGE)
    db = database(request)
    with db.session() as s:
        slug = s.scalar(select(Organisation.slug).where(Organisation.id == user.actor.org_id))
        audit(s, user.actor, "keys.status")
    slug = slug or ""
    ring = ring_for(db.url)
    keys = ring.keys(slug)
    sealed = key_status(db).get(slug, {})
    return render(
        request,
        "admin_keys.html",
        keys=keys,
        sealed=sealed,
        source=ring.where,
        primary=keys[0].kid if keys else None,
        org=slug,
    )
