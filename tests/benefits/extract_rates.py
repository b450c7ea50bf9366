#!/usr/bin/env python3
"""Writes the benefits engine's rates (Sources/Benefits/Resources) from PolicyEngine UK's parameter files.

    /tmp/pe/bin/python tests/benefits/extract_rates.py Sources/Benefits/Resources

The rates are data, one file per financial year, in pence (weekly unless the name says monthly or annual). PolicyEngine's
parameter files cite the up-rating orders and DWP's "Benefit and pension rates" tables they come from; each figure here
keeps the parameter path it was read from, so a reader can follow it to that citation. Figures PolicyEngine does not
hold are written by hand below, with their source.
"""
import csv
import gzip
import io
import json
import os
import sys

from policyengine_uk.system import system

YEARS = {"2025-26": "2025-04-07", "2026-27": "2026-04-07"}
# Not in PolicyEngine's parameters: HB/CTR's personal allowance for a dependent child (HB Regs 2006 Sch 3 para 2;
# Pension-age HB Regs Sch 3 para 2). 2025/26 from DWP "Benefit and pension rates 2025 to 2026"; 2026/27 is that
# figure up-rated by the September 2025 CPI (3.8%), to be confirmed against the 2026 up-rating order.
CHILD_ALLOWANCE = {"2025-26": 8466, "2026-27": 8788}


def pence(x):
    return int(round(float(x) * 100))


