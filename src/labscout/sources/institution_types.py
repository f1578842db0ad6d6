"""An institution's country code and guessed type, from its name and web domain.

Used where sources give institutions as names only (conference paper lists,
tables of papers): :func:`guess_institution_type` gives an OpenAlex
institution type with the rule that decided it (docs/sources.md lists the
rules), :func:`country_code` an ISO 3166 code for a country name.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlparse

from labscout.errors import MissingExtraError


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(",") if w.strip())


# A company named in an affiliation, matched as a whole word in the name.
COMPANY_NAMES = _words(
    "google, deepmind, meta, facebook, microsoft, nvidia, ibm, amazon, aws, apple, "
    "openai, anthropic, baidu, alibaba, tencent, huawei, bytedance, samsung, sony, "
    "adobe, intel, salesforce, uber, twitter, netflix, yahoo, xerox, at&t, bell labs, "
    "nec, fujitsu, hitachi, toshiba, siemens, bosch, qualcomm, sensetime, megvii, "
    "didi, kuaishou, naver, kakao, yandex, snap, linkedin, criteo, element ai, "
    "preferred networks, disney, spotify, pinterest, airbnb, jd.com, ant group, "
    "ant financial, meituan, xiaomi, lenovo, oppo, vivo, zte, ping an, iflytek, "
    "noah's ark, mitsubishi, panasonic, ntt, toyota, honda, volkswagen, nokia, "
    "ericsson, oracle, sap, cisco, hewlett, hp labs, dell, walmart, ebay, paypal, "
    "visa, jp morgan, jpmorgan, goldman sachs, bloomberg, two sigma, citadel, cohere, "
    "hugging face, huggingface, jd, sberbank, cyberagent, mistral, stability ai, "
    "waymo, tesla, zoox"
)
# A company's web domain (the host ends with one of these).
COMPANY_DOMAINS = _words(
    "google.com, research.google, ai.google, deepmind.com, deepmind.google, fb.com, "
    "facebook.com, meta.com, meta.ai, microsoft.com, nvidia.com, ibm.com, amazon.com, "
    "amazon.science, apple.com, openai.com, baidu.com, alibaba-inc.com, tencent.com, "
    "huawei.com, bytedance.com, samsung.com, sony.com, adobe.com, intel.com, "
    "salesforce.com, uber.com, twitter.com, netflix.com, yahoo-inc.com"
)
_EDUCATION_WORDS = re.compile(
    r"universit|college|école|ecole|school|polytechn|politecnic|hochschule|"
    r"institute of technology|institut of technology|\beth\b|\bepfl\b|\bkaist\b|\bmit\b|"
    r"\bucl\b|\bucla\b|\bnyu\b|\bcmu\b|\bkth\b|\biit\b|technion|sorbonne|\blmu\b|"
    r"institute of science|institute of information technology|technological institute|"
    r"courant institute|paristech|t[eé]l[eé]com paris|centralesup|eurecom|\bku leuven\b",
    re.IGNORECASE,
)
# universities whose names contain a company's name
_EDUCATION_FIRST = re.compile(r"toyota technological institute", re.IGNORECASE)
_HEALTH_WORDS = re.compile(r"hospital|medical cent|clinic|health system", re.IGNORECASE)
_FACILITY_WORDS = re.compile(
    r"institute|institut|laborator|\blab\b|\blabs\b|research cent|academy of sciences|"
    r"max planck|\binria\b|\bcnrs\b|\bcsiro\b|\bdfki\b|\briken\b|\bcnr\b|\bmila\b|\bvector\b|"
    r"istituto|fondazione|centrum|cent(er|re) for|centre national|research organi[sz]ation|"
    r"agency|council|helmholtz|academy|\bcifar\b|\bnicta\b|data61",
    re.IGNORECASE,
)
_COMPANY_SUFFIX = re.compile(
    r"\b(inc|ltd|llc|corp|corporation|gmbh|co\.|company|limited|plc|s\.a\.|ag)\b\.?",
    re.IGNORECASE,
)
_COMPANY_NAME_RE = re.compile(
    r"(?<![\w&.])(" + "|".join(re.escape(n) for n in COMPANY_NAMES) + r")(?![\w&])",
    re.IGNORECASE,
)


@lru_cache(maxsize=262_144)
def domain_of(url: str | None) -> str | None:
    """``"http://www.nju.edu.cn"`` -> ``"nju.edu.cn"``; None when there is no host."""
    if not url or not url.strip():
        return None
    url = url.strip()
    host = urlparse(url if "//" in url else "//" + url).hostname or ""
    host = host.lower().removeprefix("www.").strip(".")
    return host if "." in host else None


@lru_cache(maxsize=262_144)
def guess_institution_type(name: str, domain: str | None = None) -> tuple[str | None, str]:
    """An OpenAlex institution type for ``name`` (and its web ``domain``), with the rule used.

    The first rule that matches decides (docs/sources.md lists them):

    1. a known company named in the name or owning the domain -> ``company``;
    2. a university word (university, college, école, polytechnic, institute of
       technology, ETH, EPFL, ...) -> ``education``;
    3. hospital, medical center, clinic -> ``healthcare``;
    4. a ``.gov`` domain -> ``government``;
    5. institute, laboratory, research center, academy of sciences, Max Planck,
       INRIA, CNRS, ... -> ``facility``;
    6. a company suffix (Inc, Ltd, LLC, Corp, GmbH, Company, ...) -> ``company``;
    7. the domain alone: ``.edu``/``.edu.xx``/``.ac.xx`` -> ``education``,
       ``.com``/``.ai``/``.io`` -> ``company``, ``.org`` -> ``nonprofit``;
    8. otherwise unknown (None).
    """
    host = (domain or "").lower()
    labels = host.split(".") if host else []
    if _EDUCATION_FIRST.search(name):
        return "education", "university word in name"
    if _COMPANY_NAME_RE.search(name) or any(
        host == d or host.endswith("." + d) for d in COMPANY_DOMAINS
    ):
        return "company", "known company"
    if _EDUCATION_WORDS.search(name):
        return "education", "university word in name"
    if _HEALTH_WORDS.search(name):
        return "healthcare", "hospital word in name"
    if "gov" in labels[-2:]:
        return "government", ".gov domain"
    if _FACILITY_WORDS.search(name):
        return "facility", "institute or laboratory word in name"
    if _COMPANY_SUFFIX.search(name):
        return "company", "company suffix in name"
    if labels:
        if labels[-1] == "edu" or (len(labels) > 2 and labels[-2] in ("edu", "ac")):
            return "education", "academic domain"
        if labels[-1] in ("com", "ai", "io"):
            return "company", "commercial domain"
        if labels[-1] == "org":
            return "nonprofit", ".org domain"
    return None, "no rule matched"


_COUNTRY_ALIASES = {"russia": "RU", "macau": "MO", "macao": "MO", "korea": "KR", "uk": "GB"}


@lru_cache(maxsize=1024)
def country_code(name: str | None) -> str | None:
    """ISO 3166 alpha-2 code for a country name (pycountry), or None when unknown."""
    if not name or not name.strip() or name.strip().lower() in ("unknown", "n/a"):
        return None
    try:
        import pycountry
    except ImportError:
        raise MissingExtraError("sources", "pycountry") from None
    key = name.strip()
    alias = _COUNTRY_ALIASES.get(key.lower())
    if alias:
        return alias
    try:
        return pycountry.countries.lookup(key).alpha_2
    except LookupError:
        pass
    try:
        found = pycountry.countries.search_fuzzy(key)
    except LookupError:
        return None
    return found[0].alpha_2 if found else None
