"""Secret shapes are masked in every place an audit value leaves the database (issue 19.6): the audit
query (`prometric audit query`, live rows), the Parquet archive, and the dashboards' Audit page; the
reader cannot read a password hash out of `audit_logs`; deeply nested values (issue 18) neither crash
the archive nor the query."""

from __future__ import annotations

import datetime as dt
import json
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from prometric_pipelines.audit.archive import archive_audit_logs
from prometric_pipelines.audit.export import mask_json_column
from prometric_pipelines.audit.query import AuditFilters, query_audit_logs
from prometric_pipelines.audit.storage import Archive
from prometric_pipelines.config import PROJECT_ROOT
from prometric_pipelines.db.engine import create_db_engine
from prometric_pipelines.db.roles import READER_ROLE
from prometric_pipelines.db.tenancy import AUDIT_CREDENTIAL_PATTERN, read_tenant_key, tenant_session
from prometric_pipelines.generate.run import DEMO_PASSWORD
from prometric_pipelines.security.masking import MASK, MAX_DEPTH, mask_json_text, mask_secrets
from tests.dashboards_data import restore_logins
from tests.factories import make_tenant

BCRYPT = "$2b$12$aFHtZUTyakjhJUPzZUz3GOHQwxNVYaQrGlQZ8g0HtrhMh1j5kuj9m"
ARGON2 = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlUzNjcmV0"
# shape -> (the audit value, the secret that must never show, a neighbour that must still show)
SHAPES = {
    "redis_url_without_user": ({"cache": "redis://:r3disPw0rd@cache:6379/0"}, "r3disPw0rd", "@cache:6379/0"),
    "bcrypt_inside_text": ({"note": f"hash {BCRYPT} replaced"}, "aFHtZUTyakjhJUPz", "replaced"),
    "argon2_inside_text": ({"note": f"hash={ARGON2};rotated"}, "RdescudvJCsgt3ub", "rotated"),
    "bearer_inside_array": (
        {"headers": ["Accept: */*", "Authorization: Bearer tok3nS3cretValue"]},
        "tok3nS3cretValue",
        "Accept: */*",
    ),
    "api_key_query_parameter": (
        {"url": "https://api.example.kz/v1/pay?api_key=k3yS3cretValue&page=2"},
        "k3yS3cretValue",
        "page=2",
    ),
    "pass_key": ({"login": {"pass": "p4ssS3cretValue", "user": "aigerim"}}, "p4ssS3cretValue", "aigerim"),
    "jwt_key": ({"session": {"jwt": JWT, "ttl": 3600}}, "c2lnbmF0dXJlUzNjcmV0", "3600"),
    "jwt_inside_text": ({"note": f"token {JWT} issued"}, "c2lnbmF0dXJlUzNjcmV0", "issued"),
    "auth_basic_key": ({"request": {"auth": "Basic dXNlcjpzM2NyZXRWYWx1ZQ==", "path": "/x"}}, "dXNlcjpz", "/x"),
    "password_key": ({"user": {"password": "hunter2S3cret", "email": "a@b.kz"}}, "hunter2S3cret", "a@b.kz"),
    "api_key_key": ({"integration": {"apiKey": "ak_live_S3cretValue", "vendor": "kaspi"}}, "ak_live_S3", "kaspi"),
    "database_url": ({"dsn": "postgresql://erp:pgS3cretValue@db:5432/erp"}, "pgS3cretValue", "@db:5432/erp"),
    "bare_bcrypt_value": ({"hash": BCRYPT, "algorithm": "bcrypt"}, "aFHtZUTyakjhJUPz", "bcrypt"),
}
ARCHIVED_AT = dt.datetime(2025, 1, 10)
LIVE_AT = dt.datetime(2025, 6, 10)
BEFORE = dt.date(2025, 3, 1)


def nested(levels: int, leaf: object) -> dict:
    value: object = leaf
    for _ in range(levels):
        value = {"a": value}
    return value  # type: ignore[return-value]


