#!/usr/bin/env python3
"""Reference households for the benefits engine, computed by PolicyEngine UK.

Run by hand (not in CI) when the rates or the households change:

    python3 -m venv /tmp/pe && /tmp/pe/bin/pip install policyengine-uk==2.162.10
    /tmp/pe/bin/python tests/benefits/make_reference.py > Tests/TownhallKernelTests/Fixtures/benefits-reference.json

Each household is written in the estimate API's input shape (docs/BENEFITS.md) with PolicyEngine's answer beside it,
so the Swift suite compares against it without PolicyEngine installed. The households are fixed by hand plus a seeded
generator: the file is the same on every run of the same PolicyEngine version.
"""
import json
import random
import sys
import time

PE_VERSION = "2.162.10"

TENURE = {
    "social_rent": "RENT_FROM_COUNCIL",
    "private_rent": "RENT_PRIVATELY",
    "owner_outright": "OWNED_OUTRIGHT",
    "owner_mortgage": "OWNED_WITH_MORTGAGE",
}
OUTPUTS = [
    "council_tax_reduction", "housing_benefit", "universal_credit", "pension_credit", "child_benefit",
    "carers_allowance", "winter_fuel_allowance", "benefit_cap_reduction",
]
FLAGS = {
    "eligible_housing_benefit": "housing_benefit_eligible",
    "eligible_universal_credit": "is_uc_eligible",
    "eligible_pension_credit": "is_pension_credit_eligible",
}


REGION = {"OXFORD": "SOUTH_EAST", "WESTMINSTER": "LONDON", "NEWHAM": "LONDON", "MERTON": "LONDON",
          "KINGSTON_UPON_THAMES": "LONDON"}


def person(pid, age, role="adult", unit=0, **kw):
    p = {"id": pid, "role": role, "age": age, "benefit_unit": unit}
    p.update(kw)
    return p


def situation(h):
    year = h["fiscal_year"][:4]
    people, units = {}, {}
    for p in h["people"]:
        d = {"age": {year: p["age"]}}
        # Say who the couple is: PolicyEngine otherwise presumes an adult 20 or more years younger is the claimant's child.
        d["is_claimant_or_partner"] = {year: p.get("role", "adult") == "adult"}
        for ours, theirs in [("employment_income", "employment_income"),
                             ("self_employment_income", "self_employment_income"),
                             ("private_pension", "private_pension_income"),
                             ("state_pension", "state_pension"),
                             ("care_hours_per_week", "care_hours")]:
            if p.get(ours):
                d[theirs] = {year: p[ours]}
        if p.get("hours_worked_per_week"):
            d["hours_worked"] = {year: p["hours_worked_per_week"] * 52}
        if p.get("lcwra"):
            d["uc_limited_capability_for_WRA"] = {year: True}
        for ours, theirs in [("pip_daily_living", "pip_dl_category"), ("pip_mobility", "pip_m_category"),
                             ("attendance_allowance", "aa_category"), ("dla_care", "dla_sc_category"),
                             ("dla_mobility", "dla_m_category")]:
            if p.get(ours, "none") != "none":
                d[theirs] = {year: p[ours].upper()}
        people[p["id"]] = d
        units.setdefault(p.get("benefit_unit", 0), []).append(p["id"])
    dw = h["dwelling"]
    adults_18 = sum(1 for p in h["people"] if p["age"] >= 18)
    household = {
        "members": [p["id"] for p in h["people"]],
        "tenure_type": {year: TENURE[dw["tenure"]]},
        "rent": {year: dw.get("rent_per_year", 0)},
        # PolicyEngine takes the bill as it stands; Townhall takes the gross charge and gives the single person discount.
        "council_tax": {year: round(dw["council_tax_gross"] * (0.75 if adults_18 == 1 else 1.0), 2)},
        "council_tax_band": {year: dw["council_tax_band"]},
        "local_authority": {year: h["council"]},
        # PolicyEngine's region defaults to London (its benefit cap, its rents): say it.
        "region": {year: REGION.get(h["council"], "NORTH_WEST")},
        "savings": {year: h.get("savings", 0)},
        "num_bedrooms": {year: dw.get("bedrooms", 1)},
    }
    if h.get("brma"):
        household["brma"] = {year: h["brma"]}
    return {
        "people": people,
        "benunits": {f"b{k}": {"members": v} for k, v in sorted(units.items())},
        "households": {"h": household},
    }


