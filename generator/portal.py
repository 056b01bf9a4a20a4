"""portal.json: the catalogue as one camelCase document, in this project's own names.

What it is: the same records as catalogue.json, with camelCase keys
(executionMethods, submissionMethod, processingTimeUnit, profileComponents,
originalQty, ...) and English code values (DIRECT, WORKING_DAY, FEE) for
systems that prefer them. What it is not: the national portal's API. No
published document of that API is in this project's sources; the only
documented record shape is the portal's public procedure page (ma_thu_tuc,
ten_thu_tuc, cach_thuc_thuc_hien, ...: /work/shared/data/dichvucong/SOURCE.md),
which the importer reads. So the names here are ours, chosen in the
portal's camelCase style, and the docs say so; a system that reads the
portal's API still writes a mapping, and the docs page lists every key.

The mapping is field for field and invents nothing: a value the record
does not give is null. 'Same day' (trong ngày) has no unit here, so its
processingTime and processingTimeUnit are null and processingTimeNote says it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from . import models
from .catalogue import Catalogue
from .feed import Envelope, Links, dumps, envelope, schema_files
from .site_urls import form_url, procedure_url

PORTAL_FILE = "portal.json"
SAME_DAY_NOTE = "Trong ngày"

SubmissionMethod = Literal["DIRECT", "ONLINE", "POSTAL"]
TimeUnit = Literal["WORKING_DAY", "DAY", "HOUR", "MONTH", "YEAR"]
FeeType = Literal["FEE", "SERVICE_FEE", "PRICE_LEVEL"]

SUBMISSION: dict[models.ChannelKind, SubmissionMethod] = {
    models.ChannelKind.TRUC_TIEP: "DIRECT",
    models.ChannelKind.TRUC_TUYEN: "ONLINE",
    models.ChannelKind.BUU_CHINH: "POSTAL",
}
UNITS: dict[models.TimeUnit, TimeUnit] = {
    models.TimeUnit.WORKING_DAYS: "WORKING_DAY",
    models.TimeUnit.DAYS: "DAY",
    models.TimeUnit.HOURS: "HOUR",
    models.TimeUnit.MONTHS: "MONTH",
    models.TimeUnit.YEARS: "YEAR",
}
FEE_TYPES: dict[models.FeeKind, FeeType] = {
    models.FeeKind.LE_PHI: "FEE",
    models.FeeKind.PHI: "SERVICE_FEE",
    models.FeeKind.GIA: "PRICE_LEVEL",
}


class Coded(models.Strict):
    code: str
    name: str


class PortalFee(models.Strict):
    type: FeeType | None = Field(
        description="FEE (lệ phí) | SERVICE_FEE (phí) | PRICE_LEVEL (giá); null khi nguồn không phân biệt")
    amount: int | None = Field(description="null khi nguồn ghi không chắc chắn: xem description")
    maxAmount: int | None = Field(description="Mức cao nhất khi phí là một khoảng")
    currency: models.Currency
    unit: str | None = Field(description="Tính theo đơn vị (per)")
    description: str | None


class ExecutionMethod(models.Strict):
    submissionMethod: SubmissionMethod = Field(description="DIRECT | ONLINE | POSTAL")
    processingTime: int | float | None
    processingTimeMax: int | float | None = Field(description="Giới hạn trên khi thời hạn là một khoảng")
    processingTimeUnit: TimeUnit | None = Field(description="WORKING_DAY | DAY | HOUR | MONTH | YEAR")
    processingTimeNote: str | None
    fees: list[PortalFee]
    url: str | None = Field(description="Địa chỉ nộp trực tuyến")
    description: str | None


class Attachment(models.Strict):
    name: str
    code: str | None = Field(description="Ký hiệu mẫu")
    url: str | None = Field(description="Địa chỉ chính thức của mẫu")
    fileUrl: str | None = Field(description="Bản sao của tệp mẫu trên site")
    fileNames: list[str] = Field(description="Tên tệp mẫu như nguồn ghi (tệp ở trang thủ tục trên Cổng)")


class ProfileComponent(models.Strict):
    name: str
    originalQty: int | None = Field(description="Số bản chính")
    copyQty: int | None = Field(description="Số bản sao")
    required: bool | None
    attachments: list[Attachment]
    description: str | None


class ExecutionCase(models.Strict):
    name: str | None = Field(description="Trường hợp; null: áp dụng cho mọi người")
    profileComponents: list[ProfileComponent]


class LegalBase(models.Strict):
    number: str | None
    name: str
    issuedDate: str | None
    issuer: str | None


class PortalResult(models.Strict):
    name: str
    code: str | None


class PortalRoadmap(models.Strict):
    targetLevel: int
    dueDate: str
    source: str | None


class PortalProcedure(models.Strict):
    code: str
    name: str
    decisionNumber: str | None
    procedureType: str | None
    agency: Coded | None
    otherAgencies: list[Coded] = Field(description="Cơ quan thực hiện khác")
    competentAuthority: str | None
    implementationLevels: list[Coded] = Field(description="Cấp thực hiện")
    field: Coded
    serviceLevel: int
    serviceLevelDerived: bool = Field(description="true khi mức độ được suy ra, không do nguồn ghi")
    onlineServiceType: Coded = Field(description="Loại DVCTT theo Nghị định 42/2022")
    subjects: list[Coded]
    description: str | None
    executionMethods: list[ExecutionMethod]
    executionCases: list[ExecutionCase]
    forms: list[Attachment]
    steps: list[str]
    requirements: list[str]
    legalBases: list[LegalBase]
    results: list[PortalResult]
    nationalPortal: bool | None
    onlinePayment: bool | None
    postal: bool | None
    roadmap: PortalRoadmap | None = Field(description="Kế hoạch nâng cấp mức độ")
    lifeEvents: list[str]
    keywords: list[str]
    url: str = Field(description="Trang thủ tục trên site")
    sourceUrl: str | None
    coordinatingAgencies: list[str] = Field(description="Cơ quan phối hợp, như nguồn ghi")
    authorisedAgencies: list[str] = Field(description="Cơ quan được ủy quyền, như nguồn ghi")
    receptionAddress: str | None = Field(description="Địa chỉ tiếp nhận hồ sơ, như nguồn ghi")
    relatedProcedures: list[str] = Field(description="Thủ tục liên quan, như nguồn ghi")
    captured: str | None = Field(description="Ngày hoặc tháng dữ liệu được lấy từ nguồn")
    reviewNeeded: list[str] = Field(description="Phần cần rà soát (field paths)")
    updated: str


class PortalFeed(Envelope):
    """portal.json: every procedure with camelCase keys (the project's own names, not the portal's API)."""

    procedures: list[PortalProcedure]


def portal_files(catalogue: Catalogue, links: Links) -> dict[str, bytes]:
    """The camelCase export, by path inside api/v1/."""
    return {PORTAL_FILE: dumps(document(catalogue, links)), **schema_files({"portal.schema.json": PortalFeed}, links)}


def document(catalogue: Catalogue, links: Links) -> dict[str, Any]:
    head = envelope(catalogue, links, "portal.schema.json")
    return {**head, "procedures": [procedure(p, catalogue, links) for p in catalogue.each()]}


def procedure(p: models.Procedure, catalogue: Catalogue, links: Links) -> dict[str, Any]:
    """One procedure, field for field."""
    forms = {f.id: attachment(f, links) for f in p.forms}
    return PortalProcedure(
        code=p.code, name=p.name, decisionNumber=p.decision, procedureType=p.procedure_type,
        agency=Coded(code=p.agency, name=catalogue.agencies[p.agency].name) if p.agency else None,
        otherAgencies=[Coded(code=a, name=catalogue.agencies[a].name) for a in p.other_agencies],
        competentAuthority=p.competent_authority,
        implementationLevels=[Coded(code=t.value, name=models.TIER_LABELS[t]) for t in p.tiers],
        field=Coded(code=p.field, name=catalogue.fields[p.field].name),
        serviceLevel=p.service_level, serviceLevelDerived=p.service_level_derived,
        onlineServiceType=Coded(code=p.category.value, name=models.CATEGORY_LABELS[p.category]),
        subjects=[Coded(code=s.value, name=models.SUBJECT_LABELS[s]) for s in p.subjects],
        description=p.description,
        executionMethods=[execution_method(c) for c in p.channels],
        executionCases=[execution_case(c, forms) for c in p.document_cases],
        forms=list(forms.values()), steps=p.steps, requirements=p.requirements,
        legalBases=[LegalBase(number=b.number, name=b.title, issuer=b.issuer,
                              issuedDate=b.issued.isoformat() if b.issued else None) for b in p.legal_basis],
        results=[PortalResult(name=r.name, code=r.code) for r in p.results],
        nationalPortal=p.online.national_portal, onlinePayment=p.online.online_payment, postal=p.online.postal,
        roadmap=PortalRoadmap(targetLevel=p.roadmap.target_level, dueDate=p.roadmap.due.isoformat(),
                              source=p.roadmap.source) if p.roadmap else None,
        reviewNeeded=[r.field for r in p.review],
        lifeEvents=p.life_events, keywords=p.keywords, url=links.url(procedure_url(p.code)),
        sourceUrl=p.source_url, updated=p.updated.isoformat(),
        coordinatingAgencies=p.coordinating_agencies, authorisedAgencies=p.authorised_agencies,
        receptionAddress=p.reception_address, relatedProcedures=p.related_procedures, captured=p.captured,
    ).model_dump(mode="json")


def execution_method(channel: models.Channel) -> ExecutionMethod:
    time = channel.processing_time or models.ProcessingTime()
    same_day = time.unit is models.TimeUnit.SAME_DAY
    note = "; ".join(t for t in (SAME_DAY_NOTE if same_day else None, time.note) if t) or None
    return ExecutionMethod(
        submissionMethod=SUBMISSION[channel.kind],
        processingTime=time.value, processingTimeMax=time.max_value,
        processingTimeUnit=UNITS.get(time.unit) if time.unit else None, processingTimeNote=note,
        fees=[
            PortalFee(type=FEE_TYPES[f.kind] if f.kind else None, amount=f.amount, maxAmount=f.max_amount, currency=f.currency,
                      unit=f.per, description=f.note if f.amount is not None else
                      "; ".join(t for t in (f"Nguồn ghi: {f.source_text}", f.note) if t))
            for f in channel.fees
        ],
        url=channel.url, description=channel.note,
    )


def execution_case(case: models.DocumentCase, forms: dict[str, Attachment]) -> ExecutionCase:
    return ExecutionCase(name=case.case, profileComponents=[
        ProfileComponent(name=d.name, originalQty=d.originals, copyQty=d.copies, required=d.required,
                         attachments=[forms[d.form]] if d.form in forms else [], description=d.note)
        for d in case.documents
    ])


def attachment(form: models.Form, links: Links) -> Attachment:
    return Attachment(name=form.title, code=form.code, url=form.url,
                      fileUrl=links.url(form_url(form.file)) if form.file else None, fileNames=form.file_names)
