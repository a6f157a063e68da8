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
    # `dagster dev` recommends its successor `dg dev` on every start; our `prometric ui` / demo start it
    # on purpose (dg needs a dg project layout), so that one notice is noise for the operator
    warnings.filterwarnings("ignore", message="Function `dev_command` is superseded", category=dg.SupersessionWarning)


def dagster_cli() -> None:
    """`python -m prometric_pipelines.framework_warnings dev …`: Dagster's command line with the filters
    above (what `prometric ui` and `prometric demo` start instead of `python -m dagster`)."""
    quiet_framework_warnings()
    from dagster._cli import main

    main()


if __name__ == "__main__":
    dagster_cli()
