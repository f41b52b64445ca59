"""Which read returns which exporter data, and for which purpose [domain CS-9].

Every ``GET`` route of the API is declared here: :data:`EXPORTER_READS` maps the routes
that return an exporter's data to the scope and purpose they read under (the read guard of
the API edge applies it, the access log records it); :data:`OTHER_READS` names the routes
that return no exporter's data, each with why.  The dashboard's pages are declared the
same way in :data:`PAGE_READS` and :data:`OTHER_PAGES` [domain CS-15].  The consent
matrix tests fail on a route declared in neither, so a new read path cannot ship
without a scope.

A bank, a co-insurer or a subsidy programme reads some routes under the purpose of its
own kind (:data:`PURPOSE_OF_KIND`, routes in :data:`CONSENTED_READS`) [domain CS-14]:
:func:`read_of` answers the read as that reader makes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tradecover.consents.rules import Purpose, Scope


@dataclass(frozen=True, slots=True)
class Read:
    """The scope and purpose of one read path."""

    scope: Scope
    purpose: Purpose


_SHIPMENTS = Read(Scope.SHIPMENT_CORE, Purpose.COVER_ATTACHMENT)
_CONTRACT = Read(Scope.SHIPMENT_CORE, Purpose.UNDERWRITING)
_BUYERS = Read(Scope.BUYER_IDENTITY, Purpose.UNDERWRITING)
_PAYMENTS = Read(Scope.PAYMENT_EXPERIENCE, Purpose.CLAIMS)
_DOCUMENTS = Read(Scope.INVOICE_DOCUMENTS, Purpose.COVER_ATTACHMENT)

_V1 = "/api/v1"

EXPORTER_READS: dict[str, Read] = {
    f"{_V1}{path}": read
    for path, read in {
        "/declarations": _SHIPMENTS,
        "/declarations/{declaration_id}": _SHIPMENTS,
        "/policies/{policy_id}/declaration-status": _SHIPMENTS,
        "/exporters/{org_id}/profile": _CONTRACT,
        "/applications": _CONTRACT,
        "/applications/{application_id}": _CONTRACT,
        "/policies": _CONTRACT,
        "/policies/{policy_id}": _CONTRACT,
        "/policies/{policy_id}/endorsements": _CONTRACT,
        "/policies/{policy_id}/endorsements/{number}.pdf": _CONTRACT,
        "/policies/{policy_id}/schedule.pdf": _CONTRACT,
        "/policies/{policy_id}/renewal-offers": _CONTRACT,
        "/renewal-offers/{offer_id}": _CONTRACT,
        "/policies/{policy_id}/liability": _CONTRACT,
        "/policies/{policy_id}/history": _CONTRACT,
        "/policies/{policy_id}/attachment-terms": _CONTRACT,
        "/policies/{policy_id}/investment-debt-schedule": _CONTRACT,
        "/policies/{policy_id}/investment-debt-schedule/due-before-indemnity": _CONTRACT,
        "/investment-debt/applications/{application_id}": _CONTRACT,
        "/audit/entries": _CONTRACT,
        "/limit-applications": _BUYERS,
        "/limit-applications/{limit_application_id}": _BUYERS,
        "/limits": _BUYERS,
        "/limits/utilisation": _BUYERS,
        "/limits/watch-list": _BUYERS,
        "/limits/{limit_id}": _BUYERS,
        "/limits/{limit_id}/decision.pdf": _BUYERS,
        "/limits/{limit_id}/versions": _BUYERS,
        "/limits/{limit_id}/utilisation": _BUYERS,
        "/limit-notifications": _BUYERS,
        "/limit-reduction-proposals": _BUYERS,
        "/limit-reduction-proposals/{proposal_id}": _BUYERS,
        "/billing/runs/{month}": _CONTRACT,
        "/billing/notices": _CONTRACT,
        "/billing/notices/{notice_id}": _CONTRACT,
        "/billing/notices/{notice_id}/pdf": _CONTRACT,
        "/billing/notices/{notice_id}/subsidy.pdf": _CONTRACT,
        "/billing/ageing": _CONTRACT,
        "/billing/premium-waivers": _CONTRACT,
        "/billing/premium-waivers/{waiver_id}": _CONTRACT,
        "/overdue": _PAYMENTS,
        "/overdue/frozen-buyers": _PAYMENTS,
        "/overdue/extensions": _PAYMENTS,
        "/notifications": _PAYMENTS,
        "/claims": _PAYMENTS,
        "/claims/{claim_id}": _PAYMENTS,
        "/claims/{claim_id}/decision.pdf": _PAYMENTS,
        "/claims/{claim_id}/recoveries.pdf": _PAYMENTS,
        "/claims/{claim_id}/documents": _PAYMENTS,
        "/claims/{claim_id}/documents/{document_id}": _PAYMENTS,
        "/claims/{claim_id}/documents/{document_id}/content": _PAYMENTS,
        "/investment-debt/claims/{claim_id}": _PAYMENTS,
        "/investment-debt/policies/{policy_id}/claims": _PAYMENTS,
        "/feeds/documents": _DOCUMENTS,
        "/feeds/documents/{document_id}": _DOCUMENTS,
        "/feeds/awaiting-confirmation": _DOCUMENTS,
        # the whole-turnover clause is the policy's own: what it needs is the contract's
        "/feeds/omissions": _CONTRACT,
        "/feeds/turnover": _CONTRACT,
        # the exporter's turnover and its buyer's country, read to underwrite [domain MK-6]
        "/market/classifications": _CONTRACT,
        "/market/classifications/{classification_id}": _CONTRACT,
        "/market/policies/{policy_id}/insurers": _CONTRACT,
        # a bank reads its assigned policies under the exporter's consent for financing
        # [domain BA-9]; the insurer under the contract, the exporter its own
        "/financing/base": _SHIPMENTS,
        "/financing/policies": _SHIPMENTS,
        "/financing/assignments/{assignment_id}/shipments": _SHIPMENTS,
        "/financing/assignments/{assignment_id}/limits": _BUYERS,
        "/financing/assignments/{assignment_id}/claims": _PAYMENTS,
    }.items()
}
"""Routes that return an exporter's data -> the scope and purpose of the read."""

