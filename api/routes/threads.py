"""Threads between a client company and a contractor, and their messages."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response
from pydantic import BaseModel, Field
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api.deps import AppSettings, Caller, Now, Session, Temporal
from api.errors import not_found
from api.lists import page_of, total_of, visible_to
from api.schemas import Page, PageRequest, Paging, paging
from api.workflows import Workflows
from contracts.messages import RelayMessage
from core.settings import Settings
from domain.masking import mask_if
from domain.roles import Role
from notifications.threads import Panel, append_message, is_party, panel_of, thread_between
from store.models import Candidacy, Company, Message, Thread, User
from workflows import summaries
from workflows.message_relay import (
    MessageRelayWorkflow,
    relay_search_attributes,
    relay_workflow_id,
)

router = APIRouter(tags=["messages"])

MessagePaging = Annotated[PageRequest, Depends(paging(per_page=50, max_per_page=200))]

PRIVACY = (
    "Before the contractor is hired by the company (the `marketplace` panel), email addresses "
    "and phone numbers in message bodies are masked for both sides, and no answer ever shows "
    "either side's email address; after the hire (the `workforce` panel) bodies are shown as "
    "written."
)


class PartyOut(BaseModel):
    id: str
    name: str


class MessageOut(BaseModel):
    id: str
    thread_id: str
    kind: str  # user | system
    sender: PartyOut | None  # None for a system message
    sender_role: str | None  # client | contractor
    body: str
    created_at: datetime


class ThreadOut(BaseModel):
    id: str
    panel: Panel
    company: PartyOut
    contractor: PartyOut
    created_at: datetime
    last_message: MessageOut | None


class ThreadDetail(ThreadOut):
    messages: Page[MessageOut]  # newest first


class ThreadStart(BaseModel):
    contractor_id: str | None = Field(default=None, description="a client names the contractor")
    company_id: str | None = Field(default=None, description="a contractor names the company")


class MessageIn(BaseModel):
    body: str = Field(min_length=1, max_length=10_000)


async def thread_for(session: AsyncSession, user: User, thread_id: str) -> Thread:
    thread = await session.get(Thread, thread_id)
    if thread is None or not is_party(user, thread):
        raise not_found("thread")
    return thread


async def start_relay(
    temporal: Workflows, settings: Settings, thread: Thread, message: Message
) -> None:
    """Email the message to the other side, durably (MessageRelayWorkflow), once: a message
    whose relay already ran is not relayed again."""
    try:
        await temporal.start(
            MessageRelayWorkflow.run,
            RelayMessage(message_id=message.id),
            id=relay_workflow_id(message.id),
            task_queue=settings.temporal_task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=relay_search_attributes(thread.company_id, thread.contractor_id),
            static_summary=summaries.relay_summary(message.id, thread.id),
            static_details=summaries.relay_details(),
        )
    except WorkflowAlreadyStartedError:
        pass


async def _relay_exists(temporal: Workflows, message: Message) -> bool | None:
    """Whether the message's relay was started; None when the workflow service cannot say."""
    try:
        await temporal.describe(relay_workflow_id(message.id))
    except RPCError as error:
        return False if error.status == RPCStatusCode.NOT_FOUND else None
    return True


async def post_message(
    session: AsyncSession,
    temporal: Workflows,
    settings: Settings,
    thread: Thread,
    sender: User,
    body: str,
    at: datetime,
    event_key: str | None = None,
) -> tuple[Message, bool]:
    """Store the message and relay it by email; (message, whether it is new). The same event
    again (an inbound email delivered twice) relays the stored message if it was not yet."""
    message, created = await append_message(
        session, thread, body=body, at=at, sender_id=sender.id, event_key=event_key
    )
    try:
        await start_relay(temporal, settings, thread, message)
    except RPCError:
        relayed = await _relay_exists(temporal, message)
        if relayed:  # started, though its answer was lost
            return message, created
        if relayed is False and created:
            # Neither relayed nor to be: the sender may send it again.
            await session.delete(message)
            await session.commit()
        raise
    return message, created


async def _names(session: AsyncSession, user_ids: set[str]) -> dict[str, User]:
    if not user_ids:
        return {}
    rows = await session.exec(select(User).where(col(User.id).in_(user_ids)))
    return {u.id: u for u in rows}


def _message_out(message: Message, thread: Thread, users: dict[str, User]) -> MessageOut:
    hidden = not thread.hired
    sender = users.get(message.sender_id) if message.sender_id else None
    return MessageOut(
        id=message.id,
        thread_id=message.thread_id,
        kind=message.kind,
        sender=PartyOut(id=sender.id, name=mask_if(sender.name, hidden)) if sender else None,
        sender_role=sender.role if sender else None,
        body=mask_if(message.body, hidden),
        created_at=message.created_at,
    )


async def _thread_out(session: AsyncSession, thread: Thread) -> ThreadOut:
    hidden = not thread.hired
    company = await session.get(Company, thread.company_id)
    contractor = await session.get(User, thread.contractor_id)
    last = (
        await session.exec(
            select(Message)
            .where(Message.thread_id == thread.id)
            .order_by(col(Message.created_at).desc(), col(Message.id).desc())
            .limit(1)
        )
    ).first()
    users = await _names(session, {last.sender_id} if last and last.sender_id else set())
    return ThreadOut(
        id=thread.id,
        panel=panel_of(thread),
        company=PartyOut(
            id=thread.company_id, name=mask_if(company.name if company else "", hidden)
        ),
        contractor=PartyOut(
            id=thread.contractor_id, name=mask_if(contractor.name if contractor else "", hidden)
        ),
        created_at=thread.created_at,
        last_message=_message_out(last, thread, users) if last else None,
    )


