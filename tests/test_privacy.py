"""Pseudonymisation: planted personal data is replaced, theme words never are, tags are numbered per respondent.

deduce is loaded once for this module, with its lookup lists built from scratch into a temporary
cache folder: the path every new machine takes on first use.
"""

from __future__ import annotations

import csv
import logging
import re
from pathlib import Path

import pytest

from kcc_text.codebook.definition import load_codebook
from kcc_text.privacy.pseudonymise import KINDS, Entity, Pseudonymiser, codebook_words, keep_words, read_keep_file

ROOT = Path(__file__).resolve().parents[1]
PLANTED = Path(__file__).parent / "data" / "pseudonymise_planted.csv"
# Written after the rules were settled, with other names, places and number formats; it found
# one gap (070-3456789, fixed in privacy.deduce_lists.PHONE_REGEXP) and is kept as a second check.
HELDOUT = Path(__file__).parent / "data" / "pseudonymise_heldout.csv"
THEME_WORDS = ("klanten", "klant", "collega's", "salaris", "werkdruk", "waardering", "thuiswerken",
               "teamleider", "leidinggevende", "rooster")
TAG = re.compile(r"\[([A-Z]+)-(\d+)\]")


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kcc-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KCC_TEXT_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="module")
def pseudonymiser(cache_dir):
    return Pseudonymiser(codebook=ROOT / "codebooks" / "kcc.yaml")


def planted_rows(path=PLANTED):
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def gold_spans(row) -> list[tuple[int, int, str]]:
    """Every occurrence in the text of every planted span, as (start, end, kind)."""
    spans = []
    for item in filter(None, row["gold"].split("|")):
        kind, text = item.split(":", 1)
        for match in re.finditer(re.escape(text), row["text"]):
            spans.append((match.start(), match.end(), kind))
    return spans


def span_scores(pseudonymiser, rows):
    """Recall: planted spans whose every letter and digit is replaced. Precision: replaced spans
    that overlap a planted span. Also: recalled spans that got the planted kind of tag."""
    recalled = planted = right_kind = replaced = correct = 0
    for row in rows:
        text, gold = row["text"], gold_spans(row)
        found = pseudonymiser.find(text)
        covered = {i for entity in found for i in range(entity.start, entity.end)}
        for start, end, kind in gold:
            planted += 1
            if {i for i in range(start, end) if text[i].isalnum()} <= covered:
                recalled += 1
                right_kind += any(e.start < end and start < e.end and e.kind == kind for e in found)
        for entity in found:
            replaced += 1
            correct += any(entity.start < end and start < entity.end for start, end, _ in gold)
    return recalled / planted, correct / replaced, right_kind / recalled, planted, replaced


def test_the_planted_set_is_as_described():
    rows = planted_rows()
    with_data = [row for row in rows if row["gold"]]
    assert len(rows) == 150 and len(with_data) == 67
    assert all(gold_spans(row) for row in with_data)  # every planted span occurs in its text
    kinds = {item.split(":")[0] for row in with_data for item in row["gold"].split("|")}
    assert {"PERSOON", "LOCATIE", "TELEFOONNUMMER", "EMAIL", "DATUM"} <= kinds


@pytest.mark.parametrize("path, n_planted", [(PLANTED, 80), (HELDOUT, 29)], ids=["planted", "heldout"])
def test_planted_personal_data_recall_and_precision_at_least_0_9(pseudonymiser, record_property, path, n_planted):
    recall, precision, kind_accuracy, planted, replaced = span_scores(pseudonymiser, planted_rows(path))
    record_property("recall", recall)
    record_property("precision", precision)
    assert planted == n_planted
    assert recall >= 0.9, f"recall {recall:.3f}"
    assert precision >= 0.9, f"precision {precision:.3f} over {replaced} replaced spans"
    assert kind_accuracy >= 0.9


def test_theme_words_are_never_replaced_in_the_planted_answers(pseudonymiser):
    rows = planted_rows()
    texts, _ = pseudonymiser.pseudonymise([r["text"] for r in rows], [r["respondent_id"] for r in rows])
    for row, new in zip(rows, texts):
        for word in THEME_WORDS:
            pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
            assert len(pattern.findall(new)) == len(pattern.findall(row["text"])), (row["id"], word)


