"""Work-queue free text at rest: comments and resolutions sealed with their case's data key.

Comments and resolutions are free text about a case (they can reveal orientation or
persecution history), so they are sealed like the case's own content (haven/store/datakeys):
an AES-256-GCM envelope (haven/store/crypto) under the case's data key, stored as compact JSON
in a TEXT column. The associated data names the row (case, queue, item, comment id and field),
so a ciphertext copied to another item, comment or field fails to open.

- Text written before sealing (migration 0007) carries the prefix `plain:`: it is read as it
  is and sealed by the next `haven keys rotate` (`seal_legacy`). Any other value that is not an
  envelope was written around Haven and is refused.
- When the case's data key is gone (the organisation's keys were shredded, or the key row was
  deleted) the text reads as `[shredded]`: the rest of the queue stays usable. Shredding a case
  itself deletes its work items and comments.
"""

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from haven.store import datakeys
from haven.store.crypto import CryptoError, is_envelope, open_json, seal_json
from haven.store.keys import KeyMissing
from haven.store.models import CaseRecord, WorkItem, WorkItemComment

LEGACY = "plain:"  # the marker migration 0007 put on text stored before sealing
SHREDDED = "[shredded]"  # what a text reads as once its key is gone


def _ad(field: str, item: WorkItem, comment_id: int | None = None) -> str:
    note = "-" if comment_id is None else str(comment_id)
    return f"haven/queue-text/v1|{field}|{item.case_id}|{item.queue_id}|{item.id}|{note}"


def _case(s: Session, item: WorkItem) -> CaseRecord:
    rec = s.get(CaseRecord, item.case_id)
    assert rec is not None, "a work item's case is never deleted (shredding deletes the item)"
    return rec


def _seal(s: Session, item: WorkItem, text: str, ad: str) -> str:
    dek = datakeys.data_key(s, _case(s, item), create=True)
    assert dek is not None
    envelope = seal_json(dek, datakeys.CASE_KID, text, ad)
    return json.dumps(envelope, separators=(",", ":"))


def _open(s: Session, item: WorkItem, stored: str, ad: str, what: str) -> str:
    if stored.startswith(LEGACY):
        return stored[len(LEGACY) :]
    try:
        envelope = json.loads(stored)
    except ValueError:
        envelope = None
    if not is_envelope(envelope):
        raise CryptoError(f"{what}: stored unsealed and unmarked (altered); nothing was returned")
    if envelope.get("kid") != datakeys.CASE_KID:
        raise CryptoError(f"{what}: sealed under unknown key {envelope.get('kid')!r}")
    try:
        dek = datakeys.data_key(s, _case(s, item), create=False)
    except KeyMissing:  # the organisation key sealing the data key is gone
        return SHREDDED
    if dek is None:  # the case's data key row is gone
        return SHREDDED
    text = open_json(dek, envelope, ad, what)
    if not isinstance(text, str):
        raise CryptoError(f"{what}: not a text (altered)")
    return text


def _what(item: WorkItem, field: str) -> str:
    return f"{field} of item {item.id} in queue {item.queue_id} (case {item.case_ref!r})"


def seal_comment(s: Session, item: WorkItem, note: WorkItemComment, text: str) -> None:
    """Set `note.text` to `text` sealed; the note must have its id (flushed)."""
    assert note.id is not None and note.item_id == item.id
    note.text = _seal(s, item, text, _ad("comment", item, note.id))


def open_comment(s: Session, item: WorkItem, note: WorkItemComment) -> str:
    what = _what(item, f"comment {note.id}")
    if note.item_id != item.id:
        raise CryptoError(f"{what}: belongs to another item")
    return _open(s, item, note.text, _ad("comment", item, note.id), what)


def seal_resolution(s: Session, item: WorkItem, text: str) -> None:
    item.resolution = _seal(s, item, text, _ad("resolution", item))


def open_resolution(s: Session, item: WorkItem) -> str | None:
    if item.resolution is None:
        return None
    return _open(s, item, item.resolution, _ad("resolution", item), _what(item, "resolution"))


def seal_legacy(s: Session, org_id: int, limit: int) -> int:
    """Seal up to `limit` texts of `org_id` stored before sealing; how many were sealed."""
    notes = s.execute(
        select(WorkItemComment, WorkItem)
        .join(WorkItem, WorkItem.id == WorkItemComment.item_id)
        .join(CaseRecord, CaseRecord.id == WorkItem.case_id)
        .where(CaseRecord.org_id == org_id, WorkItemComment.text.startswith(LEGACY))
        .order_by(WorkItemComment.id)
        .limit(limit)
        .with_for_update(of=WorkItemComment)
    ).all()
    for note, item in notes:
        seal_comment(s, item, note, note.text[len(LEGACY) :])
    items = s.scalars(
        select(WorkItem)
        .join(CaseRecord, CaseRecord.id == WorkItem.case_id)
        .where(CaseRecord.org_id == org_id, WorkItem.resolution.startswith(LEGACY))
        .order_by(WorkItem.id)
        .limit(max(limit - len(notes), 0))
        .with_for_update(of=WorkItem)
    ).all()
    for item in items:
        assert item.resolution is not None
        seal_resolution(s, item, item.resolution[len(LEGACY) :])
    return len(notes) + len(items)
