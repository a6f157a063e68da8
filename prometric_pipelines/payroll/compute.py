"""The payroll arithmetic of ../shared/specs/payroll.md, vectorised over a batch of employees.

Money is in tiyn (1/100 tenge) as exact Python integers held in numpy object arrays: every
multiplication and division is integer arithmetic (no float anywhere), `_div_half_up` rounds
exactly, and nothing overflows however large a salary is. Numpy still loops in C, so a batch of
100,000 employees takes a fraction of a second.

Order (the spec's): gross → ОПВ → ВОСМС → taxable base (− deduction, floored at 0, 2025
adjustment) → ИПН → employer side (ОПВР, СО, ООСМС, СН). Every tax and contribution is rounded
to whole tenge, half up; basic salary and overtime pay to the tiyn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from prometric_pipelines.payroll.parameters import RATE_SCALE, YearParameters

TIYN = 100  # per tenge

# The breakdown lines, in payslip order: code -> kind. The position (1-based) also derives the
# line's id from its payroll row's id (run.py).
ITEM_CODES: dict[str, str] = {
    "BASIC": "earning",
    "OVERTIME": "earning",
    "OPV": "withholding",
    "VOSMS": "withholding",
    "IPN": "tax",
    "OPVR": "employer",
    "SO": "employer",
    "OOSMS": "employer",
    "SN": "employer",
}

# Input columns of `compute` (one row per employee to pay)
INPUT_COLUMNS = (
    "salary",  # monthly salary, tiyn
    "norm_days",  # working days of the month
    "paid_half_days",  # paid working days × 2 (a HALF_DAY costs one half)
    "overtime_centihours",  # Σ overtimeHours × 100
    "pensioner",
    "born_before_1975",
    "deduction_applies",  # resident and ipnDeduction
    "ytd_taxable",  # taxable income of earlier months of the year, tiyn
)


def _ints(values: object) -> np.ndarray:
    """Exact integers (Python ints in an object array) from any integer-valued column."""
    return np.array([int(v) for v in np.asarray(values).tolist()], dtype=object)


def _div_half_up(numerator: np.ndarray, denominator: object) -> np.ndarray:
    """numerator / denominator rounded half up, for numerator ≥ 0 and denominator > 0 (exact)."""
    return (2 * numerator + denominator) // (2 * denominator)


def _tenge(rate_scaled: int, base: np.ndarray) -> np.ndarray:
    """rate × base (tiyn) rounded to whole tenge half up, in tiyn."""
    return _div_half_up(base * rate_scaled, RATE_SCALE * TIYN) * TIYN


def _clamp(values: np.ndarray, low: int, high: int) -> np.ndarray:
    return np.minimum(np.maximum(values, low), high)


def compute(inputs: pd.DataFrame, p: YearParameters) -> pd.DataFrame:
    """One row per input row: every earning, withholding, tax and contribution, in tiyn.

    Columns out: basic, overtime, gross, opv, vosms, deduction, taxable (×RATE_SCALE, exact),
    ipn, ipn_low_base/ipn_high_base (×RATE_SCALE), opvr_base, opvr, so_base, so, oosms_base, oosms,
    sn_base, sn, net, opv_base, vosms_base.
    """
    count = len(inputs)
    zero = np.zeros(count, dtype=object)  # Python int 0s: keeps np.where results exact
    salary = _ints(inputs["salary"])
    norm = _ints(inputs["norm_days"])
    pensioner = inputs["pensioner"].to_numpy(dtype=bool)
    born_before_1975 = inputs["born_before_1975"].to_numpy(dtype=bool)
    deduction_applies = inputs["deduction_applies"].to_numpy(dtype=bool)
    mzp, mrp = p.mzp * TIYN, p.mrp * TIYN

    # earnings: salary × paid days / norm days; overtime hours × salary / (norm days × 8) × 1.5
    basic = _div_half_up(salary * _ints(inputs["paid_half_days"]), norm * 2)
    overtime = _div_half_up(salary * _ints(inputs["overtime_centihours"]) * 3, norm * 8 * 100 * 2)
    gross = basic + overtime

    # employee withholdings
    opv_base = np.where(pensioner, zero, np.minimum(gross, p.opv_cap_mzp * mzp))
    opv = _tenge(p.scaled(p.opv_rate), opv_base)
    vosms_base = np.minimum(gross, p.vosms_cap_mzp * mzp)
    vosms = _tenge(p.scaled(p.vosms_rate), vosms_base)

    # ИПН: taxable base kept scaled by RATE_SCALE so the 90% adjustment stays exact
    deduction = np.where(deduction_applies, p.deduction_mrp * mrp, 0) + zero
    taxable = np.maximum(gross - opv - vosms - deduction, 0) * RATE_SCALE
    if p.adjustment_limit_mrp is not None and p.adjustment_share is not None:
        adjusted = gross <= p.adjustment_limit_mrp * mrp
        taxable = np.where(adjusted, taxable * (RATE_SCALE - p.scaled(p.adjustment_share)) // RATE_SCALE, taxable)
    else:
        adjusted = np.zeros(count, dtype=bool)
    if p.ipn_threshold_mrp is not None and p.ipn_high_rate is not None:
        room = np.maximum(p.ipn_threshold_mrp * mrp - _ints(inputs["ytd_taxable"]), 0) * RATE_SCALE
        low_base = np.minimum(taxable, room)
        high_rate = p.scaled(p.ipn_high_rate)
    else:
        low_base, high_rate = taxable, 0
    high_base = taxable - low_base
    ipn = _div_half_up(low_base * p.scaled(p.ipn_rate) + high_base * high_rate, RATE_SCALE * RATE_SCALE * TIYN) * TIYN

    # employer side: floors at 1 МЗП apply to a month with income only (no income, no contribution)
    earned = gross > 0
    opvr_base = np.where(earned & ~pensioner & ~born_before_1975, _clamp(gross, mzp, p.opvr_cap_mzp * mzp), zero)
    opvr = _tenge(p.scaled(p.opvr_rate), opvr_base)
    so_base = np.where(earned, _clamp(gross - opv, mzp, p.so_cap_mzp * mzp), zero)
    so = _tenge(p.scaled(p.so_rate), so_base)
    oosms_base = np.minimum(gross, p.oosms_cap_mzp * mzp)
    oosms = _tenge(p.scaled(p.oosms_rate), oosms_base)
    sn_base = gross - opv - vosms
    if p.sn_minus_so:
        sn = _div_half_up(np.maximum(sn_base * p.scaled(p.sn_rate) - so * RATE_SCALE, 0), RATE_SCALE * TIYN) * TIYN
    else:
        sn = _tenge(p.scaled(p.sn_rate), sn_base)

    return pd.DataFrame(
        {
            "basic": basic,
            "overtime": overtime,
            "gross": gross,
            "opv_base": opv_base,
            "opv": opv,
            "vosms_base": vosms_base,
            "vosms": vosms,
            "deduction": deduction,
            "adjusted": adjusted,
            "taxable": taxable,
            "ipn_low_base": low_base,
            "ipn_high_base": high_base,
            "ipn": ipn,
            "opvr_base": opvr_base,
            "opvr": opvr,
            "so_base": so_base,
            "so": so,
            "oosms_base": oosms_base,
            "oosms": oosms,
            "sn_base": sn_base,
            "sn": sn,
            "net": gross - opv - vosms - ipn,
        },
        index=inputs.index,
    )
