"""The tenancy rule of the SQL in sql/, checked on the parse tree (sqlglot, postgres dialect).

Tenant tables are the tables of db/schema.py with an "organizationId" column. In every query block
(SELECT, UPDATE, DELETE; CTEs and subqueries are blocks of their own):

* every tenant table is limited to organizations: a predicate on its "organizationId" (`= :org`,
  `= ANY(:ids)`, `IN (SELECT …)` …), or an "organizationId" equality with something that is (another
  tenant table, a CTE or subquery — which are checked as blocks themselves);
* two tenant tables in one block are joined on "organizationId" (`a."organizationId" = b."organizationId"`)
  or limited by the same expression (`a."organizationId" = :org AND b."organizationId" = :org`).

That is what keeps queries tenant-scoped today and co-located when tables are distributed by
"organizationId" (Citus, docs/scaling.md). INSERT … VALUES needs no filter (it writes its own row).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp

from prometric_pipelines.db.schema import metadata

TENANT_COLUMN = "organizationId"
TENANT_TABLES = frozenset(name for name, table in metadata.tables.items() if TENANT_COLUMN in table.columns)
BLOCKS = (exp.Select, exp.Update, exp.Delete)
# `:name` bind parameters (not `::type` casts) become placeholders sqlglot parses
BIND = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@dataclass(frozen=True)
class Finding:
    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


# COPY … FROM STDIN loads rows the job computed (like INSERT … VALUES): nothing to filter
COPY_IN = re.compile(r"^\s*COPY\b.*\bFROM\s+STDIN\b", re.IGNORECASE | re.DOTALL)
# sqlglot keeps `CREATE TEMP TABLE … ON COMMIT DROP AS <query>` as an opaque command: check its query
CREATE_AS = re.compile(r"^\s*CREATE\b[^;]*?\bAS\s*(\(?)\s*((?:WITH|SELECT)\b.*)$", re.IGNORECASE | re.DOTALL)
QUERY_WORDS = re.compile(r"\b(SELECT|UPDATE|DELETE)\b", re.IGNORECASE)


def check_sql(sql: str, source: str = "<sql>") -> list[Finding]:
    """Findings of one SQL text; a text sqlglot cannot parse is a finding too (unless it is a COPY load)."""
    sql = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())  # comments can hold any word
    if COPY_IN.match(sql):
        return []
    try:
        statements = sqlglot.parse(BIND.sub(r"'__bind_\1__'", sql), read="postgres")
    except sqlglot.errors.SqlglotError as error:
        return [Finding(source, f"cannot be parsed ({str(error).splitlines()[0]})")]
    findings: list[Finding] = []
    for statement in statements:
        if isinstance(statement, exp.Command):
            query = CREATE_AS.match(statement.sql())
            if query:
                body = query.group(2).rstrip()
                findings.extend(check_sql(body.removesuffix(")") if query.group(1) else body, source))
            elif QUERY_WORDS.search(statement.sql()):
                findings.append(Finding(source, "a query sqlglot keeps as an opaque command: not checked"))
            continue
        for block in statement.find_all(*BLOCKS) if statement is not None else ():
            findings.extend(Finding(source, message) for message in _check_block(block))
    return findings


def check_file(path: Path, root: Path) -> list[Finding]:
    return check_sql(path.read_text(encoding="utf-8"), str(path.relative_to(root)))


def _owner(node: exp.Expression) -> exp.Expression | None:
    """The query block a node belongs to (its nearest SELECT/UPDATE/DELETE ancestor)."""
    parent = node.parent
    while parent is not None and not isinstance(parent, BLOCKS):
        parent = parent.parent
    return parent


def _sources(block: exp.Expression) -> dict[str, str | None]:
    """alias → table name (None for CTEs, subqueries, functions) of the block's own FROM/JOIN/target."""
    sources: dict[str, str | None] = {}
    ctes = {cte.alias_or_name for cte in block.root().find_all(exp.CTE)}
    for table in block.find_all(exp.Table):
        if _owner(table) is not block or isinstance(table.parent, exp.Column) or _inserted_into(table):
            continue
        name = table.name
        alias = table.alias_or_name
        sources[alias] = None if name in ctes else name
    for subquery in block.find_all(exp.Subquery):
        if _owner(subquery) is block and subquery.alias:
            sources[subquery.alias] = None
    return sources