def nested_text(levels: int, leaf: str) -> str:
    return '{"a": ' * levels + leaf + "}" * levels


# ---- the masking function itself -------------------------------------------------------------------


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_mask_secrets_hides_the_shape_and_keeps_its_neighbours(shape):
    value, secret, kept = SHAPES[shape]
    masked = json.dumps(mask_secrets(value))
    assert secret not in masked and kept in masked and MASK in masked
    text_masked = mask_json_text(json.dumps(value))
    assert secret not in text_masked and kept in text_masked


@pytest.mark.parametrize(
    "prose",
    ["Basic information about the Basic salary", "Bearer bonds", "passport N123", "shipping to Almaty", "ip=10.0.0.1"],
)
def test_prose_that_only_looks_like_a_secret_is_kept(prose):
    assert mask_secrets({"note": prose, "passport": "N123"}) == {"note": prose, "passport": "N123"}


@pytest.mark.parametrize("levels", [1_200, 100_000])
def test_deeply_nested_values_are_masked_whole_without_recursion(levels):
    deep_text = nested_text(levels, '{"password": "hunter2"}')
    assert mask_json_text(deep_text) == json.dumps(MASK)
    assert mask_secrets(deep_text) == MASK  # a string holding JSON text
    # an already parsed value: walked iteratively, cut at MAX_DEPTH
    masked = mask_secrets(nested(levels, {"password": "hunter2"}))
    depth = 0
    while isinstance(masked, dict):
        masked, depth = masked["a"], depth + 1
    assert (depth, masked) == (MAX_DEPTH, MASK)
    # the column masking of the archive and the query (a pyarrow column of JSON text)
    column, changed = mask_json_column(pa.chunked_array([[deep_text, '{"status": "ok"}', None]]))
    assert changed == 1 and column.to_pylist() == [json.dumps(MASK), '{"status": "ok"}', None]
    # shallow enough: parsed and masked as usual
    shallow = nested_text(MAX_DEPTH - 1, '{"password": "hunter2"}')
    assert "hunter2" not in mask_json_text(shallow) and json.loads(mask_json_text(shallow))


# ---- the database, the archive and the query ----------------------------------------------------------

_INSERT = text("""
    INSERT INTO audit_logs ("organizationId", "userId", action, entity, "entityId", "oldValue", "newValue",
                            "createdAt")
    VALUES (CAST(:org AS uuid), CAST(:user AS uuid), :action, :entity, gen_random_uuid(),
            CAST(:old AS jsonb), CAST(:new AS jsonb), :created_at)
""")


@pytest.fixture(scope="module")
def masked_history(databases, template_database, tmp_path_factory):
    """Each shape logged twice in organization A (once archived, once live); a 1,200-level value in A's
    archived month; rows of organization B archived in the same run; a password change of a user."""
    url = databases.create("audit_masking", template=template_database)
    engine = create_db_engine(url)
    with engine.begin() as conn:
        a, b = make_tenant(conn), make_tenant(conn)
        orgs = {"a": str(a["organization"]["id"]), "b": str(b["organization"]["id"])}
        user = str(a["owner"]["id"])
        for shape, (value, _secret, _kept) in SHAPES.items():
            for created_at in (ARCHIVED_AT, LIVE_AT):
                params = {"org": orgs["a"], "user": user, "action": shape, "entity": "integrations", "old": None}
                conn.execute(_INSERT, {**params, "new": json.dumps(value), "created_at": created_at})
        deep = nested_text(1_200, '{"password": "hunter2"}')
        for org, created_at in ((orgs["a"], ARCHIVED_AT), (orgs["a"], LIVE_AT), (orgs["b"], ARCHIVED_AT)):
            params = {"org": org, "user": user, "action": "DEEP", "entity": "orders", "old": None}
            conn.execute(_INSERT, {**params, "new": deep, "created_at": created_at})
        conn.execute(
            _INSERT,
            {"org": orgs["b"], "user": user, "action": "UPDATE", "entity": "orders", "old": None,
             "new": '{"status": "PAID"}', "created_at": ARCHIVED_AT},
        )  # fmt: skip
        conn.execute(
            _INSERT,
            {"org": orgs["a"], "user": user, "action": "UPDATE", "entity": "user", "created_at": LIVE_AT,
             "old": json.dumps({"password": BCRYPT}), "new": json.dumps({"password": BCRYPT.replace("a", "b")})},
        )  # fmt: skip
    archive = Archive.from_url(str(tmp_path_factory.mktemp("masking") / "archive"))
    result = archive_audit_logs(engine, archive, before=BEFORE, organization_ids=[orgs["a"], orgs["b"]])
    yield {"url": url, "engine": engine, "orgs": orgs, "archive": archive, "result": result}
    engine.dispose()


