"""Draw the respondent skeleton of the bundled corpus: who answered what, with which target themes.

The answers themselves were then written to these targets and coded by hand
(see ../README.md). Run: python corpus/tools/skeleton.py OUT.csv
The seed is fixed, so the skeleton is reproducible.
"""

from __future__ import annotations

import csv
import random
import sys

SEED = 2020

# Published marginals (Olympia & KIRC, January 2020 whitepaper): 57% aged 45-65,
# 14% 35-44, 25% 18-34; almost 75% women; 74% MBO or higher.
AGE = {"18-24": 0.12, "25-34": 0.13, "35-44": 0.14, "45-54": 0.27, "55-65": 0.30, "65+": 0.04}
GENDER = {"vrouw": 0.75, "man": 0.24, "anders/zeg ik liever niet": 0.01}
EDUCATION = {"basis/vmbo": 0.26, "mbo": 0.40, "hbo": 0.26, "wo": 0.08}
# Autumn 2020 report: 43% of respondents work fully from home.
HOME = {"volledig": 0.43, "deels": 0.27, "nee": 0.30}

# Target shares per segment, calibrated to the reports' direction (not their tables).
TARGETS = {
    ("voorjaar-2020", "toegevoegde_waarde", ""): {
        "contact_met_klanten": .38, "mensen_helpen": .26, "problemen_oplossen": .16,
        "communicatieve_vaardigheden": .15, "visitekaartje": .14, "voldoening": .12,
        "persoonlijke_ontwikkeling": .13, "maatschappelijke_waarde": .05,
        "collegas_team": .07, "flexibiliteit": .08},
    ("najaar-2020", "toegevoegde_waarde", ""): {
        "mensen_helpen": .40, "contact_met_klanten": .20, "problemen_oplossen": .15,
        "communicatieve_vaardigheden": .13, "visitekaartje": .09, "voldoening": .14,
        "persoonlijke_ontwikkeling": .06, "maatschappelijke_waarde": .16,
        "collegas_team": .06, "flexibiliteit": .07, "corona": .10, "thuiswerken": .06},
    ("voorjaar-2020", "aanbevelen", "nee"): {
        "salaris": .42, "werkdruk": .27, "gebrek_aan_waardering": .22, "management": .16,
        "weinig_autonomie": .13, "lastige_klanten": .12, "focus_op_targets": .11,
        "opleiding_begeleiding": .09, "afstand_tot_opdrachtgever": .05, "imago": .07,
        "onzekerheid": .08},
    ("voorjaar-2020", "aanbevelen", "ja"): {
        "leuk_werk": .35, "mensen_helpen": .30, "contact_met_klanten": .15,
        "flexibiliteit": .18, "collegas_team": .12, "persoonlijke_ontwikkeling": .12,
        "voldoening": .10, "communicatieve_vaardigheden": .06, "problemen_oplossen": .05,
        "salaris": .14, "werkdruk": .06, "lastige_klanten": .06},
}
TARGETS[("najaar-2020", "aanbevelen", "nee")] = {
    **TARGETS[("voorjaar-2020", "aanbevelen", "nee")], "thuiswerken": .07, "corona": .05}
TARGETS[("najaar-2020", "aanbevelen", "ja")] = {
    **TARGETS[("voorjaar-2020", "aanbevelen", "ja")], "thuiswerken": .10,
    "maatschappelijke_waarde": .06, "corona": .04}
NO_THEME = {"toegevoegde_waarde": .07, "aanbevelen": .045}

LENGTH = {"1-5 woorden": .2, "6-20 woorden": .45, "21-45 woorden": .25, "46-80 woorden": .10}
NO_THEME_KIND = {"leeg": .3, "geen idee / weet niet": .25, "n.v.t. of -": .2, "off-topic": .25}

WAVES = {
    # respondents, answers to added value, answers to recommend (no, yes)
    "voorjaar-2020": (120, 105, (66, 44)),
    "najaar-2020": (246, 222, (147, 91)),
}


def pick(rng: random.Random, dist: dict[str, float]) -> str:
    return rng.choices(list(dist), weights=list(dist.values()))[0]


