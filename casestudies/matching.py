"""Match place names typed in spreadsheets to gazetteer places.

Names are compared after `normalise_name` (case, diacritics, punctuation,
hyphens, "St."/"Sankt"/"Saint"), first against places' own names, then against
their alternate names (exonyms, historic names, other romanisations).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pycountry
from rapidfuzz import fuzz, process

if TYPE_CHECKING:
    from casestudies.gazetteer import SeedPlace


EXACT = "exact"
AMBIGUOUS = "ambiguous"
NOT_FOUND = "not_found"
MAX_SUGGESTIONS = 3
MIN_SUGGESTION_SCORE = 60.0

LETTERS_WITHOUT_DECOMPOSITION = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "\u0131": "i",  # dotless i
        "ħ": "h",
    }
)
NON_WORD = re.compile(r"[\W_]+")
SAINT_WORDS = {"st": "saint", "ste": "sainte", "sankt": "saint", "sint": "saint"}
LEADING_CITY_OF = ["city", "of"]
COUNTRIES_CSV = Path(__file__).parent / "data" / "countries.csv"


class UnknownCountryError(ValueError):
    """A country hint that is neither an ISO code nor a known country name."""


@dataclass(frozen=True)
class IndexEntry:
    place_id: Hashable
    country_code: str
    kind: str
    names: tuple[str, ...]
    alternate_names: tuple[str, ...] = ()
    population: int | None = None


@dataclass(frozen=True)
class Suggestion:
    place_id: Hashable
    name: str
    score: float


@dataclass(frozen=True)
class MatchResult:
    status: str
    candidates: tuple[Hashable, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()

    @property
    def place_id(self) -> Hashable | None:
        """The matched place when the match is exact."""
        return self.candidates[0] if self.status == EXACT else None


def normalise_name(text: str) -> str:
    """Lower-case ASCII-folded words of a name: "St. Pölten" -> "saint polten".

    Letters of other scripts (Chinese, Cyrillic, Greek) are kept, case-folded.
    """
    return " ".join(normalised_words(text))


def match_key(text: str) -> str:
    """The lookup key of a name: its normalised words run together.

    So "Xi'an", "Xi An" and "Xian" agree, and so do "Cluj-Napoca" and "Cluj Napoca".
    """
    return "".join(normalised_words(text))


def normalised_words(text: str) -> list[str]:
    words = NON_WORD.sub(" ", without_diacritics(text.casefold())).split()
    if words[:2] == LEADING_CITY_OF:
        words = words[2:]
    return [SAINT_WORDS.get(word, word) for word in words]


def without_diacritics(text: str) -> str:
    if text.isascii():
        return text
    folded = unicodedata.normalize("NFKD", text.translate(LETTERS_WITHOUT_DECOMPOSITION))
    return "".join(char for char in folded if not unicodedata.combining(char))


class PlaceIndex:
    """Places by normalised name, for matching names typed by people."""

    def __init__(self, entries: Iterable[IndexEntry | tuple]) -> None:
        self.entries: dict[Hashable, IndexEntry] = {}
        self.by_name: dict[str, list[Hashable]] = {}
        self.by_alternate_name: dict[str, list[Hashable]] = {}
        for item in entries:
            self._add_entry(item if isinstance(item, IndexEntry) else IndexEntry(*item))
        self.suggestion_names = list(self.by_name)

    def _add_entry(self, entry: IndexEntry) -> None:
        self.entries[entry.place_id] = entry
        for table, names in (
            (self.by_name, entry.names),
            (self.by_alternate_name, entry.alternate_names),
        ):
            for key in {match_key(name) for name in names} - {""}:
                table.setdefault(key, []).append(entry.place_id)

    def match(self, name: str, country: str | None = None, kind: str | None = None) -> MatchResult:
        """Match a typed name, optionally only among places of a country and a kind.

        Raises UnknownCountryError when the country hint cannot be resolved.
        """
        country_code = resolve_country_hint(country)
        key = match_key(name)
        for table in (self.by_name, self.by_alternate_name):
            found = [pid for pid in table.get(key, ()) if self.fits(pid, country_code, kind)]
            if found:
                return self.result_of(found)
        return MatchResult(NOT_FOUND, suggestions=self.suggest(key, country_code, kind))

    def fits(self, place_id: Hashable, country_code: str | None, kind: str | None) -> bool:
        entry = self.entries[place_id]
        return (country_code is None or entry.country_code == country_code) and (
            kind is None or entry.kind == kind
        )

    def result_of(self, place_ids: list[Hashable]) -> MatchResult:
        unique_ids = list(dict.fromkeys(place_ids))
        if len(unique_ids) == 1:
            return MatchResult(EXACT, tuple(unique_ids))
        return MatchResult(AMBIGUOUS, tuple(sorted(unique_ids, key=self.population_rank)))

    def population_rank(self, place_id: Hashable) -> int:
        return -(self.entries[place_id].population or 0)

    @cached_property
    def sorted_names(self) -> list[str]:
        """The keys of own names, sorted, to find the places a typed start may name."""
        return sorted(self.by_name)

    def named_like(self, text: str, *, anywhere: bool = False) -> list[Hashable]:
        """Places a person may mean by typing the start of a name (with `anywhere`, any part
        of it, as a list's filter does), compared as match keys: case, accents, punctuation
        and "St." never matter. Places whose English or local name fits come first, largest
        first; then those known by the whole text under another name (Cracow, Kolozsvár,
        成都市). Other names are not searched by their start: a place has dozens, many of
        them odd romanisations, and "Lo" should not offer Łódź as "Log"."""
        key = match_key(text)
        if not key:
            return []
        if anywhere:
            own = [name for name in self.by_name if key in name]
        else:
            own = keys_starting_with(self.sorted_names, key)
        found: dict[Hashable, None] = {}
        for ids in ({pid for name in own for pid in self.by_name[name]},
                    set(self.by_alternate_name.get(key, ()))):
            found.update(dict.fromkeys(sorted(ids - found.keys(), key=self.suggestion_rank)))
        return list(found)

    def suggestion_rank(self, place_id: Hashable) -> tuple[int, str]:
        entry = self.entries[place_id]
        return -(entry.population or 0), entry.names[0] if entry.names else ""

    def suggest(
        self, key: str, country_code: str | None, kind: str | None
    ) -> tuple[Suggestion, ...]:
        """Up to three places whose own names are most like the key."""
        if not key:
            return ()
        suggestions: dict[Hashable, Suggestion] = {}
        scored = process.extract(
            key,
            self.suggestion_names,
            scorer=fuzz.ratio,
            score_cutoff=MIN_SUGGESTION_SCORE,
            limit=None,
        )
        for similar_key, score, _ in scored:
            for place_id in self.by_name[similar_key]:
                if place_id not in suggestions and self.fits(place_id, country_code, kind):
                    suggestions[place_id] = Suggestion(
                        place_id, self.entries[place_id].names[0], score
                    )
            if len(suggestions) >= MAX_SUGGESTIONS:
                break
        return tuple(list(suggestions.values())[:MAX_SUGGESTIONS])


def keys_starting_with(keys: list[str], start: str) -> list[str]:
    """The keys of a sorted list that begin with `start`."""
    first = bisect_left(keys, start)
    last = first
    while last < len(keys) and keys[last].startswith(start):
        last += 1
    return keys[first:last]


def index_entry_of_seed_place(place: SeedPlace) -> IndexEntry:
    return IndexEntry(
        place_id=place.key,
        country_code=place.country_code,
        kind=place.kind,
        names=(place.name, place.name_local),
        alternate_names=place.alternate_names,
        population=place.population,
    )


def resolve_country_hint(country: str | None) -> str | None:
    if country is None or not country.strip():
        return None
    code = resolve_country(country)
    if code is None:
        raise UnknownCountryError(f"unknown country: {country!r}")
    return code


def resolve_country(text: str) -> str | None:
    """ISO 3166-1 alpha-2 code of a country given as a code or a name (English or native).

    "PL", "POL", "Poland", "Polska", "PRC", "USA" ... ; None when it is none of them.
    """
    key = match_key(text)
    return country_aliases().get(key) if key else None


@lru_cache(maxsize=1)
def country_aliases() -> dict[str, str]:
    """Normalised country names and codes -> alpha-2 code: pycountry, then the shipped aliases."""
    aliases: dict[str, str] = {}
    for country in pycountry.countries:
        for name in (country.alpha_2, country.alpha_3, country.name, *optional_names(country)):
            aliases[match_key(name)] = country.alpha_2
    with COUNTRIES_CSV.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            names = (
                row["code"],
                row["name"],
                *row["name_local"].split(" / "),
                *row["aliases"].split(";"),
            )
            for name in filter(None, (name.strip() for name in names)):
                aliases[match_key(name)] = row["code"]
    return aliases


def optional_names(country: object) -> tuple[str, ...]:
    return tuple(
        getattr(country, attribute)
        for attribute in ("official_name", "common_name")
        if hasattr(country, attribute)
    )