def test_a_1200_level_value_does_not_stop_the_archive_and_every_organization_is_archived(masked_history):
    result, archive, orgs = masked_history["result"], masked_history["archive"], masked_history["orgs"]
    assert {(p.organization_id, p.rows) for p in result.pieces} == {(orgs["a"], len(SHAPES) + 1), (orgs["b"], 2)}
    for piece in result.pieces:
        table = pq.read_table(archive.absolute(piece.path)).to_pylist()
        deep = [row for row in table if row["action"] == "DEEP"]
        assert [row["newValue"] for row in deep] == [json.dumps(MASK)]


def test_a_1200_level_value_does_not_break_the_query(masked_history):
    engine, archive, orgs = masked_history["engine"], masked_history["archive"], masked_history["orgs"]
    with engine.connect() as conn:
        frame = query_audit_logs(conn, orgs["a"], AuditFilters(action="DEEP"), archive=archive)
    assert list(frame["newValue"]) == [json.dumps(MASK), json.dumps(MASK)]  # live, then archived
    assert list(frame["createdAt"]) == [LIVE_AT, ARCHIVED_AT]


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_audit_query_masks_the_shape(masked_history, shape):
    engine, archive, orgs = masked_history["engine"], masked_history["archive"], masked_history["orgs"]
    _value, secret, kept = SHAPES[shape]
    with engine.connect() as conn:
        frame = query_audit_logs(conn, orgs["a"], AuditFilters(action=shape), archive=archive)
    assert list(frame["createdAt"]) == [LIVE_AT, ARCHIVED_AT]  # the live row and the archived one
    for value in frame["newValue"]:
        assert secret not in value and kept in value and MASK in value


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_parquet_archive_masks_the_shape(masked_history, shape):
    archive, orgs = masked_history["archive"], masked_history["orgs"]
    _value, secret, kept = SHAPES[shape]
    (piece,) = [p for p in masked_history["result"].pieces if p.organization_id == orgs["a"]]
    raw = archive.absolute(piece.path).read_bytes()  # zstd: check the decoded values, and the bytes too
    rows = [row for row in pq.read_table(archive.absolute(piece.path)).to_pylist() if row["action"] == shape]
    assert len(rows) == 1
    assert secret not in rows[0]["newValue"] and kept in rows[0]["newValue"]
    assert secret.encode() not in raw


def test_the_reader_cannot_read_a_password_hash_out_of_the_audit_log(masked_history, server_logins):
    engine, orgs = masked_history["engine"], masked_history["orgs"]
    logins = server_logins(engine)
    reader = create_db_engine(logins[READER_ROLE].set(database=masked_history["url"].database))
    with engine.connect() as conn:
        key = read_tenant_key(conn)
        # the database itself keeps no hash (a trigger masks top-level secret keys on write)
        stored = conn.execute(
            text("""SELECT "oldValue"->>'password', "newValue"->>'password' FROM audit_logs WHERE entity = 'user'""")
        ).all()
    assert stored == [(MASK, MASK)]
    try:
        with tenant_session(reader, orgs["a"], key=key) as conn:
            seen = (
                conn.execute(text("""SELECT "oldValue"->>'password' FROM audit_logs WHERE entity = 'user'"""))
                .scalars()
                .all()
            )
            values = conn.execute(text("""SELECT concat("oldValue"::text, ' ', "newValue"::text) FROM audit_logs"""))
            everything = " ".join(values.scalars())
    finally:
        reader.dispose()
    # and the row itself, still carrying a credential's key, is not the reader's (docs/security.md)
    assert seen == []
    assert "$2b$" not in everything


