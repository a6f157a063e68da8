"""Kazakhstan payroll parameters by year: one row per year (adding 2027 is one more row).

Amounts are whole tenge; rates are exact decimals (at most 4 places, checked below) so that the
computation can run in integers. Sources (docs/payroll.md lists them too):
* МЗП, МРП: the republican budget laws for 2025 (МЗП 85,000, МРП 3,932) and 2026-2028 (МЗП 85,000,
  МРП 4,325), as summarised by PwC Kazakhstan "Tax summaries" (rev. 2025-12 and 2026-02) and KGD
  (kgd.gov.kz) releases.
* ОПВ 10% capped at 50 МЗП: Law "On pension provision" Art. 25; ОПВР 2.5% (2025) / 3.5% (2026) of
  income between 1 and 50 МЗП: the same law as amended (ЕНПФ enpf.kz, "обязательные пенсионные
  взносы работодателя").
* ВОСМС 2% capped at 10 МЗП (2025) / 20 МЗП (2026), ООСМС 3% capped at 10 МЗП (2025) / 40 МЗП (2026):
  Law "On compulsory social health insurance" Art. 28, amended for 2026 (1c.kz 2026 release notes).
* СО 5% of (income − ОПВ) between 1 and 7 МЗП: Social Code Art. 244 (PwC 2025/2026).
* ИПН 10%; standard deduction 14 МРП (2025) and 30 МРП (2026); the 2025 90% adjustment
  (корректировка) for income up to 25 МРП: Tax Code of 2017 Art. 320/342; 2026: Tax Code of 2026
  (Law 214-VIII) — 15% on annual taxable income above 8,500 МРП, no adjustment.
* СН 11% minus СО (2025); 6% with no СО offset (2026): Tax Code 2017 Art. 484, Tax Code 2026 Art. 557.
* Rounding of taxes and contributions to whole tenge, half up: Tax Code 2026 Art. 204.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

RATE_SCALE = 10_000  # rates are handled as integer numerators over this (0.025 -> 250)


@dataclass(frozen=True)
class YearParameters:
    year: int
    mzp: int  # МЗП, minimum monthly wage, tenge
    mrp: int  # МРП, monthly calculation index, tenge
    opv_rate: Decimal  # employee pension, of min(G, opv_cap_mzp МЗП)
    opv_cap_mzp: int
    vosms_rate: Decimal  # employee health insurance, of min(G, vosms_cap_mzp МЗП)
    vosms_cap_mzp: int
    deduction_mrp: int  # standard deduction per month
    ipn_rate: Decimal
    # progressive ИПН: `ipn_high_rate` on year-to-date taxable income above `ipn_threshold_mrp` МРП
    ipn_high_rate: Decimal | None
    ipn_threshold_mrp: int | None
    # корректировка: when G ≤ `adjustment_limit_mrp` МРП the taxable base is reduced by `adjustment_share`
    adjustment_limit_mrp: int | None
    adjustment_share: Decimal | None
    opvr_rate: Decimal  # employer pension, of clamp(G, 1 МЗП, opvr_cap_mzp МЗП)
    opvr_cap_mzp: int
    so_rate: Decimal  # social contributions, of clamp(G − ОПВ, 1 МЗП, so_cap_mzp МЗП)
    so_cap_mzp: int
    oosms_rate: Decimal  # employer health insurance, of min(G, oosms_cap_mzp МЗП)
    oosms_cap_mzp: int
    sn_rate: Decimal  # social tax, of G − ОПВ − ВОСМС
    sn_minus_so: bool  # 2025: СН = max(0, 11% × base − СО)

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if isinstance(value, Decimal) and (value * RATE_SCALE) % 1:
                raise ValueError(f"{self.year} {name} {value} has more than 4 decimal places")

    @staticmethod
    def scaled(rate: Decimal) -> int:
        """A rate as an integer numerator over RATE_SCALE (exact, checked in __post_init__)."""
        return int(rate * RATE_SCALE)


PARAMETERS: dict[int, YearParameters] = {
    2025: YearParameters(
        year=2025,
        mzp=85_000,  # Law on the republican budget 2025-2027
        mrp=3_932,  # same
        opv_rate=Decimal("0.10"),
        opv_cap_mzp=50,
        vosms_rate=Decimal("0.02"),
        vosms_cap_mzp=10,
        deduction_mrp=14,  # Tax Code 2017 Art. 342
        ipn_rate=Decimal("0.10"),
        ipn_high_rate=None,
        ipn_threshold_mrp=None,
        adjustment_limit_mrp=25,  # Tax Code 2017 Art. 320 (income up to 25 МРП)
        adjustment_share=Decimal("0.90"),
        opvr_rate=Decimal("0.025"),  # ОПВР phase-in: 1.5% 2024, 2.5% 2025 (ЕНПФ)
        opvr_cap_mzp=50,
        so_rate=Decimal("0.05"),  # Social Code Art. 244
        so_cap_mzp=7,
        oosms_rate=Decimal("0.03"),
        oosms_cap_mzp=10,
        sn_rate=Decimal("0.11"),  # Tax Code 2017 Art. 484
        sn_minus_so=True,
    ),
    2026: YearParameters(
        year=2026,
        mzp=85_000,  # Law on the republican budget 2026-2028
        mrp=4_325,  # same
        opv_rate=Decimal("0.10"),
        opv_cap_mzp=50,
        vosms_rate=Decimal("0.02"),
        vosms_cap_mzp=20,  # cap raised from 10 to 20 МЗП in 2026 (1c.kz 2026 release notes)
        deduction_mrp=30,  # Tax Code 2026: basic deduction 30 МРП
        ipn_rate=Decimal("0.10"),
        ipn_high_rate=Decimal("0.15"),  # Tax Code 2026: above 8,500 МРП a year
        ipn_threshold_mrp=8_500,
        adjustment_limit_mrp=None,  # the 90% adjustment ends with the 2017 code
        adjustment_share=None,
        opvr_rate=Decimal("0.035"),  # ОПВР phase-in: 3.5% in 2026 (ЕНПФ)
        opvr_cap_mzp=50,
        so_rate=Decimal("0.05"),
        so_cap_mzp=7,
        oosms_rate=Decimal("0.03"),
        oosms_cap_mzp=40,  # cap raised to 40 МЗП (PwC 2026)
        sn_rate=Decimal("0.06"),  # Tax Code 2026 Art. 557, no СО offset
        sn_minus_so=False,
    ),
}


def parameters_for(year: int) -> YearParameters:
    """The year's row; a year without one is a clear error (add its row above)."""
    try:
        return PARAMETERS[year]
    except KeyError:
        known = ", ".join(str(y) for y in sorted(PARAMETERS))
        raise LookupError(f"no payroll parameters for {year} (known years: {known})") from None
