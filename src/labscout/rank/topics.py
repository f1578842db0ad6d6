"""A map of the research topics near some works: clusters of the works around them.

From query works (the works retrieved for a text, liked works, or one's own),
the ``neighbourhood`` nearest works in the store (cosine over the search
index's embeddings) are clustered with scikit-learn (k-means by default;
agglomerative or HDBSCAN on request). Each cluster is a topic with:

- a **name**: its distinctive terms (TF-IDF of the cluster's titles and
  abstracts against the rest of the neighbourhood), or its most frequent
  OpenAlex topic when most of its works carry one;
- **size**: works, groups (distinct institutions named on them), researchers;
- **growth**: the share of its works from the last ``recent_years`` years,
  and that share divided by the same share over the whole neighbourhood;
- **abstract**: a transparent score (:func:`abstract_score`) with the venues
  and words that drove it, and its difference from the query works' score;
- **crowdedness**: researchers per work;
- **exotic**: small, growing, few groups: the mean of three percentile ranks
  among the map's topics (fewer works, higher recent share, fewer groups);
- its top groups and a few example works.

Docs: docs/ladder.md, "Topics near mine".
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

import numpy as np

from labscout.errors import InputError, MissingExtraError
from labscout.index.build import work_text
from labscout.rank.abstractness import AbstractParams, AbstractScore, abstract_score
from labscout.records import Work
from labscout.results import JsonResult
from labscout.store import Store

SORTS = ("near", "abstract", "more-abstract", "exotic", "growth", "size")


@dataclass(frozen=True)
class TopicParams:
    """What the topic map is built from (docs/ladder.md, "Topics near mine")."""

    neighbourhood: int = 1500
    """The works clustered: this many nearest to the query works (cosine, max over them)."""
    n_topics: int = 10
    """Clusters asked of k-means and agglomerative clustering (fewer on a small store:
    at most one per ``min_topic_size`` works)."""
    method: str = "kmeans"
    """kmeans, agglomerative (Ward) or hdbscan (scikit-learn's; its noise is left out)."""
    min_topic_size: int = 5
    """HDBSCAN's smallest cluster; also caps the number of k-means clusters."""
    n_terms: int = 6
    """Distinctive terms listed per topic."""
    recent_years: int = 3
    """"Recent" is the last this-many years up to the reference year."""
    reference_year: int | None = None
    """None: the latest publication year among the neighbourhood's works."""
    n_groups: int = 5
    """Top groups (institutions) listed per topic."""
    n_examples: int = 3
    """Example works listed per topic (nearest to its centre)."""
    random_state: int = 0
    """Seed of k-means, so that a map is the same run after run."""
    abstract: AbstractParams = field(default_factory=AbstractParams)
    """The rule of the abstract score (:mod:`labscout.rank.abstractness`)."""


@dataclass(frozen=True)
class TopicWork:
    work_id: str
    title: str
    year: int | None
    venue: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TopicGroup:
    institution_id: str
    name: str
    country_code: str | None
    type: str | None
    n_works: int
    """The topic's works naming this institution."""


@dataclass(frozen=True)
class Topic:
    """One cluster of the map."""

    id: int
    name: str
    name_basis: str
    """"terms" (distinctive TF-IDF terms) or "openalex" (most frequent OpenAlex topic)."""
    terms: tuple[str, ...]
    openalex_topic: str | None
    n_works: int
    n_groups: int
    """Distinct institutions named on its works."""
    affiliated_share: float
    """Share of its works naming any institution (the rest cannot show their groups)."""
    groups_scaled: float
    """``n_groups / affiliated_share``: the groups it would have if every work named
    its institutions like the others (``n_works`` when none does); exotic uses it."""
    n_researchers: int
    crowdedness: float
    """Researchers per work."""
    recent_share: float | None
    """Share of its dated works from the recent years."""
    growth: float | None
    """``recent_share`` over the neighbourhood's recent share (above 1: growing faster)."""
    abstract: AbstractScore
    abstract_delta: float
    """Its abstract score minus the query works' (above 0: more abstract than them)."""
    exotic: float
    """Mean percentile rank among the map's topics of: fewer works, higher recent share,
    fewer groups (``groups_scaled``); 1 = the smallest, fastest-growing, fewest groups."""
    closeness: float
    """Mean cosine of its works to the nearest query work."""
    n_query_works: int
    """Query works that fall in it."""
    is_query_topic: bool
    """At least half its works are query works: the query's own topic, which the
    ``exotic`` and ``more-abstract`` sorts leave out."""
    top_groups: tuple[TopicGroup, ...]
    examples: tuple[TopicWork, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TopicMap(JsonResult):
    """The answer of ``topics``: the topics near the query works, sorted as asked."""

    query: dict[str, Any]
    topics: tuple[Topic, ...]
    query_abstract: AbstractScore
    """The abstract score of the query works themselves."""
    n_works: int
    """Works clustered (the neighbourhood)."""
    n_unclustered: int
    """Neighbourhood works left out (HDBSCAN's noise)."""
    reference_year: int | None
    recent_share: float | None
    """The neighbourhood's share of recent works (the growth baseline)."""
    sort: str
    params: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Index(Protocol):
    """What the map needs of a search index (:class:`labscout.index.build.SearchIndex`)."""

    work_ids: list[str]
    row_of: dict[str, int]

    def row_vectors(self, rows: list[int]) -> np.ndarray: ...

    @property
    def vectors(self) -> Any: ...


# -- the abstract score -------------------------------------------------------------


def _sklearn() -> Any:
    try:
        import sklearn.cluster
        import sklearn.feature_extraction.text
    except ImportError:
        raise MissingExtraError("search", "scikit-learn") from None
    return sklearn


def cluster(vectors: np.ndarray, params: TopicParams) -> np.ndarray:
    """A cluster label per row (-1: noise, HDBSCAN only), with scikit-learn."""
    _sklearn()
    n = vectors.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    k = max(1, min(params.n_topics, n // max(params.min_topic_size, 1)))
    if params.method == "kmeans":
        from sklearn.cluster import KMeans

        if k == 1:
            return np.zeros(n, dtype=np.int64)
        km = KMeans(n_clusters=k, n_init=4, random_state=params.random_state)
        return km.fit_predict(vectors).astype(np.int64)
    if params.method == "agglomerative":
        from sklearn.cluster import AgglomerativeClustering

        if k == 1:
            return np.zeros(n, dtype=np.int64)
        return AgglomerativeClustering(n_clusters=k).fit_predict(vectors).astype(np.int64)
    if params.method == "hdbscan":
        from sklearn.cluster import HDBSCAN

        if n < 2 * params.min_topic_size:
            return np.zeros(n, dtype=np.int64)
        return (
            HDBSCAN(min_cluster_size=params.min_topic_size, copy=True)
            .fit_predict(vectors)
            .astype(np.int64)
        )
    raise InputError(
        f"unknown clustering method {params.method!r}",
        hint="Use kmeans, agglomerative or hdbscan.",
    )


def distinctive_terms(
    texts: Sequence[str], labels: np.ndarray, n_terms: int
) -> dict[int, list[str]]:
    """Label -> its terms with the largest mean TF-IDF in the cluster minus the mean in the
    rest (English stop words out; words and word pairs; a term inside a listed pair is
    not listed again)."""
    TfidfVectorizer = _sklearn().feature_extraction.text.TfidfVectorizer

    ids = sorted({int(x) for x in labels if x >= 0})
    if not ids or len(texts) < 2:
        return {i: [] for i in ids}
    vec = TfidfVectorizer(
        stop_words="english",
        ngram_range=(1, 2),
        min_df=2,
        max_df=0.5,
        sublinear_tf=True,
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z0-9-]+\b",
    )
    try:
        x = vec.fit_transform(texts)
    except ValueError:  # every term pruned (a tiny store)
        return {i: [] for i in ids}
    vocab = vec.get_feature_names_out()
    out: dict[int, list[str]] = {}
    for c in ids:
        inside = labels == c
        mean_in = np.asarray(x[inside].mean(axis=0)).ravel()
        mean_out = np.asarray(x[~inside].mean(axis=0)).ravel() if (~inside).any() else 0.0 * mean_in
        diff = mean_in - mean_out
        chosen: list[str] = []
        for j in np.argsort(-diff, kind="stable"):
            if diff[j] <= 0 or len(chosen) >= n_terms:
                break
            t = str(vocab[j])
            words = set(t.split())
            if any(words & set(o.split()) for o in chosen):
                continue
            chosen.append(t)
        out[c] = chosen
    return out


def _openalex_topic(works: Sequence[Work]) -> str | None:
    """The topic with the largest summed score, when most works carry topics."""
    with_topics = [w for w in works if w.topics]
    if not works or len(with_topics) * 2 < len(works):
        return None
    weights: dict[str, float] = {}
    for w in with_topics:
        for t in w.topics:
            add = t.score if t.score is not None else 1.0
            weights[t.display_name] = weights.get(t.display_name, 0.0) + add
    return min(weights.items(), key=lambda kv: (-kv[1], kv[0]))[0] if weights else None


def _percentile(values: Sequence[float]) -> np.ndarray:
    """Rank of each value in [0, 1] (ties share their mean rank; one value -> 0.5)."""
    from scipy.stats import rankdata

    n = len(values)
    if n == 1:
        return np.asarray([0.5])
    return (rankdata(values) - 1) / (n - 1)


def _groups(
    works: Sequence[Work], institutions: Mapping[str, tuple[str, str | None, str | None]], n: int
) -> tuple[int, tuple[TopicGroup, ...]]:
    per: Counter[str] = Counter()
    for w in works:
        per.update({i for a in w.authorships for i in a.institution_ids})
    top = sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    groups = []
    for iid, k in top:
        name, type_, cc = institutions.get(iid, (iid, None, None))
        groups.append(TopicGroup(iid, name, cc, type_, k))
    return len(per), tuple(groups)


def map_topics(
    works: Sequence[Work],
    vectors: np.ndarray,
    query_vectors: np.ndarray,
    query_ids: Sequence[str],
    params: TopicParams,
    institutions: Mapping[str, tuple[str, str | None, str | None]],
    query_abstract: AbstractScore,
) -> tuple[list[Topic], int, int | None, float | None]:
    """The topics of ``works`` (row i of ``vectors`` is ``works[i]``, unit vectors), unsorted.

    ``institutions``: id -> (name, type, country) for the groups; returns
    ``(topics, n_unclustered, reference_year, neighbourhood recent share)``.
    """
    labels = cluster(vectors, params)
    years = [w.publication_year for w in works if w.publication_year is not None]
    ref = params.reference_year or (max(years) if years else None)
    lo = ref - params.recent_years + 1 if ref is not None else None

    def recent(ws: Sequence[Work]) -> float | None:
        dated = [w for w in ws if w.publication_year is not None]
        if not dated or lo is None:
            return None
        return sum(1 for w in dated if (w.publication_year or 0) >= lo) / len(dated)

    base = recent(works)
    texts = [work_text(w.title, w.abstract) for w in works]
    terms = distinctive_terms(texts, labels, params.n_terms)
    sims = vectors @ np.atleast_2d(query_vectors).T if len(query_ids) else None
    closeness = sims.max(axis=1) if sims is not None else np.zeros(len(works))
    qset = set(query_ids)
    topics: list[Topic] = []
    for k, c in enumerate(sorted(terms)):
        idx = np.flatnonzero(labels == c)
        ws = [works[int(i)] for i in idx]
        centre = vectors[idx].mean(axis=0)
        near = idx[np.argsort(-(vectors[idx] @ centre), kind="stable")][: params.n_examples]
        n_groups, top_groups = _groups(ws, institutions, params.n_groups)
        affiliated = sum(1 for w in ws if any(a.institution_ids for a in w.authorships)) / len(ws)
        n_people = len({a.author_id for w in ws for a in w.authorships})
        share = recent(ws)
        oa = _openalex_topic(ws)
        ab = abstract_score(ws, params.abstract)
        n_query = sum(1 for w in ws if w.id in qset)
        words = tuple(terms[c])
        topics.append(
            Topic(
                id=k + 1,
                name=oa or (", ".join(words[:3]) if words else f"topic {k + 1}"),
                name_basis="openalex" if oa else "terms",
                terms=words,
                openalex_topic=oa,
                n_works=len(ws),
                n_groups=n_groups,
                affiliated_share=round(affiliated, 4),
                groups_scaled=round(n_groups / affiliated if affiliated else float(len(ws)), 2),
                n_researchers=n_people,
                crowdedness=round(n_people / len(ws), 3),
                recent_share=round(share, 4) if share is not None else None,
                growth=round(share / base, 4) if share is not None and base else None,
                abstract=ab,
                abstract_delta=round(ab.score - query_abstract.score, 4),
                exotic=0.0,  # set below, once every topic is known
                closeness=round(float(closeness[idx].mean()), 4),
                n_query_works=n_query,
                is_query_topic=2 * n_query >= len(ws),
                top_groups=top_groups,
                examples=tuple(
                    TopicWork(works[i].id, works[i].title, works[i].publication_year,
                              works[i].venue)
                    for i in near
                ),
            )
        )  # fmt: skip
    n_noise = int((labels < 0).sum())
    if not topics:
        return [], n_noise, ref, base
    small = _percentile([-t.n_works for t in topics])
    growing = _percentile([t.recent_share or 0.0 for t in topics])
    few = _percentile([-t.groups_scaled for t in topics])
    topics = [
        replace(t, exotic=round(float((small[k] + growing[k] + few[k]) / 3), 4))
        for k, t in enumerate(topics)
    ]
    return topics, n_noise, ref, round(base, 4) if base is not None else None


def sort_topics(topics: Sequence[Topic], by: str = "near") -> tuple[Topic, ...]:
    """``near`` (closest to the query works first), ``abstract`` (most abstract first),
    ``more-abstract`` (only topics more abstract than the query works, nearest first),
    ``exotic``, ``growth`` (recent share) or ``size`` (works), each descending; ties by id.
    ``more-abstract`` and ``exotic`` leave out the query's own topics (``is_query_topic``);
    ``exotic`` keeps only growing topics (``growth`` at least 1: their recent share at
    least the neighbourhood's)."""
    if by not in SORTS:
        raise InputError(f"unknown topic sort {by!r}", hint=f"Use one of: {', '.join(SORTS)}.")
    if by == "more-abstract":
        return tuple(
            sorted(
                (t for t in topics if t.abstract_delta > 0 and not t.is_query_topic),
                key=lambda t: (-t.closeness, t.id),
            )
        )
    if by == "exotic":
        return tuple(
            sorted(
                (t for t in topics if not t.is_query_topic and (t.growth or 0.0) >= 1.0),
                key=lambda t: (-t.exotic, t.id),
            )
        )
    keys = {
        "near": lambda t: (-t.closeness, t.id),
        "abstract": lambda t: (-t.abstract.score, t.id),
        "growth": lambda t: (-(t.recent_share or 0.0), t.id),
        "size": lambda t: (-t.n_works, t.id),
    }
    return tuple(sorted(topics, key=keys[by]))


# -- from the store and the index ------------------------------------------------------


def neighbourhood(index: _Index, query_rows: Sequence[int], n: int) -> list[int]:
    """The ``n`` index rows nearest to any of ``query_rows`` (the query rows first)."""
    qv = index.row_vectors(list(query_rows))
    rows, sims = index.vectors.search(qv, n)
    best: dict[int, float] = {int(r): 2.0 for r in query_rows}  # the query works stay in
    for rr, ss in zip(rows, sims, strict=True):
        for r, s in zip(rr, ss, strict=True):
            if r >= 0 and float(s) > best.get(int(r), -np.inf):
                best[int(r)] = float(s)
    return [r for r, _ in sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def query_works(index: Any, text: str, n: int = 50) -> list[str]:
    """The ``n`` works retrieved for ``text`` (BM25 and embeddings fused, as in find)."""
    from labscout.rank.params import RankParams
    from labscout.rank.retrieve import QueryText, retrieve

    got = retrieve(index, [QueryText(text)], RankParams(depth=max(n, 10)))
    return [index.work_ids[row] for row, _ in got.ranked()[:n]]


def topic_map(
    store: Store,
    index: _Index,
    query_work_ids: Sequence[str],
    params: TopicParams | None = None,
    sort: str = "near",
    query: dict[str, Any] | None = None,
) -> TopicMap:
    """The topics near ``query_work_ids`` (works in the index), sorted by ``sort``.

    ``query`` is echoed in the result (what was asked: a text, liked works...)."""
    t0 = time.perf_counter()
    params = params or TopicParams()
    if sort not in SORTS:
        raise InputError(f"unknown topic sort {sort!r}", hint=f"Use one of: {', '.join(SORTS)}.")
    qrows = [index.row_of[w] for w in dict.fromkeys(query_work_ids) if w in index.row_of]
    if not qrows:
        raise InputError(
            "none of the query works is in the search index",
            hint="Give a topic text, or works from the store; run `labscout index` after ingest.",
        )
    rows = neighbourhood(index, qrows, params.neighbourhood)
    ids = [index.work_ids[r] for r in rows]
    got = {w.id: w for w in store.get_works(ids)}
    keep = [i for i, wid in enumerate(ids) if wid in got]
    works = [got[ids[i]] for i in keep]
    vectors = index.row_vectors([rows[i] for i in keep])
    qids = [index.work_ids[r] for r in qrows]
    qworks = [got[w] for w in qids if w in got]
    qabs = abstract_score(qworks, params.abstract)
    inst_ids = sorted({i for w in works for a in w.authorships for i in a.institution_ids})
    insts = _institution_names(store, inst_ids)
    topics, n_noise, ref, base = map_topics(
        works, vectors, index.row_vectors(qrows), qids, params, insts, qabs
    )
    return TopicMap(
        query=dict(query or {}, work_ids=qids),
        topics=sort_topics(topics, sort),
        query_abstract=qabs,
        n_works=len(works),
        n_unclustered=n_noise,
        reference_year=ref,
        recent_share=base,
        sort=sort,
        params=asdict(params),
        seconds=round(time.perf_counter() - t0, 3),
    )


def _institution_names(
    store: Store, ids: Sequence[str]
) -> dict[str, tuple[str, str | None, str | None]]:
    """Id -> (name, type, country code) of the stored institutions among ``ids``."""
    return {
        i: (x.display_name or i, x.type, x.country_code)
        for i, x in store.institution_info(ids).items()
    }
