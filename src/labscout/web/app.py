"""Routes of the web app. Every page answers as HTML, or as JSON with ``.json`` or
``?_format=json``; the JSON is the CLI's ``--format json`` of the same question, byte
for byte (:func:`labscout.results.to_json`).

The app holds one :class:`~labscout.core.Labscout` for the whole process (the store
read-only). Routes are plain functions, so Starlette runs them in its thread pool:
requests are answered at once, each thread reading through a DuckDB cursor of its
own (see :mod:`labscout.core`). ``labscout serve`` loads the index and the embedder
before it listens (:func:`preload`); the co-author graph is loaded on first use and
kept in memory. No request writes anything: no file, no cache.

Every response carries the security headers of :mod:`labscout.web.security`; a
405 says which methods the route allows (``Allow``).
"""

from __future__ import annotations

import contextlib
import html
import os
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from labscout.core import Labscout
from labscout.errors import AmbiguousError, InputError, LabscoutError, NotFoundError
from labscout.query import MAX_REF_CHARS, MAX_TEXT_CHARS, Query
from labscout.results import to_json
from labscout.web.security import SecurityHeaders, external_url
from labscout.web.svg import bar_chart


def _wants_json(request: Request) -> bool:
    return request.query_params.get("_format") == "json" or request.url.path.endswith(".json")


def _text(request: Request, name: str, limit: int = MAX_TEXT_CHARS) -> str:
    value = (request.query_params.get(name) or "").strip()
    if len(value) > limit:
        raise InputError(
            f"'{name}' is longer than {limit} characters",
            hint="Shorten the query or fix the value.",
        )
    return value


def _form(request: Request, query: Query | None) -> dict[str, Any]:
    """What the search box and the tab links show again: the values as typed."""
    p = request.query_params
    likes = [v.strip() for v in p.getlist("like") for v in v.split(",") if v.strip()]
    return {
        "q": (p.get("q") or "").strip(),
        "like": likes,
        "country": (p.get("country") or "").strip(),
        "region": (p.get("region") or "").strip(),
        "type": (p.get("type") or "").strip(),
        "active_since": query.filters.active_since if query else None,
        "since": query.since if query else None,
        "top": query.top if query else None,
        "tab": "ladder" if p.get("tab") == "ladder" else "researchers",
        "from_institution": (p.get("from") or "").strip(),
    }


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("labscout.web", "templates"),
        autoescape=select_autoescape(["html"]),
    )
    env.filters["urlencode_dict"] = lambda d: urlencode(
        [(k, v) for k, v in d.items() if v not in (None, "", [], ())], doseq=True
    )
    # some sources store entities in text ("&amp;"): show the character, still escaped
    env.filters["clean"] = lambda v: html.unescape(v) if isinstance(v, str) else v
    env.filters["fmt"] = lambda v, n=3: f"{v:.{n}f}" if isinstance(v, float) else v
    # a link from the data: http(s) to its kind's host only (ror, doi, orcid, openalex)
    env.filters["link"] = external_url
    return env


