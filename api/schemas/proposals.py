"""Proposals (免申即享): confirming one or many, official lists of certifications, what is open."""
from __future__ import annotations

from pydantic import Field

from api.schemas.claims import ClaimPublic
from api.schemas.common import CLAIM_ID, PublicModel, RequestModel, examples
from api.schemas.fields import Code


class ConfirmationCreate(RequestModel):
    """`{}`: nothing to say; the proposal's facts are the ledger's own."""


class BulkConfirmationCreate(RequestModel):
    model_config = examples({"ids": [CLAIM_ID]})

    ids: list[Code] = Field(min_length=1, max_length=1000, description="proposed claims to confirm, each on its own")


class Refusal(PublicModel):
    id: str
    code: str
    detail: str


class BulkConfirmation(PublicModel):
    confirmed: list[ClaimPublic]
    refused: list[Refusal] = Field(description="proposals that were not confirmed, with the rule's code and why")


class RefusedRow(PublicModel):
    line: int = Field(description="the row's line in the file, the CSV header being line 1; a JSON body's rows[0] is"
                                  " line 2, rows[i] line i + 2, as the same list sent as CSV reads")
    code: str
    detail: str


class ImportedRow(PublicModel):
    line: int = Field(description="as a refused row's: the CSV header is line 1, a JSON body's rows[i] is line i + 2")
    certification_id: str
    proposed_claims: list[str] = Field(default=[], description="the claims this line's certification proposed")


class UnproposedRow(PublicModel):
    line: int = Field(description="a recorded line, numbered as in `certifications`")
    code: str = Field(description="the refusal the claim its certification opens met (`not_eligible`, say), or"
                                  " `figure_not_held` for an award paid by a figure the ledger does not hold")
    detail: str


class CertificationImportPublic(PublicModel):
    id: str
    sha256: str = Field(description="the SHA-256 of the body as sent: the same file again records nothing")
    rows: int
    recorded: int
    certifications: list[ImportedRow]
    refused: list[RefusedRow]
    proposed_claims: list[str]
    unproposed: list[UnproposedRow] = Field(default=[], description="recorded lines that proposed nothing (免申即享),"
                                            " each with why; none for a line whose fact opens no claim of its own")
    source: str | None
    imported_by: str
    already_imported: bool


class ProposalGroup(PublicModel):
    programme: str
    bureau: str
    count: int
    total: str
    oldest_proposed_at: str = Field(json_schema_extra={"format": "date-time"},
                                    description="when the oldest open proposal of the group was made, RFC 3339")


class ProposalSummary(PublicModel):
    open: int
    total: str = Field(description="what the open proposals would come to, as the rules gave them when proposed")
    oldest_age_seconds: int | None
    by_programme: list[ProposalGroup]
    position: int

