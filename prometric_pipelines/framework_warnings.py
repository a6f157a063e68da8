"""Dagster's notices about its own API maturity, kept off the terminal.

Dagster warns (`BetaWarning`, `PreviewWarning`) each time a definition uses a parameter it still calls
beta or preview, e.g. `backfill_policy=` or `pool=`: 7 lines on every `prometric run` and 14 in the
demo's output, all about Dagster, none actionable by an operator. They are ignored by category
wherever our definitions load (the CLI, `dagster dev`'s code server, tests); deprecation warnings stay
visible, since this project must not use deprecated APIs.
"""

from __future__ import annotations

import warnings


def quiet_framework_warnings() -> None:
    import dagster as dg

    for category in (dg.BetaWarning, dg.PreviewWarning):
        warnings.filterwarnings("ignore", category=category)