def rates(year, instant):
    P = system.parameters(instant)
    d = P.gov.dwp
    hb = d.housing_benefit
    pc = d.pension_credit
    uc = d.universal_credit
    ctr = P.gov.local_authorities.england.council_tax_reduction
    nd = hb.non_dep_deduction.amount
    tax = P.gov.hmrc.income_tax
    ni = P.gov.hmrc.national_insurance
    return {
        "fiscal_year": year,
        "source": "policyengine-uk 2.162.10 parameters at " + instant + " (gov.dwp, gov.hmrc, gov.local_authorities)",
        "state_pension_age": 66,
        "legacy": {
            "personal_allowance": {
                "single_under_25": pence(hb.allowances.single.younger),
                "single_25_or_over": pence(hb.allowances.single.older),
                "lone_parent": pence(hb.allowances.lone_parent.older),
                "lone_parent_under_18": pence(hb.allowances.lone_parent.younger),
                "couple": pence(hb.allowances.couple.older),
                "pension_single": pence(hb.allowances.single.aged_from_cutoff),
                "pension_couple": pence(hb.allowances.couple.aged_from_cutoff),
                "pension_single_before_cutoff": pence(hb.allowances.single.aged),
                "pension_couple_before_cutoff": pence(hb.allowances.couple.aged),
            },
            "pension_allowance_cutoff": "2021-04-01",
            "child_allowance": CHILD_ALLOWANCE[year],
            "premiums": {
                "disabled_child": pence(hb.premiums.disabled_child),
                "enhanced_disabled_child": pence(hb.premiums.enhanced_disabled_child),
                "disability_single": pence(d.disability_premia.disability_single),
                "disability_couple": pence(d.disability_premia.disability_couple),
                "enhanced_disability_single": pence(d.disability_premia.enhanced_single),
                "enhanced_disability_couple": pence(d.disability_premia.enhanced_couple),
                "severe_disability_single": pence(d.disability_premia.severe_single),
                "severe_disability_couple": pence(d.disability_premia.severe_couple),
                "carer": pence(d.carer_premium.single),
            },
            "earnings_disregard": {
                "single": pence(hb.means_test.income_disregard.single),
                "couple": pence(hb.means_test.income_disregard.couple),
                "lone_parent": pence(hb.means_test.income_disregard.lone_parent),
                "special": pence(hb.means_test.income_disregard.special),
                "additional_worker": pence(hb.means_test.income_disregard.worker),
            },
            "capital_limit": pence(hb.means_test.capital.pension_age.limit),
            "tariff_pension": {"threshold": pence(hb.means_test.capital.pension_age.tariff_income.threshold),
                               "step": pence(hb.means_test.capital.pension_age.tariff_income.step)},
            "tariff_working_age": {"threshold": pence(hb.means_test.capital.working_age.tariff_income.threshold),
                                   "step": pence(hb.means_test.capital.working_age.tariff_income.step)},
            "hb_taper_percent": round(float(hb.means_test.withdrawal_rate) * 100),
            "ctr_taper_percent": round(float(ctr.pensioners.means_test.withdrawal_rate) * 100),
            "hb_minimum_award": pence(hb.minimum_weekly_amount),
            "remunerative_work_hours": int(hb.non_dep_deduction.remunerative_work_hours),
            "non_dependant_deductions": [
                {"from": pence(t), "deduction": pence(a)} for t, a in zip(nd.thresholds, nd.amounts)
            ],
        },
        "pension_credit": {
            "guarantee_single": pence(pc.guarantee_credit.minimum_guarantee.SINGLE),
            "guarantee_couple": pence(pc.guarantee_credit.minimum_guarantee.COUPLE),
            "severe_disability": pence(pc.guarantee_credit.severe_disability.addition),
            "carer": pence(pc.guarantee_credit.carer.addition),
            "child": pence(pc.guarantee_credit.child.addition),
            "child_first_before_2017": pence(pc.guarantee_credit.child.first.addition),
            "disabled_child": pence(pc.guarantee_credit.child.disability.addition),
            "severely_disabled_child": pence(pc.guarantee_credit.child.disability.severe.addition),
            "savings_threshold_single": pence(pc.savings_credit.threshold.SINGLE),
            "savings_threshold_couple": pence(pc.savings_credit.threshold.COUPLE),
            "savings_phase_in_percent": round(float(pc.savings_credit.rate.phase_in) * 100),
            "savings_phase_out_percent": round(float(pc.savings_credit.rate.phase_out) * 100),
            "savings_credit_born_before": "1951-04-06",
            "earnings_disregard_single": pence(pc.earnings_disregard.standard.SINGLE),
            "earnings_disregard_couple": pence(pc.earnings_disregard.standard.COUPLE),
            "tariff": {"threshold": pence(pc.income.capital.lower_threshold),
                       "step": pence(pc.income.capital.tariff_income.step)},
        },
        "universal_credit": {
            "standard_single_under_25": pence(uc.standard_allowance.amount.SINGLE_YOUNG),
            "standard_single_25_or_over": pence(uc.standard_allowance.amount.SINGLE_OLD),
            "standard_couple_under_25": pence(uc.standard_allowance.amount.COUPLE_YOUNG),
            "standard_couple_25_or_over": pence(uc.standard_allowance.amount.COUPLE_OLD),
            "child": pence(uc.elements.child.amount),
            "child_first_before_2017": pence(uc.elements.child.first.higher_amount),
            "two_child_limit": float(uc.elements.child.limit.child_count) != float("inf"),
            "disabled_child": pence(uc.elements.child.disabled.amount),
            "severely_disabled_child": pence(uc.elements.child.severely_disabled.amount),
            "lcwra": pence(uc.elements.disabled.amount),
            "carer": pence(uc.elements.carer.amount),
            "work_allowance_with_housing": pence(uc.means_test.work_allowance.with_housing),
            "work_allowance_without_housing": pence(uc.means_test.work_allowance.without_housing),
            "taper_percent": round(float(uc.means_test.reduction_rate) * 100),
            "capital_limit": pence(uc.means_test.capital.limit),
            "tariff": {"threshold": pence(uc.means_test.capital.tariff_income.threshold),
                       "step": pence(uc.means_test.capital.tariff_income.step),
                       "amount": pence(uc.means_test.capital.tariff_income.amount)},
            "non_dependant_deduction": pence(uc.elements.housing.non_dep_deduction.amount),
        },
        "minimum_wage": {"hourly_21_or_over": pence(P.gov.hmrc.minimum_wage.non_apprentice.amounts[2]),
                         "universal_credit_expected_hours": int(uc.work_requirements.default_expected_hours)},
        "child_benefit": {"eldest": pence(P.gov.hmrc.child_benefit.amount.eldest),
                          "additional": pence(P.gov.hmrc.child_benefit.amount.additional)},
        "carers_allowance": {"rate": pence(d.carers_allowance.rate),
                             "earnings_limit": pence(d.carers_allowance.earnings_limit),
                             "hours": int(d.carers_allowance.min_hours)},
        "winter_fuel": {"under_80": pence(d.winter_fuel_payment.amount.lower),
                        "over_80": pence(d.winter_fuel_payment.amount.higher),
                        "under_80_shared": pence(d.winter_fuel_payment.amount.lower_shared),
                        "over_80_shared_with_over_80": pence(d.winter_fuel_payment.amount.higher_shared_with_80_or_over),
                        "over_80_shared_with_under_80": pence(d.winter_fuel_payment.amount.higher_shared_with_under_80)},
        "benefit_cap": {"single": pence(d.benefit_cap.single.outside_london),
                        "family": pence(d.benefit_cap.non_single.outside_london),
                        "single_london": pence(d.benefit_cap.single.in_london),
                        "family_london": pence(d.benefit_cap.non_single.in_london),
                        "earnings_exemption_hours": int(uc.benefit_cap.earnings_exception.hours)},
        "income_tax": {"personal_allowance": pence(tax.allowances.personal_allowance.amount),
                       "basic_rate_band": pence(tax.rates.uk.thresholds[1]),
                       "higher_rate_band": pence(tax.rates.uk.thresholds[2]),
                       "basic_percent": round(float(tax.rates.uk.rates[0]) * 100),
                       "higher_percent": round(float(tax.rates.uk.rates[1]) * 100),
                       "additional_percent": round(float(tax.rates.uk.rates[2]) * 100)},
        "national_insurance": {"primary_threshold": pence(ni.class_4.thresholds.lower_profits_limit),
                               "upper_earnings_limit": pence(ni.class_4.thresholds.upper_profits_limit),
                               "class_1_main_percent": round(float(ni.class_1.rates.employee.main) * 100),
                               "class_1_upper_percent": round(float(ni.class_1.rates.employee.additional) * 100),
                               "class_4_lower": pence(ni.class_4.thresholds.lower_profits_limit),
                               "class_4_upper": pence(ni.class_4.thresholds.upper_profits_limit),
                               "class_4_main_percent": round(float(ni.class_4.rates.main) * 100),
                               "class_4_upper_percent": round(float(ni.class_4.rates.additional) * 100)},
    }