def _conjuncts(block: exp.Expression) -> list[exp.Expression]:
    conditions: list[exp.Expression] = []
    where = block.args.get("where")
    if where is not None:
        conditions.append(where.this)
    for join in block.args.get("joins") or []:
        if join.args.get("on") is not None:
            conditions.append(join.args["on"])
    parts: list[exp.Expression] = []
    for condition in conditions:
        parts.extend(condition.flatten() if isinstance(condition, exp.And) else [condition])
    return parts


def _tenant_columns(predicate: exp.Expression, block: exp.Expression, sources: dict[str, str | None]) -> list[str]:
    """Aliases whose "organizationId" the predicate mentions (the block's own columns only)."""
    aliases = []
    for column in predicate.find_all(exp.Column):
        if column.name != TENANT_COLUMN or _owner(column) is not block:
            continue
        alias = column.table or (next(iter(sources)) if len(sources) == 1 else "")
        if alias in sources:
            aliases.append(alias)
    return aliases


def _check_block(block: exp.Expression) -> list[str]:
    sources = _sources(block)
    tenants = sorted(alias for alias, name in sources.items() if name in TENANT_TABLES)
    if not tenants:
        return []
    parent = {alias: alias for alias in sources}

    def root(alias: str) -> str:
        while parent[alias] != alias:
            alias = parent[alias]
        return alias

    def union(a: str, b: str) -> None:
        parent[root(a)] = root(b)

    filtered: set[str] = set()
    filters: dict[str, list[str]] = {}  # the limiting expression (SQL text) → aliases it limits
    for predicate in _conjuncts(block):
        aliases = _tenant_columns(predicate, block, sources)
        if not aliases:
            continue
        if isinstance(predicate, exp.EQ) and len(aliases) == 2 and _both_sides_tenant(predicate):
            union(aliases[0], aliases[1])
            continue
        filtered.update(aliases)
        if isinstance(predicate, exp.EQ | exp.In) and len(aliases) == 1:
            other = (
                predicate.expression if isinstance(predicate, exp.EQ) else exp.Tuple(expressions=predicate.expressions)
            )
            filters.setdefault(other.sql(), []).append(aliases[0])
    # limited by the same expression: co-located as if joined on "organizationId"
    for aliases in filters.values():
        for alias in aliases[1:]:
            union(aliases[0], alias)

    problems = []
    for alias in tenants:
        group = [member for member in sources if root(member) == root(alias)]
        limited = any(member in filtered or sources[member] not in TENANT_TABLES for member in group)
        if not limited:
            problems.append(f'{sources[alias]} (as {alias}) is not limited by "{TENANT_COLUMN}"')
        elif len(tenants) > 1 and not any(other != alias for other in group if other in tenants):
            others = ", ".join(sources[o] for o in tenants if o != alias)
            problems.append(f'{sources[alias]} (as {alias}) is joined to {others} without a "{TENANT_COLUMN}" equality')
    return problems


def _both_sides_tenant(predicate: exp.EQ) -> bool:
    return all(
        isinstance(side, exp.Column) and side.name == TENANT_COLUMN for side in (predicate.this, predicate.expression)
    )


def _inserted_into(table: exp.Table) -> bool:
    """The target of an INSERT (a row written, not a table read)."""
    node: exp.Expression = table
    while node.parent is not None and not isinstance(node.parent, BLOCKS):
        if isinstance(node.parent, exp.Insert) and node.parent.this is node:
            return True
        node = node.parent
    return False
