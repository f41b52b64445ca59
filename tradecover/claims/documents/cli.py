"""CLI of claim documents: a claim's checklist, and the claims handler's review.

``tradecover claims documents list CLAIM_ID`` shows what the claim's cause of loss needs
and where each document stands; ``tradecover claims documents review CLAIM_ID DOCUMENT_ID
--decision accepted|missing`` marks one upload (as the insurer's system principal).
Uploads belong to the exporter: the API and the dashboard take them.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tradecover.access import system_principal
from tradecover.claims.documents import service
from tradecover.claims.documents.checklist import DocumentStatus
from tradecover.cli.context import console, domain_errors, unit_of_work
from tradecover.kit.errors import ValidationFailed

app = typer.Typer(help="Claim documents: checklist and review.", no_args_is_help=True)


@app.command("list")
@domain_errors
def list_documents(claim_id: Annotated[int, typer.Argument(help="Claim id")]) -> None:
    """The documents the claim needs for its cause of loss, and every upload."""
    with unit_of_work() as session:
        claim, checklist, rows = service.checklist_of(
            session, principal=system_principal(session), claim_id=claim_id
        )
        by_id = {r.id: r for r in rows}
        table = Table("document", "required", "status", "uploads")
        for item in checklist.items:
            uploads = "; ".join(
                f"#{d} {by_id[d].filename} {by_id[d].content_type} {by_id[d].size_bytes} B "
                f"sha256 {by_id[d].sha256[:12]} {by_id[d].status}"
                for d in item.document_ids
            )
            table.add_row(
                item.kind.value, "yes" if item.required else "no", item.status.value, uploads or "-"
            )
        state = "complete" if checklist.complete else "incomplete"
        console.print(f"claim {claim.id} ({claim.cause}): documents {state}")
    console.print(table)


@app.command("review")
@domain_errors
def review(
    claim_id: Annotated[int, typer.Argument(help="Claim id")],
    document_id: Annotated[int, typer.Argument(help="Document id")],
    decision: Annotated[str, typer.Option(help="accepted or missing")],
    note: Annotated[str | None, typer.Option(help="Why (the exporter reads it)")] = None,
) -> None:
    """Mark a document accepted or missing."""
    if decision not in (DocumentStatus.ACCEPTED.value, DocumentStatus.MISSING.value):
        raise ValidationFailed(
            "--decision is accepted or missing", code="invalid_review_decision", field="decision"
        )
    with unit_of_work() as session:
        row = service.review(
            session,
            principal=system_principal(session),
            claim_id=claim_id,
            document_id=document_id,
            decision=DocumentStatus(decision),
            note=note,
        )
        console.print(f"document {row.id} of claim {claim_id}: {row.status}")
