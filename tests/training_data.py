"""A tiny coded training set for the classifier tests: short Dutch answers, codes, and files on disk.

The codebook is conftest's kcc-mini (salaris, werkdruk, leuk_werk, gebrek_aan_waardering,
klanten_helpen, collegas). Many answers say a theme in words its patterns do not know
("beloning", "uitbetaling", "druk", "hectisch"), so only a trained model finds them;
`klanten_helpen` has fewer than five examples, so the model cannot learn it.
"""

from __future__ import annotations

import csv

# (id, respondent, question, text, themes)
ANSWERS = [
    ("a01", "p01", "aanbevelen", "De beloning is belabberd", "salaris"),
    ("a02", "p02", "aanbevelen", "Veel te weinig uitbetaling voor dit werk", "salaris"),
    ("a03", "p03", "aanbevelen", "Het salaris is te laag", "salaris"),
    ("a04", "p04", "aanbevelen", "Je verdient bijna niks, de beloning is slecht", "salaris"),
    ("a05", "p05", "aanbevelen", "Het loon is echt te weinig", "salaris"),
    ("a06", "p06", "aanbevelen", "Slechte uitbetaling en een lage beloning", "salaris"),
    ("a07", "p07", "aanbevelen", "De uitbetaling is een schande", "salaris"),
    ("a08", "p08", "aanbevelen", "Het is heel druk en hectisch", "werkdruk"),
    ("a09", "p09", "aanbevelen", "Altijd druk, je rent de hele dag", "werkdruk"),
    ("a10", "p10", "aanbevelen", "Veel stress op de vloer", "werkdruk"),
    ("a11", "p11", "aanbevelen", "Hectisch en veel te druk", "werkdruk"),
    ("a12", "p12", "aanbevelen", "De druk is enorm hoog", "werkdruk"),
    ("a13", "p13", "aanbevelen", "Je moet rennen, zo hectisch is het", "werkdruk"),
    ("a14", "p14", "aanbevelen", "Het werk is leuk en afwisselend", "leuk_werk"),
    ("a15", "p15", "aanbevelen", "Ik heb veel plezier in mijn werk", "leuk_werk"),
    ("a16", "p16", "aanbevelen", "Afwisselend werk, geen dag hetzelfde", "leuk_werk"),
    ("a17", "p17", "aanbevelen", "Leuk en gezellig werk", "leuk_werk"),
    ("a18", "p18", "aanbevelen", "Het is afwisselend en leuk om te doen", "leuk_werk"),
    ("a19", "p19", "aanbevelen", "Gezellige collega's en een fijn team", "collegas"),
    ("a20", "p20", "aanbevelen", "Het team is top", "collegas"),
    ("a21", "p21", "aanbevelen", "Mijn collega's zijn geweldig", "collegas"),
    ("a22", "p22", "aanbevelen", "Fijne collega's om je heen", "collegas"),
    ("a23", "p23", "aanbevelen", "Een hecht team met toffe collega's", "collegas"),
    ("a24", "p24", "aanbevelen", "Er is geen waardering voor wat je doet", "gebrek_aan_waardering"),
    ("a25", "p25", "aanbevelen", "Je wordt ondergewaardeerd door de leiding", "gebrek_aan_waardering"),
    ("a26", "p26", "aanbevelen", "Nooit een compliment, geen waardering", "gebrek_aan_waardering"),
    ("a27", "p27", "aanbevelen", "Niemand ziet wat je doet, nooit een bedankje", "gebrek_aan_waardering"),
    ("a28", "p28", "aanbevelen", "Geen enkele waardering van bovenaf", "gebrek_aan_waardering"),
    ("a29", "p01", "toegevoegde_waarde", "Klanten helpen met hun vragen", "klanten_helpen"),
    ("a30", "p02", "toegevoegde_waarde", "Je kunt de klant echt helpen", "klanten_helpen"),
    ("a31", "p03", "aanbevelen", "Het salaris is laag en het is erg druk", "salaris;werkdruk"),
    ("a32", "p04", "aanbevelen", "Leuk werk met fijne collega's", "leuk_werk;collegas"),
    ("a33", "p05", "aanbevelen", "Slechte beloning en veel stress", "salaris;werkdruk"),
    ("a34", "p06", "aanbevelen", "Geen idee", ""),
    ("a35", "p07", "aanbevelen", "Nee", ""),
    ("a36", "p08", "aanbevelen", "Misschien, dat weet ik niet", ""),
    ("a37", "p09", "toegevoegde_waarde", "Weet ik niet", ""),
    ("a38", "p10", "toegevoegde_waarde", "", ""),
    ("a39", "p11", "aanbevelen", "Het team is leuk en gezellig", "collegas;leuk_werk"),
    ("a40", "p12", "aanbevelen", "Hectische dagen voor een karige beloning", "salaris;werkdruk"),
]


def write_training_files(folder, answers=ANSWERS):
    """Write corpus.csv and labels.csv (long format, empty theme = no theme) into `folder`."""
    corpus, labels = folder / "train.csv", folder / "train.labels.csv"
    with corpus.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["id", "text", "question", "respondent_id"])
        for answer_id, respondent, question, text, _ in answers:
            writer.writerow([answer_id, text, question, respondent])
    with labels.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["id", "theme", "coder"])
        for answer_id, _, _, _, themes in answers:
            for theme in themes.split(";"):
                writer.writerow([answer_id, theme, "A"])
    return corpus, labels


def label_sets_of(answers=ANSWERS):
    return {a[0]: frozenset(t for t in a[4].split(";") if t) for a in answers}