# The working-age council tax reduction schemes PolicyEngine models, as worked configurations of Townhall's scheme
# settings (each council sets its own under LGFA 1992 s13A and Sch 1A). GSS codes name them.
SCHEMES = {"E07000178": "oxford", "E09000033": "westminster", "E09000025": "newham", "E09000024": "merton",
           "E09000021": "kingston_upon_thames"}


def schemes(P, legacy):
    out = {"default": {
        "name": "Default scheme (SI 2012/2886)", "maximum_percent": 100, "taper_percent": legacy["ctr_taper_percent"],
        "capital_limit": legacy["capital_limit"], "tariff": legacy["tariff_working_age"],
        "non_dependant_deductions": legacy["non_dependant_deductions"]}}
    for gss, key in SCHEMES.items():
        c = getattr(P.gov.local_authorities, key).council_tax_reduction
        m = c.means_test
        nd = c.non_dep_deduction.amount
        s = {"name": key.replace("_", " ").title() + " working-age scheme",
             "capital_limit": pence(m.capital_limit),
             "non_dependant_deductions": [{"from": pence(t), "deduction": pence(a)} for t, a in zip(nd.thresholds, nd.amounts)]}
        children = m._children if hasattr(m, "_children") else {}
        s["tariff"] = ({"threshold": pence(m.tariff_income_threshold), "step": pence(m.tariff_income_step)}
                       if "tariff_income_step" in children else None)
        if key == "oxford":
            b = c.income_band.maximum_support_rate
            s["maximum_percent"] = 100
            s["taper_percent"] = 0
            s["income_bands"] = [{"from": pence(t), "percent": round(float(r) * 100)} for t, r in zip(b.thresholds, b.amounts)]
        else:
            s["maximum_percent"] = round(float(c.maximum_support_rate) * 100)
            s["taper_percent"] = round(float(m.withdrawal_rate) * 100)
        out[gss] = s
    return out


def lha(out):
    path = os.path.join(os.path.dirname(__import__("policyengine_uk").__file__),
                        "parameters/gov/dwp/LHA/lha_published_rates.csv.gz")
    rows = list(csv.DictReader(io.TextIOWrapper(gzip.open(path), encoding="utf-8")))
    with open(os.path.join(out, "lha-rates.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["year", "brma", "category", "weekly", "uc_monthly"])
        for r in rows:
            if r["year"] in ("2025", "2026") and r["rate"]:
                w.writerow([r["year"], r["brma"], r["lha_category"], r["rate"], r["uc_rate"]])


def main():
    out = sys.argv[1]
    for year, instant in YEARS.items():
        r = rates(year, instant)
        r["council_tax_reduction_schemes"] = schemes(system.parameters(instant), r["legacy"])
        with open(os.path.join(out, f"rates-{year}.json"), "w") as f:
            json.dump(r, f, indent=1, sort_keys=True)
            f.write("\n")
    lha(out)


if __name__ == "__main__":
    main()
