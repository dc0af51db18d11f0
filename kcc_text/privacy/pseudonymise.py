"""Pseudonymising open answers: personal data replaced by typed, numbered Dutch tags.

deduce (Dutch de-identification, Menger et al. 2018) finds names, places, institutions, phone
numbers, e-mail addresses, URLs, dates, ages and id numbers. Each is replaced by a tag such as
`[PERSOON-1]` or `[TELEFOONNUMMER-2]`, numbered per respondent, so that a reader still sees that
two answers of one respondent name the same person, while numbers say nothing across
respondents.

deduce was made for medical records; these rules fit it to survey answers:
- a span whose whole text is a theme word (the codebook's pattern words and
  `data/nl_pseudonymise_keep.txt`) is never replaced: "Thuis", "Rust", "Corona" are in deduce's
  name lists;
- a single capitalised word starting a sentence that is one of the ~1,000 most frequent Dutch
  words ("Best werk", "Koning klant", "Hoek van de kantine") is kept: its capital is syntax;
- first names written in lower case, which deduce (capitals only) misses, are found: after a
  greeting or a role ("groet, jeroen", "mijn teamleider lotte"), or anywhere when the word is
  in deduce's first-name list but is neither a frequent word nor a Dutch word in simplemma's
  dictionary ("vooral sanne en mo zijn top");
- a number deduce reads as an age is replaced only when the words say it is one ("ik ben 61
  jaar", "58 jaar oud", "als 50-jarige"): in these answers "ik zit nu 2 jaar bij ..." is a
  duration;
- "van Groningen tot Limburg": a lower-case "van" before a place is not a surname.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

# Tag kinds in report order.
KINDS = ("PERSOON", "LOCATIE", "INSTELLING", "TELEFOONNUMMER", "EMAIL", "URL", "DATUM", "LEEFTIJD", "ID")

# deduce's final tags; anything else deduce may add later is replaced under its own upper-cased tag.
DEDUCE_KINDS = {
    "persoon": "PERSOON",
    "patient": "PERSOON",
    "locatie": "LOCATIE",
    "straat": "LOCATIE",
    "ziekenhuis": "INSTELLING",
    "zorginstelling": "INSTELLING",
    "instelling": "INSTELLING",
    "telefoonnummer": "TELEFOONNUMMER",
    "emailadres": "EMAIL",
    "url": "URL",
    "datum": "DATUM",
    "leeftijd": "LEEFTIJD",
    "bsn": "ID",
    "id": "ID",
}

# A Dutch phone number once separators are removed: 0 or +31/0031, then nine digits.
_PHONE_DIGITS = re.compile(r"^(?:0|\+31|0031)[1-9]\d{8}$")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# What may stand between a sentence end and the next word: quotes, brackets, dashes, bullets.
_OPENERS = " \t\"'‘“(–—-*•"
# Words after which a lower-case first name is a name: greetings and roles (see module docstring).
_NAME_CUES = (
    "groet", "groeten", "groetjes", "gr", "grt", "grtz", "mvg", "liefs", "doei", "dank", "bedankt",
    "teamleider", "teamleidster", "leidinggevende", "manager", "coach", "collega", "baas",
    "supervisor", "trainer", "planner", "meneer", "mevrouw", "dhr", "mevr", "naam is", "heet",
)
_LOWER_NAME = re.compile(
    r"\b(?:" + "|".join(re.escape(cue) for cue in _NAME_CUES) + r")\b[,:.]?\s+"
    r"(?P<first>[^\W\d_][^\W\d_'-]+)"
    r"(?P<rest>\s+(?:(?:van der|van den|van de|van|de|den|der|ter|ten|el)\s+)?[^\W\d_][^\W\d_'-]+)?",
    re.IGNORECASE,
)
_INTERFIXES = ("van der", "van den", "van de", "van", "de", "den", "der", "ter", "ten", "el")
_LOWER_WORD = re.compile(r"(?<![\w@.'’-])[^\W\d_]{2,}(?![\w@'’-])")
_NEXT_NAME = re.compile(r"\s+(?:(?P<interfix>van der|van den|van de|van|de|den|der|ter|ten|el)\s+)?"
                        r"(?P<last>[^\W\d_][^\W\d_'-]+)", re.IGNORECASE)
_AGE_AFTER = re.compile(r"^(?:\s*jaar\s+oud\b|[ -]?jarige?\b)", re.IGNORECASE)
_AGE_BEFORE = re.compile(r"\b(?:ben|was|word|werd|wordt|leeftijd(?:\s+van)?|op\s+mijn)\s*$", re.IGNORECASE)
ADULT_AGE = 16


@dataclass(frozen=True)
class Entity:
    """One piece of personal data in a text: character offsets, tag kind and the text itself."""

    start: int
    end: int
    kind: str
    text: str


def _normalise_word(word: str) -> str:
    return word.strip().replace("’", "'").casefold()


def read_keep_file() -> tuple[frozenset[str], frozenset[str]]:
    """The [keep] and [not-kept] sections of `data/nl_pseudonymise_keep.txt`, lower-cased."""
    text = resources.files("kcc_text.data").joinpath("nl_pseudonymise_keep.txt").read_text(encoding="utf-8")
    sections: dict[str, set[str]] = {"keep": set(), "not-kept": set()}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            continue
        if current in sections:
            sections[current].add(_normalise_word(line))
    return frozenset(sections["keep"]), frozenset(sections["not-kept"])


def codebook_words(codebook) -> frozenset[str]:
    """Every word in a codebook's pattern texts (and token patterns' strings), lower-cased."""
    words: set[str] = set()
    for theme in codebook.themes:
        for pattern in theme.patterns:
            if pattern.text is not None:
                words.update(_normalise_word(w) for w in _WORD.findall(pattern.text))
            else:
                words.update(_normalise_word(w) for w in _WORD.findall(_token_pattern_strings(pattern.tokens)))
    return frozenset(words)


def _token_pattern_strings(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return " ".join(_token_pattern_strings(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return " ".join(_token_pattern_strings(v) for v in value)
    return ""


def keep_words(codebook=None) -> frozenset[str]:
    """The words never replaced: the keep file plus the codebook's pattern words.

    `codebook` is a Codebook, a path to one, or None for the bundled contact-centre codebook
    when it can be found (a checkout of kcc-text, or the current folder).
    """
    keep, not_kept = read_keep_file()
    if codebook is None:
        codebook = _bundled_codebook()
    elif isinstance(codebook, (str, Path)):
        from ..codebook.definition import load_codebook

        codebook = load_codebook(codebook)
    words = set(keep)
    if codebook is not None:
        words |= codebook_words(codebook)
    return frozenset(words - not_kept)


def _bundled_codebook():
    from ..bundled import find_bundled
    from ..codebook.definition import load_codebook
    from ..errors import KccError

    try:
        return load_codebook(find_bundled().codebook)
    except KccError:
        return None


class Pseudonymiser:
    """Finds personal data in Dutch answers and replaces it by numbered tags.

    Loading deduce takes about a second once its lookup lists are built (a few seconds, on
    first use, into the user cache: see `kcc_text.privacy.deduce_lists`); make one Pseudonymiser and
    reuse it.
    """

    def __init__(self, codebook=None, extra_keep: Iterable[str] = ()):
        from .deduce_lists import common_words, load_deduce

        self.keep = keep_words(codebook) | {_normalise_word(w) for w in extra_keep}
        self.common = common_words()
        self._deduce = load_deduce()
        structs = self._deduce.lookup_structs
        self._first_names = structs["first_name"]
        self._surnames = structs["surname"]
        self._places = structs["placename"]
        self._interfix_surnames = structs["interfix_surname"]
        self._interfix_words = {part.lower() for item in structs["interfix"] for part in item.split()}
        self._tokenizer = self._deduce.tokenizers["default"]

    # -- finding -------------------------------------------------------------------------

    def find(self, text: str) -> list[Entity]:
        """The personal data in one text, in text order, without overlaps."""
        if not text or not text.strip():
            return []
        found: list[Entity] = []
        document = self._deduce.deidentify(text)
        for annotation in document.annotations:
            start, end = int(annotation.start_char), int(annotation.end_char)
            kind = DEDUCE_KINDS.get(annotation.tag, annotation.tag.upper())
            entity = _trimmed(text, start, end, kind)
            if entity is None or self._is_word(text, entity):
                continue
            if entity.kind == "LEEFTIJD" and not _is_age(text, entity):
                continue
            found.append(self._place_not_surname(self._without_leading_word(_relabelled(entity))))
        found.extend(self._lower_case_names(text))
        return _without_overlaps(text, found)

    def _is_word(self, text: str, entity: Entity) -> bool:
        if _normalise_word(entity.text) in self.keep:
            return True
        if entity.kind not in ("PERSOON", "LOCATIE") or not _WORD.fullmatch(entity.text):
            return False
        word = entity.text
        return (word[:1].isupper() and word[1:].islower() and word.lower() in self.common
                and _starts_sentence(text, entity.start))

    def _without_leading_word(self, entity: Entity) -> Entity:
        """"Zolang Kevin", "Vraag Mark": deduce joins a capitalised word before a name to the name.

        The first word is dropped when it is a Dutch word (frequent, a theme word, or in simplemma's
        dictionary) and in neither of deduce's name lists: "Bas de Groot" and "Visser Karin" stay.
        """
        from simplemma import is_known

        while entity.kind == "PERSOON":
            match = re.match(r"([^\W\d_]+)\s+", entity.text)
            if not match:
                break
            word = match.group(1)
            lowered = word.lower()
            if lowered in self._interfix_words:  # "Mevrouw de Vries": "de" belongs to the name
                break
            is_word = lowered in self.common or lowered in self.keep or is_known(lowered, lang="nl")
            is_name = [word[:1].upper() + lowered[1:]] in self._first_names or [word] in self._surnames
            if not is_word or is_name:
                break
            start = entity.start + match.end()
            entity = Entity(start, entity.end, entity.kind, entity.text[match.end():])
        return entity

    def _place_not_surname(self, entity: Entity) -> Entity:
        if entity.kind == "PERSOON" and entity.text.startswith("van "):
            rest = entity.text[4:].lstrip()
            if [token.text for token in self._tokenizer.tokenize(rest)] in self._places:
                start = entity.end - len(rest)
                return Entity(start, entity.end, "LOCATIE", rest)
        return entity

    def _is_first_name(self, word: str) -> bool:
        lowered = _normalise_word(word)
        return (lowered not in self.common and lowered not in self.keep
                and [word[:1].upper() + word[1:].lower()] in self._first_names)

    def _lower_case_names(self, text: str) -> list[Entity]:
        from simplemma import is_known

        starts = {match.start("first") for match in _LOWER_NAME.finditer(text)
                  if self._is_first_name(match.group("first"))}
        for match in _LOWER_WORD.finditer(text):
            word = match.group(0)
            if word.islower() and self._is_first_name(word) and not is_known(word, lang="nl"):
                starts.add(match.start())
        names = []
        for start in sorted(starts):
            end = start + len(_WORD.match(text, start).group(0))
            following = _NEXT_NAME.match(text, end)
            if following and self._is_surname(following.group("last"), following.group("interfix")):
                end = following.end()
            names.append(Entity(start, end, "PERSOON", text[start:end]))
        return names

    def _is_surname(self, word: str, interfix: str | None) -> bool:
        """Whether a word after a found first name continues the name ("ineke de vries")."""
        lowered = _normalise_word(word)
        if lowered in self.keep:
            return False
        capitalised = word[:1].upper() + word[1:].lower()
        if interfix is not None:  # "de groot": a frequent word is a surname after an interfix
            return capitalised in self._interfix_surnames or lowered not in self.common
        return lowered not in self.common and [capitalised] in self._surnames

    # -- replacing -----------------------------------------------------------------------

    def pseudonymise(self, texts: Sequence[str], respondent_ids: Sequence[object] | None = None, *,
                     registers: dict | None = None) -> tuple[list[str], dict[str, int]]:
        """Texts with personal data replaced, and how many of each kind were replaced.

        Tags are numbered per respondent (`respondent_ids[i]` owns `texts[i]`; without ids each
        text is its own respondent): one respondent's "Kevin" is `[PERSOON-1]` in all their
        answers, and a first name alone gets the number of the full name it starts or ends.
        `registers` (respondent -> `TagRegister`) carries the numbering over from an earlier
        call, for texts that come in chunks.
        """
        if respondent_ids is not None and len(respondent_ids) != len(texts):
            raise ValueError("texts and respondent_ids differ in length")
        counts = dict.fromkeys(KINDS, 0)
        registers = {} if registers is None else registers
        new_texts = []
        for index, text in enumerate(texts):
            if not isinstance(text, str) or not text:
                new_texts.append(text)
                continue
            owner = respondent_ids[index] if respondent_ids is not None else ("text", index)
            tagged = self.tagged(text, registers.setdefault(owner, TagRegister()))
            for entity, _tag in tagged:
                counts[entity.kind] = counts.get(entity.kind, 0) + 1
            new_texts.append(with_tags(text, tagged))
        return new_texts, counts

    def tagged(self, text: str, register: TagRegister) -> list[tuple[Entity, str]]:
        """The personal data in one text, each with the tag it gets in `register`'s numbering."""
        return [(entity, f"[{entity.kind}-{register.number(entity)}]") for entity in self.find(text)]


