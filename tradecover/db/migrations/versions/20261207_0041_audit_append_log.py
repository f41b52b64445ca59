"""audit: the access log's one-statement append (PostgreSQL function ``audit_append_log``)

A read of exporter data writes its access-log entries with ONE call of this function in
its own transaction [domain CS-8]: it locks the chain heads involved (creating those
missing) with one upsert in (organisation, chain) order, as ``audit.append_many`` does,
hashes each entry onto its chain (SHA-256 of the previous hash, the entry's canonical text
up to its position, the position and ``}``: the same hash the Python verifier
recomputes), inserts the entries in position order and moves the heads; with
``p_relaxed`` it sets the transaction's ``synchronous_commit`` off (ADR 0025).  Nothing
on SQLite (its writer uses ``append_many``).

Revision ID: 0041
Revises: 0038
Create Date: 2026-12-07 23:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0041"
down_revision: str | None = "0038"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FUNCTION = r"""
CREATE OR REPLACE FUNCTION audit_append_log(
    k_org bigint[], k_chain integer[], p_key integer[], p_actor text[], p_action text[],
    p_entity_type text[], p_entity_id text[], p_reason text[], p_before text[],
    p_after text[], p_text text[], p_occurred_at timestamptz, p_relaxed boolean
) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    genesis constant text := repeat('0', 64);
    h_seq integer[];
    h_hash text[];
    e_seq integer[] := '{}';
    e_prev text[] := '{}';
    e_hash text[] := '{}';
    k integer;
    s integer;
    digest text;
BEGIN
    IF p_relaxed THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    WITH locked AS (
        INSERT INTO audit_chain_heads AS h (org_id, chain, last_seq, last_hash)
        SELECT o, c, 0, genesis FROM unnest(k_org, k_chain) WITH ORDINALITY AS x(o, c, n)
        ORDER BY n
        ON CONFLICT (org_id, chain) DO UPDATE SET last_seq = h.last_seq
        RETURNING h.org_id, h.chain, h.last_seq, h.last_hash
    )
    SELECT array_agg(l.last_seq ORDER BY x.n), array_agg(l.last_hash ORDER BY x.n)
    INTO h_seq, h_hash
    FROM unnest(k_org, k_chain) WITH ORDINALITY AS x(o, c, n)
    JOIN locked AS l ON l.org_id = x.o AND l.chain = x.c;
    FOR i IN 1 .. coalesce(array_length(p_key, 1), 0) LOOP
        k := p_key[i];
        s := h_seq[k] + 1;
        digest := encode(
            sha256(convert_to(h_hash[k] || p_text[i] || s::text || '}', 'UTF8')), 'hex'
        );
        e_seq[i] := s;
        e_prev[i] := h_hash[k];
        e_hash[i] := digest;
        h_seq[k] := s;
        h_hash[k] := digest;
    END LOOP;
    INSERT INTO audit_entries (
        org_id, chain, seq, occurred_at, actor, action, entity_type, entity_id, reason,
        before, after, prev_hash, hash
    )
    SELECT k_org[e.k], k_chain[e.k], e.s, p_occurred_at, e.actor, e.action, e.entity_type,
        e.entity_id, e.reason, e.before, e.after, e.prev, e.hash
    FROM unnest(
        p_key, e_seq, p_actor, p_action, p_entity_type, p_entity_id, p_reason, p_before,
        p_after, e_prev, e_hash
    ) WITH ORDINALITY AS e(
        k, s, actor, action, entity_type, entity_id, reason, before, after, prev, hash, n
    )
    ORDER BY e.n;
    UPDATE audit_chain_heads AS h SET last_seq = x.s, last_hash = x.hash
    FROM unnest(k_org, k_chain, h_seq, h_hash) AS x(o, c, s, hash)
    WHERE h.org_id = x.o AND h.chain = x.c;
    RETURN coalesce(array_length(p_key, 1), 0);
END
$$
"""


def upgrade() -> None:
    """Create the function (PostgreSQL only)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_FUNCTION)


def downgrade() -> None:
    """Drop the function (PostgreSQL only)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DROP FUNCTION IF EXISTS audit_append_log(bigint[], integer[], integer[], text[], "
            "text[], text[], text[], text[], text[], text[], text[], timestamptz, boolean)"
        )
