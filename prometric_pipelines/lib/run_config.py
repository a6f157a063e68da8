"""Typed run configs: what every job's Launchpad takes, and how code builds it.

Every job config names its organizations the same way: `organization_ids` absent, null or empty means all
organizations (`validation.parse_organization_ids` turns all three into None); a list names them. Code never
writes the nested `{"ops": {op: {"config": …}}}` by hand: a domain's builder in `defs/<domain>/run_config.py`
returns a `dagster.RunConfig` from the typed config class (`ops_run_config`).
"""

from collections.abc import Iterable, Sequence

import dagster as dg
from pydantic import Field
from sqlalchemy.engine import Engine

from prometric_pipelines.metrics.isolated import resolve_organizations
from prometric_pipelines.validation import InvalidInput, check_run_config, parse_organization_ids


class OrganizationsConfig(dg.Config):
    """The part of every job's config that limits it to some organizations."""

    organization_ids: list[str] | None = Field(
        default=None, description="Organization UUIDs to run for; absent or empty: all organizations."
    )


def config_organizations(engine: Engine, config: OrganizationsConfig) -> list[str]:
    """The organizations the config names (each must exist), or every organization. An unknown one fails the
    step with one line in the UI and no retries."""
    try:
        return resolve_organizations(engine, check_run_config(parse_organization_ids, config.organization_ids))
    except InvalidInput as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None


def organization_list(organization_ids: Sequence[str] | None) -> list[str] | None:
    """The config value for these organizations: None (all) for None or an empty sequence."""
    return list(organization_ids) if organization_ids else None


def ops_run_config(op_names: Iterable[str], config: dg.Config) -> dg.RunConfig:
    """The same config for each of these ops (assets' ops), as a typed RunConfig."""
    return dg.RunConfig(ops={name: config for name in op_names})


def run_config_dict(run_config: dg.RunConfig | None) -> dict:
    """The plain form, to merge with other sections (the CLI's console logger): only the sections it sets, so an
    empty `loggers` of the RunConfig does not replace the caller's."""
    if run_config is None:
        return {}
    return {section: value for section, value in run_config.to_config_dict().items() if value}