def households():
    hs = []

    def add(name, people, tenure="social_rent", rent=5200.0, band="B", ct=1697.91, savings=0.0,
            council="MANCHESTER", year="2025-26", brma=None, bedrooms=1):
        dw = {"tenure": tenure, "bedrooms": bedrooms, "council_tax_band": band, "council_tax_gross": ct}
        if tenure in ("social_rent", "private_rent"):
            dw["rent_per_year"] = rent
        h = {"name": name, "fiscal_year": year, "council": council, "dwelling": dw, "savings": savings,
             "people": people}
        if brma:
            h["brma"] = brma
        hs.append(h)

    # Pension age, by hand: the council's own calculations (HB, pension-age CTR) and Pension Credit.
    add("pensioner, new state pension only, owner", [person("a1", 75, state_pension=11973)], tenure="owner_outright")
    add("pensioner, low state pension, social rent", [person("a1", 80, state_pension=6000)])
    add("pensioner, no income, social rent", [person("a1", 70)])
    add("pensioner, private pension, social rent", [person("a1", 72, state_pension=11973, private_pension=4000)])
    add("pensioner, comfortable", [person("a1", 68, state_pension=11973, private_pension=20000)])
    add("pensioner, savings 12,000", [person("a1", 77, state_pension=9000)], savings=12000)
    add("pensioner, savings over the limit", [person("a1", 77, state_pension=9000)], savings=20000)
    add("pensioner couple, social rent", [person("a1", 74, state_pension=11973), person("a2", 72, state_pension=6000)],
        rent=6500, band="C", ct=1940.47)
    add("pensioner couple, owner, band D", [person("a1", 70, state_pension=11973), person("a2", 69, state_pension=11973)],
        tenure="owner_outright", band="D", ct=2182.78)
    add("pensioner, attendance allowance higher", [person("a1", 85, state_pension=9500, attendance_allowance="higher")])
    add("pensioner, attendance allowance lower", [person("a1", 82, state_pension=9500, attendance_allowance="lower")])
    add("pensioner, works part time", [person("a1", 67, state_pension=11973, employment_income=6000,
                                            hours_worked_per_week=12)])
    add("pensioner with a working non-dependant", [person("a1", 76, state_pension=8000),
                                                  person("n1", 40, unit=1, employment_income=30000,
                                                         hours_worked_per_week=37)], rent=6000)
    add("pensioner with a low-paid non-dependant", [person("a1", 76, state_pension=8000),
                                                   person("n1", 30, unit=1, employment_income=8000,
                                                          hours_worked_per_week=16)], rent=6000)
    add("pensioner, private rent", [person("a1", 79, state_pension=8500)], tenure="private_rent", rent=7800,
        brma="CENTRAL_GREATER_MANCHESTER")
    add("pensioner, 2026-27", [person("a1", 75, state_pension=12500)], year="2026-27", ct=1783.0)
    add("pensioner couple, 2026-27, no income", [person("a1", 75), person("a2", 70)], year="2026-27", ct=1783.0)
    add("pensioner, over 80, owner", [person("a1", 88, state_pension=7000)], tenure="owner_outright", band="E",
        ct=2667.84)
    # Working age, by hand: Universal Credit, Child Benefit, Carer's Allowance, the benefit cap.
    add("single, out of work, social rent", [person("a1", 30)])
    add("single under 25, out of work", [person("a1", 22)], rent=4500)
    add("single, part-time work", [person("a1", 35, employment_income=9000, hours_worked_per_week=16)])
    add("single, full-time low pay", [person("a1", 40, employment_income=20000, hours_worked_per_week=37)])
    add("lone parent, two children, out of work",
        [person("a1", 29), person("c1", 6, "child"), person("c2", 3, "child")], rent=7200, band="A", ct=1455.35)
    add("lone parent, one child, working",
        [person("a1", 33, employment_income=14000, hours_worked_per_week=25), person("c1", 9, "child")], rent=6800)
    add("couple, three children, one earner",
        [person("a1", 38, employment_income=26000, hours_worked_per_week=40), person("a2", 36),
         person("c1", 12, "child"), person("c2", 8, "child"), person("c3", 2, "child")],
        rent=8400, band="C", ct=1940.47, bedrooms=3)
    add("couple, five children, out of work (benefit cap)",
        [person("a1", 35), person("a2", 33)] + [person(f"c{i}", 2 * i, "child") for i in range(1, 6)],
        tenure="private_rent", rent=15600, band="C", ct=1940.47, bedrooms=4, brma="CENTRAL_GREATER_MANCHESTER")
    add("single, LCWRA", [person("a1", 45, lcwra=True, pip_daily_living="standard")])
    add("carer, 40 hours a week", [person("a1", 50, care_hours_per_week=40)])
    add("carer who also earns", [person("a1", 50, care_hours_per_week=40, employment_income=5000,
                                       hours_worked_per_week=8)])
    add("couple, both working", [person("a1", 31, employment_income=28000, hours_worked_per_week=37),
                                 person("a2", 30, employment_income=22000, hours_worked_per_week=30),
                                 person("c1", 1, "child")], tenure="owner_mortgage", band="C", ct=1940.47)
    add("high earner with children (child benefit charge not applied)",
        [person("a1", 45, employment_income=70000, hours_worked_per_week=40), person("c1", 10, "child")],
        tenure="owner_mortgage", band="E", ct=2667.84)
    add("single, savings 8,000", [person("a1", 40)], savings=8000)
    add("single, savings 17,000", [person("a1", 40)], savings=17000)
    add("self-employed single", [person("a1", 42, self_employment_income=12000, hours_worked_per_week=30)])
    add("working age, private rent", [person("a1", 27)], tenure="private_rent", rent=7200,
        brma="CENTRAL_GREATER_MANCHESTER")
    add("mixed-age couple", [person("a1", 70, state_pension=11973), person("a2", 60)], rent=6000)

    # Working age in the five councils whose own council tax reduction schemes PolicyEngine models.
    for council, ct in [("OXFORD", 2166.03), ("WESTMINSTER", 1003.41), ("NEWHAM", 1690.63), ("MERTON", 2107.93),
                        ("KINGSTON_UPON_THAMES", 2557.62)]:
        name = council.lower().replace("_", " ")
        add(f"{name}: single, out of work", [person("a1", 34)], council=council, ct=ct, rent=7800)
        add(f"{name}: single, part-time work", [person("a1", 41, employment_income=11000, hours_worked_per_week=20)],
            council=council, ct=ct, rent=7800)
        add(f"{name}: couple, two children, one earner",
            [person("a1", 36, employment_income=21000, hours_worked_per_week=37), person("a2", 35),
             person("c1", 7, "child"), person("c2", 4, "child")], council=council, ct=ct, rent=9600, band="C",
            bedrooms=2)
        add(f"{name}: owner with savings", [person("a1", 50, employment_income=9000, hours_worked_per_week=16)],
            council=council, ct=ct, tenure="owner_mortgage", savings=7000)

    # Seeded households across the rest of the space.
    rng = random.Random(2025)
    bands = [("A", 1455.35), ("B", 1697.91), ("C", 1940.47), ("D", 2182.78)]
    for i in range(30):
        pension = rng.random() < 0.5
        year = rng.choice(["2025-26", "2026-27"])
        tenure = rng.choice(["social_rent", "social_rent", "private_rent", "owner_outright", "owner_mortgage"])
        band, ct = rng.choice(bands)
        people = []
        if pension:
            people.append(person("a1", rng.randint(67, 90), state_pension=rng.choice([0, 6000, 9500, 11973]),
                                 private_pension=rng.choice([0, 0, 1500, 4000, 9000])))
            if rng.random() < 0.4:
                people.append(person("a2", rng.randint(66, 88), state_pension=rng.choice([0, 6000, 11973])))
        else:
            work = rng.random() < 0.6
            people.append(person("a1", rng.randint(19, 60),
                                 employment_income=rng.choice([6000, 12000, 18000, 24000]) if work else 0,
                                 hours_worked_per_week=rng.choice([12, 20, 30, 37]) if work else 0))
            if rng.random() < 0.5:
                people.append(person("a2", rng.randint(19, 60)))
            for c in range(rng.choice([0, 0, 1, 2, 3])):
                people.append(person(f"c{c + 1}", rng.randint(0, 15), "child"))
        if rng.random() < 0.25:
            people.append(person("n1", rng.randint(19, 50), unit=1,
                                 employment_income=rng.choice([0, 9000, 16000, 32000]),
                                 hours_worked_per_week=rng.choice([0, 16, 37])))
        add(f"generated {i + 1}", people, tenure=tenure, rent=rng.choice([4200, 5200, 6500, 8400]),
            band=band, ct=ct, savings=rng.choice([0, 0, 3000, 7000, 11000, 15000]), year=year,
            brma="CENTRAL_GREATER_MANCHESTER" if tenure == "private_rent" else None, bedrooms=rng.randint(1, 3))
    return hs


def main():
    from policyengine_uk import Simulation

    cases, seconds = [], 0.0
    for h in households():
        start = time.perf_counter()
        sim = Simulation(situation=situation(h))
        year = int(h["fiscal_year"][:4])
        out = {}
        family = [i for i, p in enumerate(h["people"]) if p.get("benefit_unit", 0) == 0]
        for v in OUTPUTS + list(FLAGS.values()):
            values = sim.calculate(v, year)
            # The claimant's family only: a non-dependant's own claims are not the estimate's.
            if sim.tax_benefit_system.variables[v].entity.key == "person":
                value = sum(values[i] for i in family)
            else:
                value = values[0]
            key = next((k for k, t in FLAGS.items() if t == v), v)
            out[key] = bool(value) if key in FLAGS else round(float(value), 2)
        seconds += time.perf_counter() - start
        cases.append({"input": h, "policyengine": out})
    json.dump({"policyengine_uk": PE_VERSION, "seconds_per_household": round(seconds / len(cases), 3),
               "households": cases}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