class Pages:
    """The routes' bodies over one :class:`~labscout.core.Labscout` and the templates."""

    def __init__(self, ls: Labscout, env: Environment) -> None:
        self.ls = ls
        self.env = env

    def page(self, request: Request, template: str, data: dict[str, Any], result: Any,
             **extra: Any) -> Response:  # fmt: skip
        """``result`` as the CLI's JSON, or ``data`` rendered into ``template``."""
        if _wants_json(request):
            return Response(to_json(result), media_type="application/json")
        body = self.env.get_template(template).render(request=request, data=data, **extra)
        return HTMLResponse(body)

    def error(self, request: Request, status: int, message: str, hint: str | None = None):
        data = {"error": message, "hint": hint, "status": status}
        if _wants_json(request):
            return JSONResponse(data, status_code=status)
        body = self.env.get_template("error.html").render(request=request, data=data)
        return HTMLResponse(body, status_code=status)

    def guarded(self, fn: Callable[[Request], Response]) -> Callable[[Request], Response]:
        """``fn`` with labscout errors as 404, 400 or 500 pages (never a traceback)."""

        def endpoint(request: Request) -> Response:
            try:
                return fn(request)
            except NotFoundError as exc:
                return self.error(request, 404, exc.message, exc.hint)
            except (InputError, AmbiguousError) as exc:
                return self.error(request, 400, exc.message, exc.hint)
            except LabscoutError as exc:
                return self.error(request, 500, exc.message, exc.hint)

        return endpoint

    def search(self, request: Request) -> Response:
        query = Query.from_params(request.query_params)
        args = _form(request, query)
        if query.empty:
            if _wants_json(request):
                raise InputError(
                    "nothing to search for", hint="Give q=TEXT or like=ID (see docs/web.md)."
                )
            return self.page(request, "search.html", {"query": args}, None, args=args)
        key = "ladder" if args["tab"] == "ladder" else "find"
        result = self.ls.ladder(query) if key == "ladder" else self.ls.find(query)
        data = {"query": args, key: result.to_dict()}
        return self.page(request, "search.html", data, result, args=args)

    def researcher(self, request: Request) -> Response:
        author_id = request.path_params["author_id"].removesuffix(".json")
        profile = self.ls.researcher(author_id)
        data: dict[str, Any] = {"profile": profile.to_dict()}
        known = _text(request, "from", MAX_TEXT_CHARS)
        if known and not _wants_json(request):
            data["paths"] = [p.to_dict() for p in self._paths(profile.author_id, known)]
            data["paths_from"] = known
        per_year = data["profile"]["activity"]["per_year"]
        chart = ""
        if per_year:
            chart = bar_chart([(str(y), float(n)) for y, n in per_year], title="works per year")
        return self.page(request, "researcher.html", data, profile, chart=chart)

    def _paths(self, target: str, known: str) -> list[Any]:
        from labscout.rank.find import split_people_refs

        ids, orcids, names = split_people_refs(known.split(","))
        return self.ls.paths(target, ids, source_orcids=orcids, source_names=names)

    def path_json(self, request: Request) -> Response:
        target = _text(request, "to", MAX_REF_CHARS)
        if not target:
            raise InputError("no target given", hint="Give to=AUTHOR_ID and from=ID,ID.")
        found = self._paths(target, _text(request, "from"))
        return Response(to_json(found), media_type="application/json")

    def institution(self, request: Request) -> Response:
        inst_id = request.path_params["institution_id"].removesuffix(".json")
        q = _text(request, "q")
        view = self.ls.institution(inst_id, q or None)
        return self.page(request, "institution.html", view.to_dict(), view, q=q)

    def read(self, request: Request) -> Response:
        q = _text(request, "q")
        if not q:
            if _wants_json(request):
                raise InputError("nothing to read about", hint="Give q=TOPIC.")
            return self.page(request, "read.html", {"query": {"q": q}}, None, q=q)
        result = self.ls.read(q)
        data = {"query": {"q": q}, "reading": result.to_dict()}
        return self.page(request, "read.html", data, result, q=q)

    def topics(self, request: Request) -> Response:
        from labscout.rank.topics import SORTS

        query = Query.from_params(request.query_params)
        sort = _text(request, "sort", 20) or "near"
        shown = {"q": query.text or "", "sort": sort, "sorts": SORTS}
        if query.empty:
            if _wants_json(request):
                raise InputError("nothing to map", hint="Give q=TEXT, like=ID or mine=ID.")
            return self.page(request, "topics.html", {}, None, **shown)
        result = self.ls.topics(query, sort)
        return self.page(request, "topics.html", {"topics": result.to_dict()}, result, **shown)

    def plan(self, request: Request) -> Response:
        """The plan (``q``, ``like``, ``mine``, ``from``, ``know``, ``country``, ``region``,
        ``type``); its JSON is ``labscout plan --format json``'s."""
        params = {k: request.query_params.getlist(k) for k in request.query_params}
        params["reach_from"] = params.pop("know", [])
        query = Query.from_params(params)
        args = {
            "from": query.from_institution or "",
            "know": ", ".join(query.reach_from),
            "query": request.url.query,
        }
        q = query.text or ""
        if query.empty:
            if _wants_json(request):
                raise InputError("nothing to plan for", hint="Give q=TEXT (see docs/plan.md).")
            return self.page(request, "plan.html", {}, None, q=q, args=args)
        result = self.ls.plan(query)
        return self.page(request, "plan.html", {"plan": result.to_dict()}, result, q=q, args=args)

    async def not_found(self, request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        message = {404: "no such page", 405: "method not allowed"}.get(status, "bad request")
        response = self.error(request, status, message)
        response.headers.update(getattr(exc, "headers", None) or {})  # Allow on a 405
        return response


def preload(ls: Labscout, env: Environment | None = None) -> None:
    """Load what the first search would otherwise wait for: the index, the embedder (one
    query embedded) and the templates. A store without an index is served all the same
    (its searches answer with the index's error page)."""
    if env is not None:
        for name in env.list_templates(extensions=["html"]):
            env.get_template(name)
    with contextlib.suppress(LabscoutError):
        ls.index().embed_queries(["warm up"])


def server_threads() -> None:
    """A server embeds one query a request: one torch thread each, the requests in
    parallel (threads toggling torch's global thread count at once would race). Called
    after :func:`preload`; nothing to do when the embedder does not use torch."""
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


def app_from_settings() -> Starlette:
    """The app over the store the settings name (``$LABSCOUT_DB``, ``$LABSCOUT_CONFIG``),
    loaded: what each process of ``labscout serve --workers N`` runs."""
    from labscout.settings import Settings

    s = Settings.load()
    threads = int(os.environ.get("LABSCOUT_SERVE_THREADS") or 0) or None
    app = create_app(Labscout(s.db, s), load=True, threads=threads)
    server_threads()
    return app


def _lifespan(threads: int | None) -> Callable[[Starlette], Any]:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if threads:  # how many requests a process answers at once (anyio's pool: 40)
            import anyio.to_thread

            anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        yield

    return lifespan


def create_app(
    db: str | Path | Labscout, *, load: bool = False, threads: int | None = None
) -> Starlette:
    """The ASGI app over the store at ``db`` (opened read-only), or over a
    :class:`~labscout.core.Labscout` the caller made (and closes). ``load``: load the
    index and the embedder now (:func:`preload`), not on the first search. ``threads``:
    requests answered at once (default: Starlette's thread pool, 40); more wait."""
    ls = db if isinstance(db, Labscout) else Labscout(db)
    pages = Pages(ls, _environment())
    if load:
        preload(ls, pages.env)
    g = pages.guarded
    routes = [
        Route("/", g(pages.search)),
        Route("/search", g(pages.search)),  # the search page by its name, as /search.json
        Route("/search.json", g(pages.search)),
        Route("/read", g(pages.read)),
        Route("/read.json", g(pages.read)),
        Route("/plan", g(pages.plan)),
        Route("/plan.json", g(pages.plan)),
        Route("/topics", g(pages.topics)),
        Route("/topics.json", g(pages.topics)),
        Route("/path.json", g(pages.path_json)),
        Route("/researcher/{author_id:str}", g(pages.researcher)),
        Route("/institution/{institution_id:str}", g(pages.institution)),
        Mount("/static", StaticFiles(packages=[("labscout.web", "static")]), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: pages.not_found},
        middleware=[Middleware(SecurityHeaders)],
        lifespan=_lifespan(threads),
    )
    app.state.labscout = ls
    return app
