"""Which pack a page shows: `?pack=` (a pack the server offers, remembered in the URL), else
the server's default. The choice is kept on the request, so the page's texts (entry labels,
step titles, sources) come from the same pack (haven/web/render.py)."""

from fastapi import Request

from haven.errors import InputError, Unprocessable
from haven.policy.pack import Pack
from haven.policy.packset import PackSet


def offered(request: Request) -> PackSet:
    packs: PackSet = request.app.state.packs
    return packs


def chosen_pack(request: Request) -> Pack:
    """The pack named by `?pack=`, else the default; an unknown or empty one is an error
    naming `pack` (422)."""
    try:
        pack = offered(request).get(request.query_params.get("pack"), "pack")
    except InputError as err:
        raise Unprocessable(err.problems) from None  # 422, as the API answers
    request.state.pack = pack
    return pack


def page_pack(request: Request) -> Pack:
    """The pack chosen for this request, else the default."""
    pack: Pack = getattr(request.state, "pack", None) or request.app.state.pack
    return pack


def pack_query(request: Request) -> str:
    """`&pack=ID` to carry a chosen pack into the page's links, or nothing for the default."""
    packs, pack = offered(request), page_pack(request)
    return "" if pack is packs.default else f"&pack={pack.meta.id}"