@pytest.mark.parametrize("word", THEME_WORDS)
def test_a_theme_word_stays_at_a_sentence_start_mid_sentence_and_in_capitals(pseudonymiser, word):
    title = word[:1].upper() + word[1:]
    texts = [f"{title} is het probleem.", f"Dat zeg ik: {title}, altijd weer.",
             f"Over {title} gesproken.", f"{word.upper()} !", f"Ja. {title} vooral."]
    new, counts = pseudonymiser.pseudonymise(texts)
    assert new == texts
    assert sum(counts.values()) == 0


def test_no_word_of_the_bundled_codebook_patterns_is_replaced(pseudonymiser):
    words = sorted(codebook_words(load_codebook(ROOT / "codebooks" / "kcc.yaml")) - read_keep_file()[1])
    assert len(words) > 1000
    at_start = ". ".join(f"{w[:1].upper()}{w[1:]} is belangrijk" for w in words)
    in_sentence = " ".join(f"en {w[:1].upper()}{w[1:]}" for w in words)
    assert pseudonymiser.find(at_start) == []
    assert pseudonymiser.find(in_sentence) == []


def test_keep_words_hold_the_codebook_and_the_keep_file_but_not_first_names():
    keep = keep_words(ROOT / "codebooks" / "kcc.yaml")
    assert {"klanten", "collega's", "thuiswerken", "werkdruk", "corona", "kpn", "randstad"} <= keep
    assert "max" not in keep  # a pattern word ("min-max contract") that is also a first name


def test_a_surname_that_is_a_frequent_word_is_kept_only_where_it_starts_a_sentence(pseudonymiser):
    assert pseudonymiser.find("Koning klant, zo voelt het niet.") == []
    assert pseudonymiser.find("Best werk als je van mensen houdt.") == []
    found = pseudonymiser.find("Gisteren belde meneer Koning weer over zijn rekening.")
    assert [e.kind for e in found] == ["PERSOON"] and "Koning" in found[0].text


def test_same_name_same_number_within_a_respondent_and_numbering_restarts_per_respondent(pseudonymiser):
    texts = ["Mijn teamleider Sandra de Wit is top, en Kevin ook.",
             "Zolang Kevin er werkt blijf ik, en Sandra natuurlijk.",
             "Kevin van de planning is een ramp."]
    new, counts = pseudonymiser.pseudonymise(texts, ["r1", "r1", "r2"])
    assert new[0] == "Mijn teamleider [PERSOON-1] is top, en [PERSOON-2] ook."
    assert new[1] == "Zolang [PERSOON-2] er werkt blijf ik, en [PERSOON-1] natuurlijk."
    assert new[2] == "[PERSOON-1] van de planning is een ramp."
    assert counts["PERSOON"] == 5


def test_phone_numbers_are_numbered_by_their_digits(pseudonymiser):
    new, counts = pseudonymiser.pseudonymise(
        ["Bel 06-12345678 of 020-1234567.", "Nogmaals: 0612345678, +31 6 1234 5678 of +31 (0)6 12345678."],
        ["r1", "r1"])
    assert new == ["Bel [TELEFOONNUMMER-1] of [TELEFOONNUMMER-2].",
                   "Nogmaals: [TELEFOONNUMMER-1], [TELEFOONNUMMER-1] of [TELEFOONNUMMER-1]."]
    assert counts["TELEFOONNUMMER"] == 5


def test_without_respondent_ids_every_text_numbers_from_one(pseudonymiser):
    new, _ = pseudonymiser.pseudonymise(["Groet, Pieter Jansen", "Groet, Ingrid Smit"])
    assert new == ["Groet, [PERSOON-1]", "Groet, [PERSOON-1]"]


def test_counts_name_every_kind_and_match_the_tags_written(pseudonymiser):
    rows = planted_rows()
    texts, counts = pseudonymiser.pseudonymise([r["text"] for r in rows], [r["respondent_id"] for r in rows])
    assert list(counts) == list(KINDS)
    written = {kind: 0 for kind in KINDS}
    for text in texts:
        for kind, _ in TAG.findall(text):
            written[kind] += 1
    assert written == counts
    assert counts["PERSOON"] >= 38 and counts["TELEFOONNUMMER"] == 11 and counts["EMAIL"] == 4