def with_tags(text: str, tagged: Sequence[tuple[Entity, str]]) -> str:
    """`text` with each tagged span (in text order, not overlapping) replaced by its tag."""
    pieces, position = [], 0
    for entity, tag in tagged:
        pieces.append(text[position:entity.start])
        pieces.append(tag)
        position = entity.end
    pieces.append(text[position:])
    return "".join(pieces)


class TagRegister:
    """The numbers given out within one respondent's answers, per kind."""

    def __init__(self):
        self.numbers: dict[tuple[str, str], int] = {}
        self.next: dict[str, int] = {}

    def number(self, entity: Entity) -> int:
        key = (entity.kind, _identity(entity))
        if key in self.numbers:
            return self.numbers[key]
        if entity.kind == "PERSOON":
            same = self._same_person(key[1])
            if same is not None:
                self.numbers[key] = same
                return same
        number = self.next.get(entity.kind, 0) + 1
        self.next[entity.kind] = number
        self.numbers[key] = number
        return number

    def _same_person(self, name: str) -> int | None:
        """A first or last name alone and the full name it belongs to are one person."""
        parts = name.split()
        for (kind, known), number in self.numbers.items():
            if kind != "PERSOON":
                continue
            known_parts = known.split()
            if len(parts) == 1 and len(known_parts) > 1 and parts[0] in (known_parts[0], known_parts[-1]):
                return number
            if len(known_parts) == 1 and len(parts) > 1 and known_parts[0] in (parts[0], parts[-1]):
                return number
        return None


