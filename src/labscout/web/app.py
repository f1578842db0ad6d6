"""Routes of the web app. Every page answers as HTML, or as JSON with ``.json`` or
``?_format=json``; the JSON is the ``to_dict()`` of the library's result types."""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from labscout.errors import AmbiguousError, InputError, LabscoutError, NotFoundError
from labscout.store import Store
from labscout.web.svg import bar_chart

MAX_QUERY_CHARS = 500
MAX_TOP = 100
MAX_LIKE = 20


class BadRequest(Exception):
    """A request outside the bounds the app accepts (answered with a 400 page)."""


class Context:
    """What the routes share: the read-only store, the loaded index, a lock."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.store = Store(db, read_only=True)
        self.lock = threading.Lock()  # one DuckDB connection: one call at a time
        self._index: Any = None
        self._graph: Any = None

    def index(self) -> Any:
        if self._index is None:
            from labscout.index.build import load_index

            self._index = load_index(self.store)
        return self._index

    def graph(self) -> Any:
        if self._graph is None:
            from labscout.graph import build_graph

            self._graph = build_graph(self.store)
        return self._graph


def _wants_json(request: Request) -> bool:
    return request.query_params.get("_format") == "json" or request.url.path.endswith(".json")


def _text(request: Request, name: str) -> str:
    value = (request.query_params.get(name) or "").strip()
    if len(value) > MAX_QUERY_CHARS:
        raise BadRequest(f"'{name}' is longer than {MAX_QUERY_CHARS} characters")
    return value


def _int(request: Request, name: str, default: int | None, lo: int, hi: int) -> int | None:
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be a whole number, not {raw!r}") from None
    if not lo <= value <= hi:
        raise BadRequest(f"'{name}' must be between {lo} and {hi}")
    return value


def _search_args(request: Request) -> dict[str, Any]:
    likes = [v.strip() for v in request.query_params.getlist("like") for v in v.split(",")]
    likes = [v for v in likes if v]
    if len(likes) > MAX_LIKE:
        raise BadRequest(f"at most {MAX_LIKE} liked papers")
    for v in likes:
        if len(v) > 200:
            raise BadRequest("a liked paper id is longer than 200 characters")
    return {
        "q": _text(request, "q"),
        "like": likes,
        "country": _text(request, "country"),
        "region": _text(request, "region"),
        "type": _text(request, "type"),
        "active_since": _int(request, "active_since", None, 1900, 2100),
        "since": _int(request, "since", None, 1900, 2100),
        "top": _int(request, "top", 10, 1, MAX_TOP),
        "tab": "ladder" if request.query_params.get("tab") == "ladder" else "researchers",
        "from_institution": _text(request, "from"),
    }


def _filters(args: dict[str, Any]) -> Any:
    from labscout.filters import Filters

    return Filters.parse(
        country=args["country"] or None,
        region=args["region"] or None,
        type=args["type"] or None,
        active_since=args["active_since"],
    )


def create_app(db: str | Path) -> Starlette:
    """The ASGI app over the store at ``db`` (opened read-only)."""
    ctx = Context(str(db))
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

    def page(request: Request, template: str, data: Any, status: int = 200, **extra: Any):
        if _wants_json(request):
            return JSONResponse(data, status_code=status)
        html = env.get_template(template).render(request=request, data=data, **extra)
        return HTMLResponse(html, status_code=status)

    def error_page(request: Request, status: int, message: str, hint: str | None = None):
        data = {"error": message, "hint": hint, "status": status}
        if _wants_json(request):
            return JSONResponse(data, status_code=status)
        html = env.get_template("error.html").render(request=request, data=data)
        return HTMLResponse(html, status_code=status)

    def guarded(fn: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            try:
                with ctx.lock:
                    return fn(request)
            except BadRequest as exc:
                return error_page(request, 400, str(exc), "Shorten the query or fix the value.")
            except NotFoundError as exc:
                return error_page(request, 404, exc.message, exc.hint)
            except (InputError, AmbiguousError) as exc:
                return error_page(request, 400, exc.message, exc.hint)
            except LabscoutError as exc:
                return error_page(request, 500, exc.message, exc.hint)

        return endpoint

    def search(request: Request) -> Response:
        args = _search_args(request)
        result: dict[str, Any] = {"query": args}
        if args["q"] or args["like"]:
            if args["tab"] == "ladder":
                from labscout.rank.institutions import ladder

                res = ladder(
                    ctx.store,
                    text=args["q"] or None,
                    like=args["like"],
                    top=min(args["top"] * 2, MAX_TOP),
                    since=args["since"],
                    filters=_filters(args),
                    from_institution=args["from_institution"] or None,
                    index=ctx.index(),
                )
                result["ladder"] = res.to_dict()
            else:
                from labscout.rank.find import find

                res = find(
                    ctx.store,
                    text=args["q"] or None,
                    like=args["like"],
                    top=args["top"],
                    since=args["since"],
                    filters=_filters(args),
                    index=ctx.index(),
                )
                result["find"] = res.to_dict()
        return page(request, "search.html", result, args=args)

    def researcher(request: Request) -> Response:
        from labscout.signals import researcher_profile

        author_id = request.path_params["author_id"].removesuffix(".json")
        profile = researcher_profile(ctx.store, author_id).to_dict()
        data: dict[str, Any] = {"profile": profile}
        known = _text(request, "from")
        if known:
            from labscout.graph import paths
            from labscout.rank.find import split_people_refs

            ids, orcids, names = split_people_refs(known.split(","))
            found = paths(
                ctx.store,
                sources=ids,
                source_orcids=orcids,
                source_names=names,
                target=profile["author_id"],
                graph=ctx.graph(),
            )
            data["paths"] = [p.to_dict() for p in found]
            data["paths_from"] = known
        chart = ""
        if profile["activity"]["per_year"]:
            chart = bar_chart(
                [(str(y), float(n)) for y, n in profile["activity"]["per_year"]],
                title="works per year",
            )
        return page(request, "researcher.html", data, chart=chart)

    def institution(request: Request) -> Response:
        inst_id = request.path_params["institution_id"].removesuffix(".json")
        inst = ctx.store.get_institution(inst_id)
        data: dict[str, Any] = {
            "institution": {
                "id": inst.id,
                "display_name": inst.display_name,
                "ror": inst.ror,
                "country_code": inst.country_code,
                "type": inst.type,
            }
        }
        q = _text(request, "q")
        if q:
            from labscout.rank.institutions import ladder

            res = ladder(ctx.store, text=q, top=MAX_TOP, index=ctx.index())
            mine = [r for r in res.institutions if r.institution_id == inst.id]
            data["topic"] = q
            data["rank"] = mine[0].to_dict() if mine else None
            data["n_ranked"] = len(res.institutions)
        return page(request, "institution.html", data, q=q)

    def read(request: Request) -> Response:
        q = _text(request, "q")
        data: dict[str, Any] = {"query": {"q": q}}
        if q:
            from labscout.rank.reading import reading_list

            data["reading"] = reading_list(ctx.store, q, index=ctx.index()).to_dict()
        return page(request, "read.html", data, q=q)

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        return error_page(request, status, "no such page" if status == 404 else "bad request")

    routes = [
        Route("/", guarded(search)),
        Route("/search.json", guarded(search)),
        Route("/read", guarded(read)),
        Route("/read.json", guarded(read)),
        Route("/researcher/{author_id:str}", guarded(researcher)),
        Route("/institution/{institution_id:str}", guarded(institution)),
        Mount("/static", StaticFiles(packages=[("labscout.web", "static")]), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: not_found})
    app.state.ctx = ctx
    return app