_OWN = "the caller's own organisation, people or records"
_REFERENCE = "reference data shared by everyone"
_AGGREGATE = "aggregates without any exporter's private fields"
_INSURER = "the insurer's own books and models"
_FOLLOWER = "the co-insurer's own share of the policies and limits it participates in"

OTHER_READS: dict[str, str] = {
    "/health": "service liveness",
    **{
        f"{_V1}{path}": why
        for path, why in {
            "/me": _OWN,
            "/me/sessions": _OWN,
            "/users/{user_id}/sessions": _OWN,
            "/organisations": "the directory of organisations",
            "/organisations/{org_id}": "the directory of organisations",
            "/organisations/{org_id}/users": _OWN,
            "/organisations/{org_id}/api-keys": _OWN,
            "/audit/verify": "chain verification: positions and hashes only",
            "/audit/public-keys": _REFERENCE,
            "/audit/checkpoints": "signed chain heads: hashes only",
            "/reference/currencies": _REFERENCE,
            "/reference/payment-terms": _REFERENCE,
            "/reference/credit-period-bands": _REFERENCE,
            "/reference/hs-chapters": _REFERENCE,
            "/countries": _REFERENCE,
            "/countries/{country}": _REFERENCE,
            "/countries/{country}/history": _REFERENCE,
            "/rate-tables": _INSURER,
            "/rate-tables/{code}": _INSURER,
            "/buyers": "the shared buyer register (buyers, not exporters)",
            "/buyers/{buyer_id}": "the shared buyer register (buyers, not exporters)",
            "/buyers/{buyer_id}/ratings": "the shared buyer register (buyers, not exporters)",
            "/buyers/{buyer_id}/aggregate": _AGGREGATE,
            "/buyer-match-reviews": "the shared buyer register (buyers, not exporters)",
            "/risk/runs": _AGGREGATE,
            "/risk/runs/{run_id}": _AGGREGATE,
            "/risk/scenarios": _INSURER,
            "/risk/portfolio-history": _AGGREGATE,
            "/claims/speed": _AGGREGATE,
            "/ledger/trial-balance": _INSURER,
            "/ledger/check": _INSURER,
            "/subsidies/programmes": "the subsidy programmes",
            "/subsidies/programmes/{programme_id}": "the subsidy programmes",
            "/subsidies/programmes/{programme_id}/statement": "the programme's own statement",
            "/webhooks/event-types": _REFERENCE,
            "/webhooks/endpoints": _OWN,
            "/webhooks/endpoints/{endpoint_id}": _OWN,
            "/webhooks/endpoints/{endpoint_id}/deliveries": _OWN,
            "/webhooks/endpoints/{endpoint_id}/deliveries/{delivery_id}": _OWN,
            "/jobs/{job_id}": _OWN,
            "/jobs/{job_id}/download": "the caller's own export file",
            "/consents": "the consents the caller is a party to",
            "/consents/{consent_id}": "the consents the caller is a party to",
            "/consents/{consent_id}/receipt": "the consents the caller is a party to",
            "/consents/{consent_id}/receipt.odrl": "the consents the caller is a party to",
            "/consents/access-log": "the reads of the caller's own data",
            "/consents/access-log.csv": "the reads of the caller's own data",
            "/consents/visibility": "what the caller may see, from its own consents",
            "/data-sharing/sources": "the fields the caller's own feeds withhold",
            "/data-sharing/pool": "the caller's own contributions to the pool",
            "/data-sharing/pool/buyers/{buyer_id}": "pooled figures, no exporter named, k >= 3",
            # a co-insurer is a party to the policy's coinsurance: its shares and its own
            # share of the money, scoped by its participation [domain CO-10]
            "/coinsurance/policies/{policy_id}/participations": (
                "the insurers' own shares of a policy they share"
            ),
            "/coinsurance/statement": "the participant's own share of the money it insures",
            # a single large limit's shares, followers' approvals of large claims and a
            # follower's own share of the book, scoped by its participation [domain CO-14]
            "/coinsurance/limits/{limit_id}/participations": (
                "the insurers' own shares of a limit they share"
            ),
            "/coinsurance/claim-approvals": "the follower's own approvals of claims it shares",
            "/coinsurance/shares/declarations": _FOLLOWER,
            "/coinsurance/shares/claims": _FOLLOWER,
            "/coinsurance/shares/payments": _FOLLOWER,
            "/market/rule-set": _REFERENCE,
            "/market/insurers": "the insurer organisations of the market",
            # the assignment's own terms, read by its bank, its exporter and the insurer
            "/financing/assignments": "the assignments the caller is a party to",
            "/financing/assignments/{assignment_id}": "the assignments the caller is a party to",
        }.items()
    },
}
"""Routes that return no exporter's data -> why."""


