"""Worked examples of the payroll arithmetic, computed by hand from ../shared/specs/payroll.md.

Each case states the inputs and derives every component in the comments; the assertions compare
all of them (in tenge) with `compute`. 2025: МЗП 85,000, МРП 3,932 (deduction 14 МРП = 55,048;
adjustment limit 25 МРП = 98,300). 2026: МЗП 85,000, МРП 4,325 (deduction 30 МРП = 129,750;
ИПН threshold 8,500 МРП = 36,762,500). Rounding: whole tenge, half up.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from prometric_pipelines.payroll.compute import compute
from prometric_pipelines.payroll.parameters import PARAMETERS, YearParameters, parameters_for

COMPONENTS = ("gross", "opv", "vosms", "ipn", "net", "opvr", "so", "oosms", "sn")


def run_one(
    year: int,
    salary: str,
    *,
    norm_days: int = 20,
    paid_days: Decimal | int | None = None,
    overtime_hours: str = "0",
    pensioner: bool = False,
    born_before_1975: bool = False,
    deduction: bool = True,
    ytd_taxable: str = "0",
) -> dict[str, Decimal]:
    paid = Decimal(norm_days if paid_days is None else paid_days)
    frame = pd.DataFrame(
        {
            "salary": [int(Decimal(salary) * 100)],
            "norm_days": [norm_days],
            "paid_half_days": [int(paid * 2)],
            "overtime_centihours": [int(Decimal(overtime_hours) * 100)],
            "pensioner": [pensioner],
            "born_before_1975": [born_before_1975],
            "deduction_applies": [deduction],
            "ytd_taxable": [int(Decimal(ytd_taxable) * 100)],
        }
    )
    row = compute(frame, parameters_for(year)).iloc[0]
    out = {name: Decimal(int(row[name])) / 100 for name in (*COMPONENTS, "basic", "overtime", "deduction")}
    out["taxable"] = Decimal(int(row["taxable"])) / 100 / 10_000
    return out


def assert_components(actual: dict[str, Decimal], **expected: str) -> None:
    assert {k: actual[k] for k in expected} == {k: Decimal(v) for k, v in expected.items()}


def test_ordinary_salary_2025():
    # G = 500,000; ОПВ = 10% × 500,000 = 50,000; ВОСМС = 2% × min(500,000, 10 × 85,000) = 10,000
    # B = 500,000 − 50,000 − 10,000 − 55,048 = 384,952 (G > 98,300: no adjustment); ИПН = 38,495.2 → 38,495
    # net = 500,000 − 60,000 − 38,495 = 401,505
    # ОПВР = 2.5% × 500,000 = 12,500; СО = 5% × clamp(450,000; 85,000; 595,000) = 22,500
    # ООСМС = 3% × 500,000 = 15,000; СН = 11% × 440,000 − 22,500 = 48,400 − 22,500 = 25,900
    r = run_one(2025, "500000")
    assert_components(
        r, gross="500000", opv="50000", vosms="10000", deduction="55048", taxable="384952", ipn="38495",
        net="401505", opvr="12500", so="22500", oosms="15000", sn="25900",
    )  # fmt: skip


def test_ordinary_salary_2026():
    # ОПВ 50,000; ВОСМС = 2% × min(500,000, 20 × 85,000) = 10,000; B = 500,000 − 60,000 − 129,750 = 310,250
    # ИПН = 10% (year to date far below 8,500 МРП) = 31,025; net = 500,000 − 60,000 − 31,025 = 408,975
    # ОПВР = 3.5% × 500,000 = 17,500; СО = 5% × 450,000 = 22,500; ООСМС = 3% × 500,000 = 15,000
    # СН = 6% × 440,000 = 26,400 (no СО offset in 2026)
    r = run_one(2026, "500000")
    assert_components(
        r, gross="500000", opv="50000", vosms="10000", deduction="129750", taxable="310250", ipn="31025",
        net="408975", opvr="17500", so="22500", oosms="15000", sn="26400",
    )  # fmt: skip


def test_low_salary_2025_gets_the_90_percent_adjustment_and_so_at_its_floor():
    # G = 90,000 ≤ 25 МРП (98,300): adjustment. ОПВ 9,000; ВОСМС 1,800
    # B = 90,000 − 10,800 − 55,048 = 24,152 → reduced by 90% → 2,415.20; ИПН = 241.52 → 242
    # net = 90,000 − 10,800 − 242 = 78,958
    # ОПВР = 2.5% × clamp(90,000; 85,000; …) = 2,250; СО = 5% × clamp(81,000 → floor 85,000) = 4,250
    # ООСМС = 3% × 90,000 = 2,700; СН = 11% × 79,200 − 4,250 = 8,712 − 4,250 = 4,462
    r = run_one(2025, "90000")
    assert_components(
        r, gross="90000", opv="9000", vosms="1800", taxable="2415.2", ipn="242", net="78958",
        opvr="2250", so="4250", oosms="2700", sn="4462",
    )  # fmt: skip


def test_low_salary_2026_pays_no_ipn():
    # G = 100,000: ОПВ 10,000; ВОСМС 2,000; B = 100,000 − 12,000 − 129,750 < 0 → 0; ИПН 0; no adjustment in 2026
    # net = 88,000; ОПВР = 3.5% × 100,000 = 3,500; СО = 5% × 90,000 = 4,500; ООСМС 3,000; СН = 6% × 88,000 = 5,280
    r = run_one(2026, "100000")
    assert_components(
        r, gross="100000", opv="10000", vosms="2000", taxable="0", ipn="0", net="88000",
        opvr="3500", so="4500", oosms="3000", sn="5280",
    )  # fmt: skip


def test_salary_above_the_caps_2025_and_so_at_its_ceiling():
    # G = 5,000,000. ОПВ = 10% × 50 МЗП (4,250,000) = 425,000; ВОСМС = 2% × 10 МЗП (850,000) = 17,000
    # B = 5,000,000 − 442,000 − 55,048 = 4,502,952; ИПН = 450,295.2 → 450,295; net = 5,000,000 − 442,000 − 450,295
    # ОПВР = 2.5% × 4,250,000 = 106,250; СО = 5% × 7 МЗП (595,000) = 29,750 (ceiling)
    # ООСМС = 3% × 850,000 = 25,500; СН = 11% × 4,558,000 − 29,750 = 501,380 − 29,750 = 471,630
    r = run_one(2025, "5000000")
    assert_components(
        r, gross="5000000", opv="425000", vosms="17000", ipn="450295", net="4107705",
        opvr="106250", so="29750", oosms="25500", sn="471630",
    )  # fmt: skip


def test_salary_above_the_caps_2026():
    # ОПВ = 425,000; ВОСМС = 2% × 20 МЗП (1,700,000) = 34,000; ООСМС = 3% × 40 МЗП (3,400,000) = 102,000
    # B = 5,000,000 − 459,000 − 129,750 = 4,411,250; ИПН = 441,125; net = 5,000,000 − 459,000 − 441,125 = 4,099,875
    # ОПВР = 3.5% × 4,250,000 = 148,750; СО = 29,750; СН = 6% × 4,541,000 = 272,460
    r = run_one(2026, "5000000")
    assert_components(
        r, gross="5000000", opv="425000", vosms="34000", taxable="4411250", ipn="441125", net="4099875",
        opvr="148750", so="29750", oosms="102000", sn="272460",
    )  # fmt: skip


def test_crossing_the_8500_mrp_threshold_in_2026_taxes_only_the_excess_at_15_percent():
    # year to date before the month: 34,000,000; room below 36,762,500: 2,762,500
    # B = 4,411,250 (as above): 2,762,500 × 10% = 276,250; (4,411,250 − 2,762,500 = 1,648,750) × 15% = 247,312.5
    # ИПН = 523,562.5 → 523,563 (rounded once, half up); net = 5,000,000 − 459,000 − 523,563 = 4,017,437
    r = run_one(2026, "5000000", ytd_taxable="34000000")
    assert_components(r, ipn="523563", net="4017437", opv="425000", vosms="34000", sn="272460")
    # already above the threshold: everything at 15% = 661,687.5 → 661,688
    above = run_one(2026, "5000000", ytd_taxable="40000000")
    assert_components(above, ipn="661688", net=str(5_000_000 - 459_000 - 661_688))


def test_pensioner_pays_no_opv_and_the_employer_no_opvr():
    # 2026, G = 300,000, pensioner: ОПВ 0; ВОСМС 6,000; B = 300,000 − 6,000 − 129,750 = 164,250; ИПН 16,425
    # net = 300,000 − 6,000 − 16,425 = 277,575; ОПВР 0; СО = 5% × 300,000 = 15,000; ООСМС 9,000
    # СН = 6% × 294,000 = 17,640
    r = run_one(2026, "300000", pensioner=True)
    assert_components(
        r, gross="300000", opv="0", vosms="6000", ipn="16425", net="277575", opvr="0", so="15000",
        oosms="9000", sn="17640",
    )  # fmt: skip


def test_born_before_1975_only_drops_opvr():
    # 2026, G = 300,000: ОПВ 30,000; ВОСМС 6,000; B = 300,000 − 36,000 − 129,750 = 134,250; ИПН 13,425
    # net = 300,000 − 36,000 − 13,425 = 250,575; ОПВР 0; СО = 5% × 270,000 = 13,500; ООСМС 9,000
    # СН = 6% × 264,000 = 15,840
    r = run_one(2026, "300000", born_before_1975=True)
    assert_components(
        r, opv="30000", vosms="6000", ipn="13425", net="250575", opvr="0", so="13500", oosms="9000", sn="15840"
    )


def test_non_resident_gets_no_standard_deduction():
    # 2026, G = 300,000: B = 300,000 − 36,000 (no deduction) = 264,000; ИПН 26,400; net = 300,000 − 36,000 − 26,400
    # ОПВР = 3.5% × 300,000 = 10,500; СО 13,500; ООСМС 9,000; СН 15,840
    r = run_one(2026, "300000", deduction=False)
    assert_components(
        r, deduction="0", taxable="264000", ipn="26400", net="237600", opvr="10500", so="13500", sn="15840"
    )


def test_hire_on_the_15th_prorates_by_working_days():
    # January 2026: 19 working days (22 weekdays − 1, 2 and 7 January); hired Thursday 15th: 12 of them
    # basic = 600,000 × 12 / 19 = 378,947.368… → 378,947.37
    # ОПВ = 37,894.737 → 37,895; ВОСМС = 7,578.947 → 7,579; B = 378,947.37 − 45,474 − 129,750 = 203,723.37
    # ИПН = 20,372.337 → 20,372; net = 378,947.37 − 45,474 − 20,372 = 313,101.37
    # ОПВР = 3.5% × 378,947.37 = 13,263.158 → 13,263; СО = 5% × 341,052.37 = 17,052.62 → 17,053
    # ООСМС = 3% × 378,947.37 = 11,368.42 → 11,368; СН = 6% × 333,473.37 = 20,008.40 → 20,008
    r = run_one(2026, "600000", norm_days=19, paid_days=12)
    assert_components(
        r, basic="378947.37", gross="378947.37", opv="37895", vosms="7579", ipn="20372", net="313101.37",
        opvr="13263", so="17053", oosms="11368", sn="20008",
    )  # fmt: skip


def test_three_unpaid_days():
    # February 2026: 20 working days, 3 unpaid → 17 paid: basic = 400,000 × 17 / 20 = 340,000
    # ОПВ 34,000; ВОСМС 6,800; B = 340,000 − 40,800 − 129,750 = 169,450; ИПН 16,945; net = 282,255
    # ОПВР = 3.5% × 340,000 = 11,900; СО = 5% × 306,000 = 15,300; ООСМС 10,200; СН = 6% × 299,200 = 17,952
    r = run_one(2026, "400000", norm_days=20, paid_days=17)
    assert_components(
        r, basic="340000", opv="34000", vosms="6800", ipn="16945", net="282255", opvr="11900", so="15300",
        oosms="10200", sn="17952",
    )  # fmt: skip


def test_overtime_at_one_and_a_half_and_half_up_rounding():
    # February 2026, 400,000, 10 h overtime: hourly = 400,000 / (20 × 8) = 2,500; overtime = 10 × 2,500 × 1.5 = 37,500
    # G = 437,500; ОПВ 43,750; ВОСМС 8,750; B = 437,500 − 52,500 − 129,750 = 255,250; ИПН 25,525
    # net = 437,500 − 52,500 − 25,525 = 359,475
    # ОПВР = 3.5% × 437,500 = 15,312.5 → 15,313 (half up); СО = 5% × 393,750 = 19,687.5 → 19,688 (half up)
    # ООСМС = 3% × 437,500 = 13,125; СН = 6% × 385,000 = 23,100
    r = run_one(2026, "400000", norm_days=20, overtime_hours="10")
    assert_components(
        r, basic="400000", overtime="37500", gross="437500", opv="43750", vosms="8750", ipn="25525",
        net="359475", opvr="15313", so="19688", oosms="13125", sn="23100",
    )  # fmt: skip


def test_half_day_and_no_income_month():
    # 18.5 paid days of 20: basic = 400,000 × 18.5 / 20 = 370,000
    assert run_one(2026, "400000", paid_days=Decimal("18.5"))["basic"] == Decimal("370000")
    # a month with no paid day: nothing earned, and no floor-based employer contribution either
    r = run_one(2026, "400000", paid_days=0)
    assert all(r[name] == 0 for name in COMPONENTS), r


def test_exact_integers_for_huge_salaries():
    # 9,999,999,999,999.99 (the numeric(15,2) maximum) with overtime would overflow int64 tiyn products;
    # exact integers keep the rule: ОПВ is still 10% of 50 МЗП
    r = run_one(2026, "9999999999999.99", overtime_hours="999.99")
    assert r["opv"] == Decimal("425000") and r["vosms"] == Decimal("34000")
    assert r["net"] == r["gross"] - r["opv"] - r["vosms"] - r["ipn"]


def test_parameter_table_rows_and_clear_error_for_an_unknown_year():
    assert sorted(PARAMETERS) == [2025, 2026]
    assert PARAMETERS[2025].mrp == 3_932 and PARAMETERS[2026].mrp == 4_325
    with pytest.raises(LookupError, match="no payroll parameters for 2024"):
        parameters_for(2024)
    with pytest.raises(ValueError, match="more than 4 decimal places"):
        YearParameters(**{**vars(PARAMETERS[2026]), "year": 2027, "so_rate": Decimal("0.05001")})
