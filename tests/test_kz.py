"""Kazakhstan's holiday calendar and identifiers, against dates and digits worked out by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from prometric_pipelines import kz_calendar
from prometric_pipelines.generate import kz

D = dt.date


def test_2025_days_off_follow_the_carry_over_rule() -> None:
    assert sorted(kz_calendar.holidays(2025)) == [
        D(2025, 1, 1), D(2025, 1, 2), D(2025, 1, 7),
        D(2025, 3, 10),  # 8 March was a Saturday
        D(2025, 3, 21), D(2025, 3, 24), D(2025, 3, 25),  # Nauryz 22-23 fell on the weekend
        D(2025, 5, 1), D(2025, 5, 7), D(2025, 5, 9),
        D(2025, 6, 6),  # Kurban Ait
        D(2025, 7, 7),  # Capital Day on a Sunday
        D(2025, 9, 1),  # Constitution Day on a Saturday
        D(2025, 10, 27),  # Republic Day on a Saturday
        D(2025, 12, 16),
    ]  # fmt: skip


def test_religious_holidays_on_a_weekend_are_not_carried_over() -> None:
    days_2024 = kz_calendar.holidays(2024)
    assert D(2024, 1, 8) not in days_2024  # Orthodox Christmas on Sunday 7 January 2024
    assert D(2024, 6, 17) not in days_2024  # Kurban Ait on Sunday 16 June 2024
    assert D(2024, 3, 25) in days_2024 and D(2024, 7, 8) in days_2024  # Nauryz 23 Mar, 6 Jul: carried


def test_independence_day_and_republic_day_changed_in_2022() -> None:
    assert D(2021, 12, 17) in kz_calendar.holidays(2021) and D(2021, 10, 25) not in kz_calendar.holidays(2021)
    assert D(2023, 10, 25) in kz_calendar.holidays(2023) and D(2024, 12, 17) not in kz_calendar.holidays(2024)


def test_working_days_and_the_vectorised_mask_agree() -> None:
    assert len(kz_calendar.working_days(D(2025, 1, 1), D(2025, 12, 31))) == 261 - 15
    days = np.arange(np.datetime64("2018-01-01"), np.datetime64("2030-12-31"))
    mask = kz_calendar.working_day_mask(days)
    assert mask.tolist() == [kz_calendar.is_working_day(day.astype(dt.date)) for day in days]
    with pytest.raises(ValueError, match="2031"):
        kz_calendar.holidays(2031)


def test_bin_and_iin_control_digits() -> None:
    rng = np.random.default_rng(1)
    for _ in range(200):
        code = kz.make_bin(rng, D(2015, 3, 1))
        assert kz.is_valid_bin(code) and code[:6] == "150340"
        wrong = code[:11] + str((int(code[11]) + 1) % 10)
        assert not kz.is_valid_bin(wrong)
    iin = kz.make_iin(rng, D(1985, 6, 12), female=True)
    assert iin[:7] == "8506124" and kz.is_valid_bin(iin)  # 4: a woman born in the 20th century
    assert kz.make_iin(rng, D(2001, 2, 3), female=False)[:7] == "0102035"
    # control digit by hand: 1·1+2·2+…: 000740001307 → Σ i·d_i = 4·7+5·4+9·1+10·3 = 87, 87 mod 11 = 10 →
    # second weights 3..11,1,2: 6·7+7·4+11·1+1·3 = 84, 84 mod 11 = 7
    assert kz.is_valid_bin("000740001307") and not kz.is_valid_bin("000740001308")
    assert not kz.is_valid_bin("12345") and not kz.is_valid_bin("abcdefghijkl")


def test_ean13_check_digits() -> None:
    for code in kz.ean13(np.array([0, 1, 123_456_789])):
        body, check = code[:12], int(code[12])
        assert code.startswith("487")
        assert (sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(body)) + check) % 10 == 0