@pytest.mark.parametrize("number", ["06-12345678", "+31 6 1234 5678", "020-1234567", "020 123 4567",
                                    "0612345678", "+31 (0)6 12345678", "06 12 34 56 78", "+31 20 123 4567",
                                    "070-3456789", "071 234 5678", "0712345678", "0031 6 87654321"])
def test_dutch_phone_number_formats(pseudonymiser, number):
    found = pseudonymiser.find(f"Bel me gerust op {number} als je vragen hebt.")
    assert [(e.kind, e.text) for e in found] == [("TELEFOONNUMMER", number)]


def test_email_url_date_and_id(pseudonymiser):
    text = "Mail s.jansen@gmail.com, zie www.voorbeeld.nl, sinds 1 maart 2020, BSN 123456782."
    found = pseudonymiser.find(text)
    assert [(e.kind, e.text) for e in found] == [
        ("EMAIL", "s.jansen@gmail.com"), ("URL", "www.voorbeeld.nl"), ("DATUM", "1 maart 2020"),
        ("ID", "123456782")]


def test_an_age_is_replaced_but_a_duration_is_not(pseudonymiser):
    assert [e.kind for e in pseudonymiser.find("Ik ben 61 jaar en klanten nemen me serieus.")] == ["LEEFTIJD"]
    assert [e.kind for e in pseudonymiser.find("Als 50-jarige kom je moeilijk aan de bak.")] == ["LEEFTIJD"]
    assert pseudonymiser.find("ik zit nu 2 jaar bij een energiebedrijf") == []
    assert pseudonymiser.find("Ik werk hier al 12 jaar.") == []


def test_lower_case_first_names(pseudonymiser):
    assert [e.text for e in pseudonymiser.find("nee. matig loon. groet, henk")] == ["henk"]
    assert [e.text for e in pseudonymiser.find("mijn teamleider bas de groot is top")] == ["bas de groot"]
    assert [e.text for e in pseudonymiser.find("vooral sanne en mo zijn top")] == ["sanne", "mo"]
    # a first name that is also a Dutch word is left alone without a cue before it
    assert pseudonymiser.find("ik heb een roos gekregen van een klant") == []


def test_a_place_after_lower_case_van_is_a_place(pseudonymiser):
    found = pseudonymiser.find("klanten van Groningen tot Limburg")
    assert [(e.kind, e.text) for e in found] == [("LOCATIE", "Groningen"), ("LOCATIE", "Limburg")]


def test_empty_and_missing_texts_pass_through(pseudonymiser):
    new, counts = pseudonymiser.pseudonymise(["", "   ", None, "Klanten helpen."])
    assert new == ["", "   ", None, "Klanten helpen."]
    assert sum(counts.values()) == 0


def test_texts_and_ids_must_have_the_same_length(pseudonymiser):
    with pytest.raises(ValueError):
        pseudonymiser.pseudonymise(["a", "b"], ["r1"])


def test_entities_come_in_text_order_without_overlap(pseudonymiser):
    found = pseudonymiser.find("Bel 020-1234567 en vraag naar Mehmet Yilmaz in Utrecht.")
    assert all(isinstance(e, Entity) for e in found)
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))


def test_lookup_lists_are_built_once_into_the_cache_and_reused(pseudonymiser, cache_dir):
    from kcc_text.privacy.deduce_lists import LEFT_OUT, lists_dir, load_deduce

    folder = lists_dir()
    assert folder.parent == cache_dir
    assert (folder / "cache" / "lookup_structs.pickle").is_file()
    assert all((folder / "src" / relative).read_text() == "" for relative in LEFT_OUT)
    assert not [p for p in cache_dir.iterdir() if p.name.startswith(".build-")]  # no half-built folder left
    root = logging.getLogger()
    handlers = list(root.handlers)
    again = load_deduce()  # from the cache this time
    assert root.handlers == handlers  # deduce's logging.basicConfig(stdout, DEBUG) is undone
    assert [a.tag for a in again.deidentify("Bel 06-12345678.").annotations] == ["telefoonnummer"]


