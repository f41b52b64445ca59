"""The issue's reference transaction (the conditional update of a limit's reservation row
and the insert of a declaration), written once for the three places that run it: pgbench's
single and batched scripts (``attachment.py``) and the bare FastAPI + asyncpg app
(``_bare_app.py``).

A helper, not a benchmark (``run_all.py`` skips files whose name starts with ``_``).
"""

from __future__ import annotations

_COLUMNS = """exporter_org_id, policy_id, buyer_id, buyer_country, limit_id, limit_version_id,
  invoice_number, shipment_date, due_date, credit_days, payment_terms, transport_mode, hs_code,
  goods_description, currency, invoice_minor, prepayment_minor, insured_minor, covered_minor,
  uninsured_minor, collected_minor, cover_status, reason_code, cover_explanation, rate,
  rate_explanation, premium_minor, declaration_date, declaration_due, late, days_late, status,
  channel, declared_at, declared_by"""


def reserve(*, amount: str, cap: str, limits: str) -> str:
    """The update of the reservation rows of the limits ``limits`` (a condition on
    ``limit_id``) by ``amount`` each while under ``cap`` (SQL expressions).
    """
    return (
        f"UPDATE limit_reservations SET last_reserved_minor = {amount},\n"
        f"  outstanding_minor = outstanding_minor + {amount}, cap_minor = {cap},\n"
        f"  updated_at = now()\n"
        f"  WHERE limit_id {limits} AND outstanding_minor < {cap}"
    )


def declare(*, invoice: str, amount: str, by: str, source: str) -> str:
    """The insert of a covered declaration of ``amount`` (minor units) with invoice number
    ``invoice`` (SQL expressions) on each limit ``l`` of ``source`` (the rest of a FROM
    clause after ``credit_limits l``), declared by ``by``.
    """
    return (
        f"INSERT INTO declarations ({_COLUMNS})\n"
        f"  SELECT l.org_id, l.policy_id, l.buyer_id, 'DE', l.id, l.id, {invoice},\n"
        f"  current_date, current_date + 60, 60, 'OA', 'sea', '845961', 'machine parts',\n"
        f"  'USD', {amount}, 0, {amount}, {amount}, 0, 0, 'covered_in_full', 'within_limit',\n"
        f"  'covered in full', '0.0045', '{{}}', 450, current_date, current_date + 30, false,\n"
        f"  0, 'active', 'erp', now(), '{by}' FROM credit_limits l {source}"
    )