# ---- the dashboards' Audit page ------------------------------------------------------------------------

sys.path.insert(0, str(PROJECT_ROOT / "dashboards"))  # the app's `lib`, as Streamlit imports it
APP = str(PROJECT_ROOT / "dashboards" / "streamlit_app.py")


@pytest.fixture(scope="module")
def audit_page_text(demo_data, tmp_path_factory):
    """The owner's Audit page (last 7 days) with every shape logged in the owner's organization today."""
    restore_logins(demo_data)
    email, organization = demo_data.accounts["owner"]
    created_at = dt.datetime.combine(demo_data.today, dt.time(9))
    with demo_data.owner.begin() as conn:
        org = str(conn.execute(text("SELECT id FROM organizations WHERE name = :n"), {"n": organization}).scalar_one())
        for shape, (value, _secret, _kept) in SHAPES.items():
            params = {"org": org, "user": None, "action": shape, "entity": "integrations", "old": None}
            conn.execute(_INSERT, {**params, "new": json.dumps(value), "created_at": created_at})
        # rows whose stored value still carries a credential's shape are not shown to the reader at all
        # (the audit_logs reader policy, docs/security.md); the others are shown masked
        hidden = set(
            conn.execute(
                text(
                    """SELECT action FROM audit_logs WHERE entity = 'integrations'
                       AND "organizationId" = CAST(:o AS uuid) AND "newValue"::text ~* :credential"""
                ),
                {"o": org, "credential": AUDIT_CREDENTIAL_PATTERN},
            ).scalars()
        )
    try:
        with pytest.MonkeyPatch.context() as patch:
            for name, value in demo_data.env.items():
                patch.setenv(name, value)
            patch.setenv("PROMETRIC_DASHBOARDS_TODAY", demo_data.today.isoformat())
            patch.setenv("ARCHIVE_URL", str(tmp_path_factory.mktemp("dashboards-archive")))
            at = AppTest.from_file(APP, default_timeout=90)
            at.query_params["preset"] = "7d"
            at.run()
            at.text_input[0].input(email)
            at.text_input[1].input(DEMO_PASSWORD)
            at.button[0].click()
            at.run()
            at.switch_page("app_pages/audit.py").run()
            assert not at.exception
            at.text_input[0].input("integrations").run()
            assert not at.exception
            frames = [df.value for df in at.dataframe if "new_value" in df.value.columns]
            assert len(frames) == 1
            yield frames[0].rename(columns={"new_value": "newValue"}), hidden
    finally:
        with demo_data.owner.begin() as conn:
            conn.execute(
                text(
                    """DELETE FROM audit_logs WHERE entity = 'integrations' AND "organizationId" = CAST(:o AS uuid)"""
                ),
                {"o": org},
            )


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_dashboards_audit_page_masks_the_shape(audit_page_text, shape):
    """The page shows the row masked, or (the reader policy hides rows still carrying a credential's shape)
    not at all; either way the secret never reaches it."""
    page, hidden_by_policy = audit_page_text
    _value, secret, kept = SHAPES[shape]
    rows = page[page["action"] == shape]
    assert secret not in page.to_csv()
    if shape in hidden_by_policy:
        assert len(rows) == 0
        return
    assert len(rows) == 1
    shown = str(rows.iloc[0]["newValue"])
    assert secret not in shown and kept in shown and MASK in shown