# --- coded files: pseudonymised after coding -------------------------------------------------------


def test_a_second_pass_leaves_tags_alone(pseudonymiser):
    once, _ = pseudonymiser.pseudonymise(["Bel Pieter Jansen op 06-12345678 of mail p.jansen@kpn.nl."])
    twice, counts = pseudonymiser.pseudonymise(once)
    assert twice == once == ["Bel [PERSOON-1] op [TELEFOONNUMMER-1] of mail [EMAIL-1]."]
    assert sum(counts.values()) == 0


def test_evidence_phrases_that_quote_personal_data_get_the_texts_tags():
    from kcc_text.privacy.coded import pseudonymise_evidence

    text = "De klant Sanne helpen, daar doe ik het voor. Salaris laag."
    start = text.index("Sanne")
    tagged = [(Entity(start, start + 5, "PERSOON", "Sanne"), "[PERSOON-1]")]
    evidence = "klanten_helpen: klant Sanne helpen | salaris: Salaris"
    assert (pseudonymise_evidence(evidence, text, tagged)
            == "klanten_helpen: klant [PERSOON-1] helpen | salaris: Salaris")
    # A phrase that takes in part of a name gets the whole tag; one the text does not hold and that shares a
    # word with the replaced data is dropped; one that shares none is kept.
    text = "Mijn teamleider Jan de Vries is top."
    start = text.index("Jan")
    tagged = [(Entity(start, start + 11, "PERSOON", "Jan de Vries"), "[PERSOON-1]")]
    assert pseudonymise_evidence("collegas: teamleider Jan", text, tagged) == "collegas: teamleider [PERSOON-1]"
    assert pseudonymise_evidence("collegas: Vries-achtig", text, tagged) == "collegas: Vries-achtig"
    assert pseudonymise_evidence("collegas: de Vries team", text, tagged) == ""
    assert pseudonymise_evidence("collegas: top", text, tagged) == "collegas: top"
    # Curly apostrophes in the answer: the pipeline straightened them before the phrase was quoted.
    text = "Collega’s van Sanne zijn top"
    start = text.index("Sanne")
    tagged = [(Entity(start, start + 5, "PERSOON", "Sanne"), "[PERSOON-1]")]
    assert (pseudonymise_evidence("collegas: Collega's van Sanne", text, tagged)
            == "collegas: Collega’s van [PERSOON-1]")


def test_coded_chunks_number_tags_per_respondent_across_chunks(pseudonymiser):
    import pandas as pd

    from kcc_text.privacy.coded import CodedPseudonymiser

    safe = CodedPseudonymiser(pseudonymiser, text_columns=["antwoord"])
    first = pd.DataFrame({"id": ["a1", "a2"], "respondent_id": ["r1", "r2"],
                          "text": ["Mijn teamleider Sandra de Wit is top.", "Groet, Ingrid Smit"],
                          "antwoord": ["Mijn teamleider Sandra de Wit is top.", "Groet, Ingrid Smit"],
                          "themes": ["collegas", ""], "evidence": ["collegas: teamleider", ""]})
    second = pd.DataFrame({"id": ["a3"], "respondent_id": ["r1"], "text": ["Kevin en Sandra helpen klanten."],
                           "antwoord": ["Kevin en Sandra helpen klanten."], "themes": ["klanten_helpen"],
                           "evidence": ["klanten_helpen: Sandra helpen klanten"]})
    out = pd.concat([safe(first), safe(second)], ignore_index=True)
    assert list(out["text"]) == ["Mijn teamleider [PERSOON-1] is top.", "Groet, [PERSOON-1]",
                                 "[PERSOON-2] en [PERSOON-1] helpen klanten."]
    assert list(out["antwoord"]) == list(out["text"])
    assert list(out["evidence"]) == ["collegas: teamleider", "", "klanten_helpen: [PERSOON-1] helpen klanten"]
    assert list(out["themes"]) == ["collegas", "", "klanten_helpen"]  # codes untouched
    assert safe.counts["PERSOON"] == 4 and safe.n_changed == 3
    assert first.at[0, "text"].startswith("Mijn teamleider Sandra")  # the input chunk is not changed