def assign_themes(rng: random.Random, n: int, question: str, probs: dict[str, float]) -> list[list[str]]:
    """Quota sampling: each theme goes to round(p * n) answers, so the published order holds exactly."""
    n_none = round(NO_THEME[question] * n)
    coded = list(range(n_none, n))
    sets: list[list[str]] = [[] for _ in range(n)]
    for theme, p in probs.items():
        for i in rng.sample(coded, min(len(coded), round(p * n))):
            sets[i].append(theme)
    # An answer meant to carry a theme takes one over from an answer that has several.
    for i in coded:
        if not sets[i]:
            donor = max(coded, key=lambda j: (len(sets[j]), rng.random()))
            sets[i].append(sets[donor].pop(rng.randrange(len(sets[donor]))))
    rng.shuffle(sets)
    return sets


def style(rng: random.Random, n_themes: int) -> str:
    bits = [pick(rng, LENGTH) if n_themes < 3 else pick(rng, {"21-45 woorden": .6, "46-80 woorden": .4})]
    bits.append(rng.choice(["informeel", "informeel", "formeel", "neutraal"]))
    for hint, p in [("typefouten", .25), ("geen hoofdletters", .3), ("negatie of voorwaarde", .2),
                    ("ironie", .05), ("noemt persoonlijk detail (voornaam of telefoonnummer)", .02)]:
        if rng.random() < p:
            bits.append(hint)
    return "; ".join(bits)


def main(out: str) -> None:
    rng = random.Random(SEED)
    rows = []
    for wave, (n_resp, n_tw, (n_no, n_yes)) in WAVES.items():
        prefix = "vj20" if wave.startswith("voorjaar") else "nj20"
        people = []
        for i in range(1, n_resp + 1):
            in_kcc = "ja" if rng.random() < 0.6 else "nee"
            people.append({
                "respondent_id": f"{prefix}-r{i:03d}",
                "leeftijd": pick(rng, AGE), "geslacht": pick(rng, GENDER),
                "opleiding": pick(rng, EDUCATION), "werkt_in_kcc": in_kcc,
                "thuiswerken": pick(rng, HOME) if wave.startswith("najaar") and in_kcc == "ja" else "",
            })
        answering_ab = rng.sample(people, n_no + n_yes)
        recs = ["nee"] * n_no + ["ja"] * n_yes
        rng.shuffle(recs)
        for person, rec in zip(answering_ab, recs):
            person["beveelt_aan"] = rec
        # Satisfaction means from the autumn report: in KCC 7.8 -> 7.4, outside 7.4 -> 6.6.
        for person in people:
            base = {("voorjaar-2020", "ja"): 7.8, ("voorjaar-2020", "nee"): 7.4,
                    ("najaar-2020", "ja"): 7.4, ("najaar-2020", "nee"): 6.6}[(wave, person["werkt_in_kcc"])]
            shift = {"ja": 0.6, "nee": -0.5}.get(person.get("beveelt_aan", ""), 0.0)
            person["tevredenheid"] = max(1, min(10, round(rng.gauss(base + shift, 1.2))))
        answering_tw = set(p["respondent_id"] for p in rng.sample(people, n_tw))
        segments: dict[tuple[str, str], list[dict]] = {}
        for person in people:
            if person["respondent_id"] in answering_tw:
                segments.setdefault(("toegevoegde_waarde", ""), []).append(person)
            if "beveelt_aan" in person:
                segments.setdefault(("aanbevelen", person["beveelt_aan"]), []).append(person)
        targets = {}
        for (question, rec), members in segments.items():
            sets = assign_themes(rng, len(members), question, TARGETS[(wave, question, rec)])
            for person, themes in zip(members, sets):
                targets[(person["respondent_id"], question)] = themes
        for person in people:
            for question in ("toegevoegde_waarde", "aanbevelen"):
                if (person["respondent_id"], question) not in targets:
                    continue
                themes = targets[(person["respondent_id"], question)]
                rows.append({
                    "id": f"{person['respondent_id']}-{'tw' if question == 'toegevoegde_waarde' else 'ab'}",
                    "wave": wave, "question": question, **person,
                    "beveelt_aan": person.get("beveelt_aan", ""),
                    "target_themes": ";".join(themes),
                    "style": style(rng, len(themes)) if themes else "geen thema: " + pick(rng, NO_THEME_KIND),
                })
    fields = ["id", "respondent_id", "wave", "question", "leeftijd", "geslacht", "opleiding",
              "werkt_in_kcc", "thuiswerken", "tevredenheid", "beveelt_aan", "target_themes", "style"]
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main(sys.argv[1])