PAGE_READS: dict[str, Read] = {
    "/declarations": _SHIPMENTS,
    "/declarations/{declaration_id}": _SHIPMENTS,
    "/policies": _CONTRACT,
    "/policies/{policy_id}": _CONTRACT,
    "/billing": _CONTRACT,
    "/billing/notices/{notice_id}": _CONTRACT,
    "/billing/notices/{notice_id}/print": _CONTRACT,
    "/billing/notices/{notice_id}/pdf": _CONTRACT,
    "/limits": _BUYERS,
    "/limits/{limit_id}": _BUYERS,
    "/limits/watch-list": _BUYERS,
    "/limits/idle": _BUYERS,
    "/limits/reduction-proposals": _BUYERS,
    "/buyers/{buyer_id}": _BUYERS,
    "/audit": _CONTRACT,
    "/claims": _PAYMENTS,
    "/claims/{claim_id}": _PAYMENTS,
    "/claims/{claim_id}/decision.pdf": _PAYMENTS,
    "/claims/{claim_id}/documents/{document_id}/content": _PAYMENTS,
    "/overdue": _PAYMENTS,
    "/recoveries": _PAYMENTS,
    "/feeds": _DOCUMENTS,
    "/feeds/confirmations": _DOCUMENTS,
    # the registered documents, read as their subject is [domain DOC-1]
    "/policies/{policy_id}/schedule.pdf": _CONTRACT,
    "/policies/{policy_id}/endorsements/{number}.pdf": _CONTRACT,
    "/limits/{limit_id}/decision.pdf": _BUYERS,
    "/billing/notices/{notice_id}/subsidy.pdf": _CONTRACT,
    "/claims/{claim_id}/recoveries.pdf": _PAYMENTS,
}
"""Dashboard pages that show an exporter's data -> the scope and purpose of the read."""

_FORM = "a form: what it shows is the caller's own"