@router.get(
    "/threads",
    response_model=Page[ThreadOut],
    description=PRIVACY,
    responses={403: {"description": "only clients and contractors have threads"}},
)
async def list_threads(
    user: Caller,
    session: Session,
    paging: Paging,
    panel: Panel | None = None,
) -> Page[ThreadOut]:
    """The caller's threads (a client: its company's; a contractor: their own), the most recently
    active first. `panel=marketplace`: not hired yet; `panel=workforce`: hired."""
    if user.role not in (Role.CLIENT, Role.CONTRACTOR):
        raise HTTPException(403, "only clients and contractors have threads")
    mine = visible_to(user, select(Thread), Thread)
    if panel is not None:
        mine = mine.where(Thread.hired == (panel == Panel.WORKFORCE))
    total = await total_of(session, mine)
    last_at = (
        select(col(Message.thread_id), func.max(Message.created_at).label("last_at"))
        .group_by(col(Message.thread_id))
        .subquery()
    )
    rows = await session.exec(
        page_of(
            mine.outerjoin(last_at, last_at.c.thread_id == Thread.id).order_by(
                func.coalesce(last_at.c.last_at, Thread.created_at).desc(), col(Thread.id).desc()
            ),
            paging,
        )
    )
    items = [await _thread_out(session, t) for t in list(rows)]
    return Page(items=items, total=total, page=paging.page, per_page=paging.per_page)


@router.post(
    "/threads",
    response_model=ThreadOut,
    status_code=201,
    description=(
        "Start a thread, or answer the existing one (200): there is one thread per company and "
        "contractor. A client names a contractor (`contractor_id`) who has a candidacy with the "
        "client's company; a contractor names a company (`company_id`) they have a candidacy "
        "with. Anyone else: 404. Threads are also created on demand when a workflow posts an "
        "event into one (an interview cancelled, an offer sent) or when the contractor is hired. "
        + PRIVACY
    ),
)
async def start_thread(
    body: ThreadStart, user: Caller, session: Session, now: Now, response: Response
) -> ThreadOut:
    if user.role == Role.CLIENT and body.contractor_id and user.company_id:
        company_id, contractor_id = user.company_id, body.contractor_id
        missing = "contractor"
    elif user.role == Role.CONTRACTOR and body.company_id:
        company_id, contractor_id = body.company_id, user.id
        missing = "company"
    else:
        raise HTTPException(422, "a client gives contractor_id, a contractor gives company_id")
    existing = (
        await session.exec(
            select(Thread).where(
                Thread.company_id == company_id, Thread.contractor_id == contractor_id
            )
        )
    ).first()
    if existing is not None:
        response.status_code = 200
        return await _thread_out(session, existing)
    candidacy = (
        await session.exec(
            select(Candidacy.id).where(
                Candidacy.company_id == company_id, Candidacy.contractor_id == contractor_id
            )
        )
    ).first()
    if candidacy is None:
        raise not_found(missing)
    thread = await thread_between(session, company_id, contractor_id, at=now)
    return await _thread_out(session, thread)


@router.get("/threads/{thread_id}", response_model=ThreadDetail, description=PRIVACY)
async def get_thread(
    thread_id: str,
    user: Caller,
    session: Session,
    paging: MessagePaging,
) -> ThreadDetail:
    """The thread and its messages, newest first (page 1 is the latest). Only the company's
    client members and the contractor see it; anyone else gets 404."""
    thread = await thread_for(session, user, thread_id)
    messages = select(Message).where(Message.thread_id == thread.id)
    total = await total_of(session, messages)
    rows = list(
        await session.exec(
            page_of(
                messages.order_by(col(Message.created_at).desc(), col(Message.id).desc()), paging
            )
        )
    )
    users = await _names(session, {m.sender_id for m in rows if m.sender_id})
    summary = await _thread_out(session, thread)
    return ThreadDetail(
        **summary.model_dump(),
        messages=Page(
            items=[_message_out(m, thread, users) for m in rows],
            total=total,
            page=paging.page,
            per_page=paging.per_page,
        ),
    )


@router.post(
    "/threads/{thread_id}/messages",
    response_model=MessageOut,
    status_code=201,
    description=(
        "Send a message. It is stored and emailed to the other side from the thread's relay "
        "address (`thread-<token>@<relay domain>`, also the Reply-To), so a reply by email comes "
        "back into the thread (POST /inbound-email). " + PRIVACY
    ),
)
async def send_message(
    thread_id: str,
    body: MessageIn,
    user: Caller,
    session: Session,
    temporal: Temporal,
    settings: AppSettings,
    now: Now,
) -> MessageOut:
    thread = await thread_for(session, user, thread_id)
    if not body.body.strip():
        raise HTTPException(422, "the message is empty")
    message, _ = await post_message(session, temporal, settings, thread, user, body.body, now)
    return _message_out(message, thread, {user.id: user})