def _identity(entity: Entity) -> str:
    """What makes two mentions the same: digits for numbers, else the text without case."""
    if entity.kind in ("TELEFOONNUMMER", "ID"):  # "+31 (0)6 1234 5678" is "0612345678"
        digits = re.sub(r"[^\d+]", "", entity.text.replace("(0)", ""))
        return re.sub(r"^(?:\+31|0031)", "0", digits)
    return " ".join(entity.text.casefold().split())


def _trimmed(text: str, start: int, end: int, kind: str) -> Entity | None:
    """The span without surrounding spaces or punctuation (deduce sometimes takes a trailing space)."""
    while start < end and (text[start].isspace() or text[start] in ",;:"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    if start >= end:
        return None
    return Entity(start, end, kind, text[start:end])


def _relabelled(entity: Entity) -> Entity:
    """A phone number that deduce tagged as an id number is a phone number."""
    if entity.kind == "ID" and _PHONE_DIGITS.match(re.sub(r"[^\d+]", "", entity.text)):
        return Entity(entity.start, entity.end, "TELEFOONNUMMER", entity.text)
    return entity


def _is_age(text: str, entity: Entity) -> bool:
    """Whether a number deduce took for an age is one: "58 jaar oud", "50-jarige", "ik ben 61 jaar"."""
    if _AGE_AFTER.match(text[entity.end:]):
        return True
    number = re.match(r"\d+", entity.text)
    return bool(_AGE_BEFORE.search(text[:entity.start]) and number and int(number.group()) >= ADULT_AGE)


def _starts_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(_OPENERS)
    return not before or before[-1] in ".!?\n"


def _without_overlaps(text: str, entities: list[Entity]) -> list[Entity]:
    """Overlapping spans become one span covering both, of the kind of the longer one."""
    merged: list[Entity] = []
    for entity in sorted(entities, key=lambda e: (e.start, -(e.end - e.start))):
        if merged and entity.start < merged[-1].end:
            last = merged[-1]
            kind = last.kind if last.end - last.start >= entity.end - entity.start else entity.kind
            end = max(last.end, entity.end)
            merged[-1] = Entity(last.start, end, kind, text[last.start:end])
        else:
            merged.append(entity)
    return merged


@dataclass(frozen=True)
class PseudonymisedFile:
    """What `pseudonymise_file` did: answers and respondents read, replacements per kind."""

    out: Path
    n_answers: int
    n_changed: int
    n_respondents: int
    respondent_column: str
    counts: dict[str, int]


def pseudonymise_file(corpus: str | Path, out: str | Path, columns=None, respondent_col: str | None = None,
                      codebook=None, pseudonymiser: Pseudonymiser | None = None) -> PseudonymisedFile:
    """Write a copy of a corpus file whose answer texts are pseudonymised; other columns pass unchanged.

    Tags are numbered per respondent: the `respondent_col` column (default `respondent_id` when the
    file has it), else per answer id. Columns are written with their input names, in input order.
    """
    from ..io.answers import ColumnMap, iter_table, read_corpus
    from ..errors import InputFileError, UsageError
    from ..io.writing import check_output_path, write_csv_atomic

    columns = columns or ColumnMap()
    out = Path(out)
    if out.suffix.lower() != ".csv":
        raise UsageError(f"{out}: pseudonymise writes CSV; give --out a .csv name")
    check_output_path(out, [corpus])
    frame = read_corpus(corpus, columns)
    original = {"id": columns.id, "text": columns.text, "wave": columns.wave, "question": columns.question}
    wanted = respondent_col or "respondent_id"
    canonical = {v: k for k, v in original.items() if k in frame.columns}.get(wanted, wanted)
    if canonical in frame.columns:
        owners, used = list(frame[canonical]), wanted
    elif respondent_col is not None:
        raise InputFileError(f"missing respondent column '{respondent_col}'", corpus)
    else:
        owners, used = list(frame["id"]), columns.id
    pseudonymiser = pseudonymiser or Pseudonymiser(codebook=codebook)
    before = list(frame["text"])
    texts, counts = pseudonymiser.pseudonymise(before, owners)
    frame["text"] = texts
    frame = frame.rename(columns={k: v for k, v in original.items() if k in frame.columns})
    input_order = [str(c).strip() for c in next(iter_table(corpus, chunk_size=1)).columns]
    write_csv_atomic(frame[input_order], out)
    changed = sum(1 for old, new in zip(before, texts) if old != new)
    return PseudonymisedFile(out, len(frame), changed, len(set(owners)), used, counts)