OTHER_PAGES: dict[str, str] = {
    "/": "the role's home: an exporter's own data, or aggregates of the book for insurer staff",
    "/sign-in": "the sign-in form",
    "/verify": "the document verification form: genuine or not, the kind and date, never contents",
    "/api/docs": "the API's documentation",
    "/docs/oauth2-redirect": "the API documentation's sign-in",
    "/account/mail": _OWN,
    "/consents": "the consents the caller is a party to and the reads of its own data",
    "/declarations/upload": _FORM,
    "/collections/upload": _FORM,
    "/limits/bulk": _FORM,
    "/buyers/matches": "the shared buyer register (buyers, not exporters)",
    "/buyers": "the shared buyer register (buyers, not exporters)",
    "/claims-speed": _AGGREGATE,
    "/feeds/exposure": _AGGREGATE,
    "/risk": _AGGREGATE,
    "/risk/runs/{run_id}": _AGGREGATE,
    "/pricing": _INSURER,
    "/pricing/lab": _INSURER,
    "/pricing/quote/investment-debt": _INSURER,
    "/pricing/quote/short-term": _INSURER,
    "/pricing/rate-tables/{code}": _INSURER,
    "/jobs": _OWN,
    "/jobs/{job_id}": _OWN,
    "/webhooks": _OWN,
    "/webhooks/{endpoint_id}": _OWN,
}
"""Dashboard pages that show no exporter's data -> why."""

PURPOSE_OF_KIND: dict[str, Purpose] = {
    "bank": Purpose.FINANCING,
    "subsidy_programme": Purpose.SUBSIDY_ELIGIBILITY,
    "coinsurer": Purpose.PORTFOLIO_MONITORING,
}
"""The purpose a bank, a subsidy programme and a co-insurer read under [domain CS-14]."""

_BANK = ("/declarations", "/declarations/{declaration_id}", "/limits", "/limits/{limit_id}")
_BANK_FINANCING = (
    "/financing/base",
    "/financing/policies",
    "/financing/assignments/{assignment_id}/shipments",
    "/financing/assignments/{assignment_id}/limits",
    "/financing/assignments/{assignment_id}/claims",
)
_PROGRAMME = (
    "/policies",
    "/policies/{policy_id}",
    "/billing/notices",
    "/billing/notices/{notice_id}",
)
_COINSURER = ("/policies", "/policies/{policy_id}")

CONSENTED_READS: dict[str, frozenset[str]] = {
    "bank": frozenset({*(f"{_V1}{p}" for p in (*_BANK, *_BANK_FINANCING)), *_BANK}),
    "subsidy_programme": frozenset(
        {*(f"{_V1}{p}" for p in _PROGRAMME), "/policies", "/policies/{policy_id}"}
    ),
    "coinsurer": frozenset({*(f"{_V1}{p}" for p in _COINSURER), *_COINSURER}),
}
"""The routes (API and pages) each kind may read under its own purpose, with the
exporter's consent [domain CS-14]: financing opens a bank the exporter's declarations and
limits, and its assigned policies' shipments, limits, claims and financing base
[domain BA-9]; subsidy eligibility a programme its policies and premium notices; portfolio
monitoring a co-insurer its policies."""


def read_of(path_template: str, reader_kind: str | None = None) -> Read | None:
    """The scope and purpose of a route's read (API or page) as a reader of
    ``reader_kind`` makes it, or None when it returns no exporter data.
    """
    read = EXPORTER_READS.get(path_template) or PAGE_READS.get(path_template)
    if read is None or reader_kind not in CONSENTED_READS:
        return read
    if path_template in CONSENTED_READS[reader_kind]:
        return Read(read.scope, PURPOSE_OF_KIND[reader_kind])
    return read


EVENT_READS: dict[str, Read] = {
    **dict.fromkeys(("limit.decided", "limit.reduced", "limit.cancelled"), _BUYERS),
    **dict.fromkeys(
        ("declaration.attached", "declaration.refused", "declaration.corrected"), _SHIPMENTS
    ),
    "declaration.due": _SHIPMENTS,
    **dict.fromkeys(("declaration.reminded", "collection.chased"), _PAYMENTS),
    **dict.fromkeys(("notice.issued", "notice.paid", "notice.overdue"), _CONTRACT),
    **dict.fromkeys(
        ("policy.issued", "policy.suspended", "policy.renewed", "policy.terminated"), _CONTRACT
    ),
    **dict.fromkeys(("claim.filed", "claim.decided", "claim.paid", "recovery.shared"), _PAYMENTS),
    "document.quarantined": _DOCUMENTS,
}
"""Which business events carry an exporter's data, and the scope and purpose another
organisation's webhook endpoint reads them under [domain CS-17]."""

OTHER_EVENTS: dict[str, str] = {
    "consent.granted": "the consent's own terms, told to the parties to it",
    "consent.revoked": "the consent's own terms, told to the parties to it",
    "webhook_endpoint.disabled": "the organisation's own endpoint",
}
"""Business events that carry no exporter data -> why."""
