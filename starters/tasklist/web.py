"""The task list's pages: sign-in, my tasks, a task (its request, procedure, history and
decision form), a case's timeline and the start forms. Server-rendered (Jinja2), no
script; every form carries the session's CSRF token; every decision is signed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from starters.humans import RunEnded, decide, waiting_tasks, workflow_state
from starters.tasklist.auth import (
    Denied,
    Person,
    SignIn,
    check_csrf,
    csrf_token,
    sessions,
    signed_in,
)
from starters.tasklist.cases import case
from starters.tasklist.forms import start_page, start_request
from valuechain.identity.keys import SigningKey
from valuechain.models.common import Roster
from valuechain.models.human import DecisionInput
from valuechain.settings import Settings
from valuechain.validation import describe_validation_error
from workflows.procedures import procedure

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
MARKDOWN = MarkdownIt("commonmark", {"html": False})  # a procedure's HTML is not trusted


@dataclass
class TaskList:
    settings: Settings
    roster: Roster
    # Its keys, the newest first: a run is signed for with the first one it trusts, so
    # runs started before a key rotation are still decided (see the README).
    keys: list[SigningKey]
    sign_in: SignIn
    secret: str  # signs the session cookies
    connect: Callable[[], Any]  # an awaitable giving the Temporal client
    client: Client | None = None
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def page(self, request: Request, template: str, status: int = 200, **values: Any) -> Response:
        person = signed_in(request, self.settings, self.roster)
        return TEMPLATES.TemplateResponse(
            request,
            template,
            {"me": person, "csrf": csrf_token(request), "now": self.now(), **values},
            status_code=status,
        )

    def person(self, request: Request) -> Person | None:
        return signed_in(request, self.settings, self.roster)

    def key_for(self, trusted: list[str]) -> SigningKey:
        """The newest of our keys the run trusts (else the newest: the run says why not)."""
        return next((k for k in self.keys if k.key_id in trusted), self.keys[0])

    @property
    def temporal(self) -> Client:
        assert self.client is not None, "the task list is not connected yet"
        return self.client


def build_app(tasks: TaskList) -> Starlette:
    def needs_person(handler: Callable[[Request, Person], Any]) -> Callable[[Request], Any]:
        async def guarded(request: Request) -> Response:
            person = tasks.person(request)
            if person is None:
                return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)
            try:
                if request.method == "POST":
                    form = await request.form()
                    check_csrf(request, form.get("csrf"))
                response: Response = await handler(request, person)
                return response
            except Denied as err:
                return tasks.page(request, "message.html", 403, title="Refused", text=str(err))

        return guarded

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok", "connected": tasks.client is not None})

    async def signin_form(request: Request) -> Response:
        return tasks.page(request, "signin.html", next=request.query_params.get("next", "/"))

    async def signin(request: Request) -> Response:
        form = await request.form()
        next_page = str(form.get("next") or "/")
        if not next_page.startswith("/") or next_page.startswith("//"):
            next_page = "/"  # only this site's pages: no redirect elsewhere
        try:
            check_csrf(request, form.get("csrf"))
        except Denied as err:
            return tasks.page(request, "signin.html", 403, error=str(err), next=next_page)
        name, password = str(form.get("name", "")), str(form.get("password", ""))
        refused = tasks.sign_in.attempt(name, password, tasks.now())
        if refused is not None or name not in tasks.roster.people:
            error = refused or "wrong name or password"
            return tasks.page(request, "signin.html", 401, error=error, next=next_page, name=name)
        request.session.clear()  # a new session for the new person: no fixation
        request.session["user"] = name
        csrf_token(request)
        return RedirectResponse(next_page, status_code=303)

    async def signout(request: Request) -> Response:
        form = await request.form()
        try:
            check_csrf(request, form.get("csrf"))
        except Denied as err:
            return tasks.page(request, "message.html", 403, title="Refused", text=str(err))
        request.session.clear()
        return RedirectResponse("/signin", status_code=303)

    async def home(request: Request, person: Person) -> Response:
        waiting = await waiting_tasks(
            tasks.temporal, tasks.settings.human_queues, person=person.name, roster=tasks.roster
        )
        return tasks.page(request, "tasks.html", waiting=waiting)

    async def task_page(request: Request, person: Person, **values: Any) -> Response:
        workflow_id = request.path_params["workflow_id"]
        task_id = request.path_params["task_id"]
        try:
            shown = await case(tasks.temporal, workflow_id)
        except RPCError as err:
            return tasks.page(request, "message.html", 404, title="No such case", text=err.message)
        task = next((t for t in shown.state.open_tasks if t.task_id == task_id), None)
        steps_text = procedure(shown.state.workflow_type, task.step) if task else None
        return tasks.page(
            request,
            "task.html",
            values.pop("status", 200),
            case=shown,
            task=task,
            task_id=task_id,
            procedure=MARKDOWN.render(steps_text) if steps_text else None,
            **values,
        )

    async def show_task(request: Request, person: Person) -> Response:
        return await task_page(request, person)

    async def decide_task(request: Request, person: Person) -> Response:
        workflow_id = request.path_params["workflow_id"]
        task_id = request.path_params["task_id"]
        form = await request.form()
        attachments = [a.strip() for a in str(form.get("attachments", "")).splitlines()]
        try:
            decision = DecisionInput.model_validate(
                {
                    "task_id": task_id,
                    "actor": person.name,  # who is signed in: never a field of the form
                    "decision": form.get("decision", ""),
                    "comment": form.get("comment", ""),
                    "attachments": [a for a in attachments if a],
                    "scheduled_for": form.get("scheduled_for") or None,
                }
            )
        except ValidationError as err:
            refusal = describe_validation_error("decision", err)
            return await task_page(request, person, status=400, refusal=refusal, form=form)
        try:
            state = await workflow_state(tasks.temporal, workflow_id)
            await decide(tasks.temporal, workflow_id, decision, tasks.key_for(state.trusted_keys))
        except WorkflowUpdateFailedError as err:
            refusal = getattr(err.cause, "message", None) or str(err)
            return await task_page(request, person, status=409, refusal=refusal, form=form)
        except RunEnded:
            # Decided without them (a quorum reached, the case closed): the case shows how.
            return RedirectResponse(f"/cases/{workflow_id}?ended={task_id}", status_code=303)
        return RedirectResponse(f"/cases/{workflow_id}?decided={task_id}", status_code=303)

    async def timeline(request: Request, person: Person) -> Response:
        workflow_id = request.path_params["workflow_id"]
        try:
            shown = await case(tasks.temporal, workflow_id)
        except RPCError as err:
            return tasks.page(request, "message.html", 404, title="No such case", text=err.message)
        decided = request.query_params.get("decided")
        ended = request.query_params.get("ended")
        return tasks.page(request, "case.html", case=shown, decided=decided, ended=ended)

    async def start_list(request: Request, person: Person) -> Response:
        return tasks.page(request, "start_list.html", startable=start_page())

    async def start_form(request: Request, person: Person) -> Response:
        name = request.path_params["name"]
        return tasks.page(request, "start_form.html", form=start_page(name, person.name))

    async def start_submit(request: Request, person: Person) -> Response:
        name = request.path_params["name"]
        form = await request.form()
        started, page = await start_request(
            tasks.temporal, tasks.settings, name, person.name, dict(form)
        )
        if started is None:
            return tasks.page(request, "start_form.html", 400, form=page)
        return RedirectResponse(f"/cases/{started}", status_code=303)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        tasks.client = await tasks.connect()
        yield

    routes = [
        Route("/health", health),
        Route("/signin", signin_form, methods=["GET"]),
        Route("/signin", signin, methods=["POST"]),
        Route("/signout", signout, methods=["POST"]),
        Route("/", needs_person(home)),
        Route("/tasks/{workflow_id}/{task_id}", needs_person(show_task), methods=["GET"]),
        Route("/tasks/{workflow_id}/{task_id}", needs_person(decide_task), methods=["POST"]),
        Route("/cases/{workflow_id}", needs_person(timeline)),
        Route("/start", needs_person(start_list)),
        Route("/start/{name}", needs_person(start_form), methods=["GET"]),
        Route("/start/{name}", needs_person(start_submit), methods=["POST"]),
    ]
    return Starlette(
        routes=routes, middleware=[sessions(tasks.settings, tasks.secret)], lifespan=lifespan
    )
