"""The data contract as pydantic v2 models.

Every model forbids unknown keys (a typo must not vanish silently) and is
strict about types, so that "15" is not quietly taken for 15. Field
descriptions are in Vietnamese first, with the English term, because they
feed the JSON Schemas that agencies' editors show on hover.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StringConstraints,
    model_validator,
)

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
CODE_PATTERN = r"^\d\.\d{6}$"
MAX_TEXT = 20_000


def _check_http_url(value: str) -> str:
    """Accept only absolute http/https URLs: a javascript: link is never data."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("url_scheme")
    return value


Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
HttpUrl = Annotated[
    str,
    StringConstraints(pattern=r"^https?://\S+$", max_length=2000),
    AfterValidator(_check_http_url),
]
Money = Annotated[StrictInt, Field(ge=0, le=10**15)]
Count = Annotated[StrictInt, Field(ge=0, le=1000)]
Duration = Annotated[StrictInt | StrictFloat, Field(ge=0, le=100_000)]
# Strict: a YAML integer such as 20261001 must not become a Unix timestamp.
Date = Annotated[dt.date, Field(strict=True)]
# A date as precise as the source gives it: "2026-07" when only the month is known, never an assumed day.
PartialDate = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")]


class Strict(BaseModel):
    """Base of every model: unknown keys are errors.

    Scalars use strict types (below) so "15" is not taken for 15 nor 1 for
    true; enums stay lax so that YAML strings map onto them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


class Tier(StrEnum):
    """Cấp thực hiện (tier of government that carries out a procedure)."""

    BO = "bo"
    TINH = "tinh"
    HUYEN = "huyen"
    XA = "xa"
    KHAC = "khac"


TIER_LABELS: dict[Tier, str] = {
    Tier.BO: "Cấp bộ",
    Tier.TINH: "Cấp tỉnh",
    Tier.HUYEN: "Cấp huyện",
    Tier.XA: "Cấp xã",
    Tier.KHAC: "Cơ quan khác",
}


class ChannelKind(StrEnum):
    """Hình thức nộp (submission method)."""

    TRUC_TIEP = "truc-tiep"
    TRUC_TUYEN = "truc-tuyen"
    BUU_CHINH = "buu-chinh"


CHANNEL_LABELS: dict[ChannelKind, str] = {
    ChannelKind.TRUC_TIEP: "Trực tiếp",
    ChannelKind.TRUC_TUYEN: "Trực tuyến",
    ChannelKind.BUU_CHINH: "Dịch vụ bưu chính",
}


class FeeKind(StrEnum):
    """Loại phí: lệ phí (FEE), phí (SERVICE_FEE), giá (PRICE_LEVEL)."""

    LE_PHI = "le-phi"
    PHI = "phi"
    GIA = "gia"


# None: the source does not say which (the portal's column is "Phí, lệ phí").
FEE_LABELS: dict[FeeKind | None, str] = {
    FeeKind.LE_PHI: "Lệ phí",
    FeeKind.PHI: "Phí",
    FeeKind.GIA: "Giá",
    None: "Phí, lệ phí",
}


class TimeUnit(StrEnum):
    """Đơn vị thời hạn giải quyết (processing-time unit)."""

    WORKING_DAYS = "working_days"
    DAYS = "days"
    HOURS = "hours"
    MONTHS = "months"
    YEARS = "years"
    SAME_DAY = "same_day"


TIME_UNIT_LABELS: dict[TimeUnit, str] = {
    TimeUnit.WORKING_DAYS: "ngày làm việc",
    TimeUnit.DAYS: "ngày",
    TimeUnit.HOURS: "giờ",
    TimeUnit.MONTHS: "tháng",
    TimeUnit.YEARS: "năm",
    TimeUnit.SAME_DAY: "trong ngày",
}


class Currency(StrEnum):
    VND = "VND"
    USD = "USD"


class Subject(StrEnum):
    """Đối tượng thực hiện (audience), the portal's own categories."""

    CONG_DAN = "cong-dan"
    NGUOI_VIET_NAM_O_NUOC_NGOAI = "nguoi-viet-nam-o-nuoc-ngoai"
    NGUOI_NUOC_NGOAI = "nguoi-nuoc-ngoai"
    CAN_BO = "can-bo"
    DOANH_NGHIEP = "doanh-nghiep"
    DOANH_NGHIEP_FDI = "doanh-nghiep-fdi"
    HOP_TAC_XA = "hop-tac-xa"
    TO_CHUC = "to-chuc"
    TO_CHUC_NUOC_NGOAI = "to-chuc-nuoc-ngoai"


SUBJECT_LABELS: dict[Subject, str] = {
    Subject.CONG_DAN: "Công dân Việt Nam",
    Subject.NGUOI_VIET_NAM_O_NUOC_NGOAI: "Người Việt Nam định cư ở nước ngoài",
    Subject.NGUOI_NUOC_NGOAI: "Người nước ngoài",
    Subject.CAN_BO: "Cán bộ, công chức, viên chức",
    Subject.DOANH_NGHIEP: "Doanh nghiệp",
    Subject.DOANH_NGHIEP_FDI: "Doanh nghiệp có vốn đầu tư nước ngoài",
    Subject.HOP_TAC_XA: "Hợp tác xã",
    Subject.TO_CHUC: "Tổ chức (không bao gồm doanh nghiệp, HTX)",
    Subject.TO_CHUC_NUOC_NGOAI: "Tổ chức nước ngoài",
}


class Category(StrEnum):
    """Decree 42/2022/NĐ-CP kind of online service, derived from the level."""

    THONG_TIN = "thong-tin"
    MOT_PHAN = "mot-phan"
    TOAN_TRINH = "toan-trinh"


CATEGORY_LABELS: dict[Category, str] = {
    Category.THONG_TIN: "Chỉ cung cấp thông tin",  # Decree 42/2022: not an online service
    Category.MOT_PHAN: "Dịch vụ công trực tuyến một phần",
    Category.TOAN_TRINH: "Dịch vụ công trực tuyến toàn trình",
}

Level = Annotated[StrictInt, Field(ge=1, le=4)]


def category_of(level: int) -> Category:
    """Decree 42/2022: level 4 is toàn trình, 3 một phần (a step done online), 1–2 information only.

    A form to download (old level 2) is information under the decree, not an online service.
    """
    if level >= 4:
        return Category.TOAN_TRINH
    if level == 3:
        return Category.MOT_PHAN
    return Category.THONG_TIN


class Contact(Strict):
    """Địa chỉ và liên hệ của cơ quan."""

    address: Text | None = Field(None, description="Địa chỉ tiếp nhận (address)")
    phone: ShortText | None = Field(None, description="Điện thoại (phone)")
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = Field(
        None, description="Thư điện tử (email)"
    )
    website: HttpUrl | None = Field(None, description="Trang thông tin (website)")


class Agency(Strict):
    """Cơ quan (agency) that carries out or owns procedures."""

    id: Slug = Field(description="Mã định danh, chữ thường không dấu nối bằng '-'")
    name: ShortText = Field(description="Tên cơ quan")
    tier: Tier = Field(description="Cấp (tier): bo | tinh | huyen | xa | khac")
    parent: Slug | None = Field(None, description="Cơ quan cấp trên (parent agency id)")
    contact: Contact | None = None


class FieldOfWork(Strict):
    """Lĩnh vực (field) a procedure belongs to."""

    id: Slug = Field(description="Mã định danh lĩnh vực (field id)")
    name: ShortText = Field(description="Tên lĩnh vực (name)")
    description: Text | None = Field(None, description="Mô tả (description)")


class LifeEvent(Strict):
    """Sự kiện cuộc sống (life event) grouping procedures citizens meet together."""

    id: Slug = Field(description="Mã định danh sự kiện (life-event id)")
    name: ShortText = Field(description="Tên sự kiện (name)")
    description: Text | None = Field(None, description="Mô tả (description)")


class ProcessingTime(Strict):
    """Thời hạn giải quyết. `value` may be absent only with a note or for same_day."""

    value: Duration | None = Field(
        None, description="Số lượng (amount of time)"
    )
    max_value: Duration | None = Field(
        None, description="Giới hạn trên khi thời hạn là một khoảng (range upper bound)"
    )
    unit: TimeUnit | None = Field(None, description="Đơn vị (unit)")
    note: Text | None = Field(None, description="Ghi chú (note)")


class Fee(Strict):
    """Phí, lệ phí: a whole, non-negative amount in a currency, perhaps per unit.

    A fee the source states ambiguously (the note contradicts the figure, a
    VND amount under 1,000, a currency the note does not confirm, "Miễn phí"
    while the note names an amount) has no `amount`: it keeps the source's
    own wording in `source_text`, and pages show that wording and "xem ghi chú".
    """

    kind: FeeKind | None = Field(
        None, description="le-phi | phi | gia; bỏ trống khi nguồn không phân biệt phí hay lệ phí"
    )
    amount: Money | None = Field(
        None, description="Số tiền, số nguyên không âm (0 = miễn phí); bỏ trống khi nguồn ghi không chắc chắn"
    )
    max_amount: Money | None = Field(None, description="Mức cao nhất khi phí là một khoảng")
    currency: Currency = Field(Currency.VND, description="VND (mặc định) hoặc USD")
    per: ShortText | None = Field(None, description="Tính theo đơn vị: trang, bản, hồ sơ…")
    source_text: ShortText | None = Field(
        None, description="Lời nguồn ghi khi số tiền không đọc được chắc chắn (trang hiện lời này và 'xem ghi chú')"
    )
    reduced_amount: Money | None = Field(None, description="Mức thu giảm có thời hạn (ví dụ theo TT 64/2025/TT-BTC)")
    reduced_until: Date | None = Field(None, description="Ngày cuối áp dụng mức thu giảm (YYYY-MM-DD)")
    note: Text | None = Field(None, description="Ghi chú, trường hợp áp dụng")

    @model_validator(mode="after")
    def _amount_or_source_wording(self) -> Fee:
        if self.amount is None and self.source_text is None:
            raise ValueError("phí cần số tiền (amount) hoặc lời nguồn ghi (source_text)")
        if self.amount is None and (self.max_amount is not None or self.reduced_amount is not None):
            raise ValueError("max_amount và reduced_amount chỉ đi cùng số tiền (amount)")
        if (self.reduced_amount is None) != (self.reduced_until is None):
            raise ValueError("mức thu giảm cần cả reduced_amount và reduced_until")
        return self


class Channel(Strict):
    """Cách thức thực hiện: one way to submit, with its time and fees."""

    kind: ChannelKind = Field(description="truc-tiep | truc-tuyen | buu-chinh")
    processing_time: ProcessingTime | None = None
    fees: list[Fee] = Field(default_factory=list)
    url: HttpUrl | None = Field(None, description="Địa chỉ nộp trực tuyến")
    note: Text | None = Field(None, description="Mô tả (description)")


class Document(Strict):
    """Một giấy tờ trong thành phần hồ sơ."""

    name: Text = Field(description="Tên giấy tờ (document name)")
    form: Slug | None = Field(None, description="Mã mẫu đơn trong `forms`")
    originals: Count | None = Field(None, description="Số bản chính")
    copies: Count | None = Field(None, description="Số bản sao")
    required: StrictBool | None = Field(None, description="Bắt buộc hay không (nếu biết)")
    note: Text | None = Field(None, description="Ghi chú (note)")


class DocumentCase(Strict):
    """Thành phần hồ sơ for one case (trường hợp); `case: null` applies to everyone."""

    case: Text | None = Field(None, description="Trường hợp áp dụng; null: mọi trường hợp (case)")
    documents: list[Document] = Field(default_factory=list)


class Form(Strict):
    """Mẫu đơn, tờ khai: named by the record; a file or official URL when one is known."""

    id: Slug = Field(description="Mã mẫu trong thủ tục (form id)")
    title: Text = Field(description="Tên mẫu (title)")
    code: ShortText | None = Field(None, description="Ký hiệu mẫu, ví dụ 'Mẫu số 01/TK'")
    file: Annotated[str, StringConstraints(max_length=300)] | None = Field(
        None, description="Đường dẫn trong catalogue/, ví dụ forms/bo-tu-phap/to-khai.docx"
    )
    url: HttpUrl | None = Field(None, description="Địa chỉ chính thức của mẫu")
    source: Text | None = Field(None, description="Nguồn của tệp mẫu (văn bản ban hành)")
    file_names: list[ShortText] = Field(
        default_factory=list,
        description="Tên tệp mẫu như nguồn ghi; tệp nằm ở trang thủ tục trên Cổng DVC quốc gia (source_url)",
    )


class Result(Strict):
    """Kết quả thực hiện."""

    name: Text = Field(description="Tên kết quả (result name)")
    code: ShortText | None = Field(None, description="Mã kết quả, ví dụ KQ.G15.000001")


class LegalBasis(Strict):
    """Căn cứ pháp lý."""

    number: ShortText | None = Field(None, description="Số, ký hiệu văn bản")
    title: Text = Field(description="Tên, trích yếu văn bản (title)")
    issued: Date | None = Field(None, description="Ngày ban hành (YYYY-MM-DD)")
    issuer: ShortText | None = Field(None, description="Cơ quan ban hành")


class Online(Strict):
    """Mức độ kết nối trực tuyến. Absent means the source does not say."""

    national_portal: StrictBool | None = Field(None, description="Tích hợp Cổng DVC quốc gia")
    online_payment: StrictBool | None = Field(None, description="Thanh toán trực tuyến")
    postal: StrictBool | None = Field(None, description="Nộp/trả kết quả qua bưu chính công ích")


class Roadmap(Strict):
    """Kế hoạch nâng cấp mức độ (upgrade plan)."""

    target_level: Level = Field(description="Mức độ đích 1–4 (target level)")
    due: Date = Field(description="Hạn hoàn thành (due date)")
    source: ShortText | None = Field(None, description="Văn bản giao kế hoạch")


class RetirementKind(StrEnum):
    """Cách thủ tục hết hiệu lực: bãi bỏ (abolished) hoặc thay thế (replaced by another procedure)."""

    BAI_BO = "bai-bo"
    THAY_THE = "thay-the"


RETIREMENT_LABELS: dict[RetirementKind, str] = {
    RetirementKind.BAI_BO: "Bãi bỏ",
    RetirementKind.THAY_THE: "Thay thế",
}


class Retirement(Strict):
    """Thủ tục đã bãi bỏ hoặc bị thay thế: the code stays in the catalogue, its page says so."""

    date: Date = Field(description="Ngày bãi bỏ hoặc thay thế có hiệu lực (YYYY-MM-DD)")
    kind: RetirementKind = Field(description="bai-bo (bãi bỏ) | thay-the (được thay thế bởi thủ tục `successor`)")
    decided_by: LegalBasis = Field(
        description="Văn bản quyết định việc bãi bỏ, thay thế (number, title, issued, issuer), như căn cứ pháp lý"
    )
    successor: Code | None = Field(
        None, description="Mã thủ tục thay thế; bắt buộc khi kind là thay-the, không ghi khi bai-bo"
    )

    @model_validator(mode="after")
    def _successor_only_when_replaced(self) -> Retirement:
        if self.kind is RetirementKind.THAY_THE and self.successor is None:
            raise ValueError("kind: thay-the cần mã thủ tục thay thế (successor)")
        if self.kind is RetirementKind.BAI_BO and self.successor is not None:
            raise ValueError("kind: bai-bo không có thủ tục thay thế; có thủ tục thay thế thì dùng kind: thay-the")
        return self


class Review(Strict):
    """Dấu cần rà soát: a value the importer could not read with confidence."""

    field: ShortText = Field(description="Phần chưa đọc được, ví dụ 'channels'")
    reason: ShortText = Field(description="Lý do cần rà soát")
    original: Text | None = Field(None, description="Văn bản gốc từ nguồn")


class Procedure(Strict):
    """Thủ tục hành chính: one file under procedures/<agency-id>/."""

    code: Code = Field(description="Mã thủ tục quốc gia, dạng D.DDDDDD")
    name: Text = Field(description="Tên thủ tục")
    decision: ShortText | None = Field(None, description="Số quyết định công bố")
    procedure_type: ShortText | None = Field(None, description="Loại thủ tục")
    agency: Slug | None = Field(
        None, description="Cơ quan thực hiện (id trong agencies.yaml); bỏ trống khi nguồn không ghi cơ quan nào"
    )
    other_agencies: list[Slug] = Field(
        default_factory=list, description="Cơ quan thực hiện khác mà nguồn cũng liệt kê (id trong agencies.yaml)"
    )
    tiers: Annotated[list[Tier], Field(min_length=1)] = Field(description="Cấp thực hiện")
    field: Slug = Field(description="Lĩnh vực (id trong fields.yaml)")
    service_level: Level = Field(description="Mức độ 1–4")
    service_level_derived: StrictBool = Field(
        False, description="true khi mức độ được suy ra theo quy tắc, không do nguồn ghi"
    )
    subjects: list[Subject] = Field(default_factory=list, description="Đối tượng thực hiện")
    description: Text | None = Field(None, description="Mô tả ngắn cho người dân")
    channels: list[Channel] = Field(default_factory=list, description="Cách thức thực hiện, mỗi cách nộp một mục")
    document_cases: list[DocumentCase] = Field(default_factory=list, description="Thành phần hồ sơ theo trường hợp")
    forms: list[Form] = Field(default_factory=list, description="Mẫu đơn, tờ khai")
    steps: list[Text] = Field(default_factory=list, description="Trình tự thực hiện")
    results: list[Result] = Field(default_factory=list, description="Kết quả thực hiện")
    requirements: list[Text] = Field(default_factory=list, description="Yêu cầu, điều kiện")
    legal_basis: list[LegalBasis] = Field(default_factory=list, description="Căn cứ pháp lý")
    online: Online = Field(default_factory=Online, description="Kết nối trực tuyến")
    roadmap: Roadmap | None = Field(None, description="Kế hoạch nâng cấp mức độ")
    life_events: list[Slug] = Field(default_factory=list, description="Sự kiện cuộc sống (id trong life_events.yaml)")
    keywords: list[ShortText] = Field(default_factory=list, description="Từ khóa tìm kiếm")
    competent_authority: ShortText | None = Field(None, description="Cơ quan có thẩm quyền")
    coordinating_agencies: list[ShortText] = Field(
        default_factory=list, description="Cơ quan phối hợp, như nguồn ghi"
    )
    authorised_agencies: list[ShortText] = Field(
        default_factory=list, description="Cơ quan được ủy quyền, như nguồn ghi"
    )
    reception_address: Text | None = Field(None, description="Địa chỉ tiếp nhận hồ sơ, như nguồn ghi")
    related_procedures: list[ShortText] = Field(
        default_factory=list, description="Thủ tục hành chính liên quan, như nguồn ghi"
    )
    source_url: HttpUrl | None = Field(None, description="Trang nguồn trên Cổng DVC quốc gia")
    captured: PartialDate | None = Field(
        None, description="Ngày (hoặc tháng) dữ liệu được lấy từ nguồn: YYYY-MM-DD, hoặc YYYY-MM khi nguồn chỉ ghi tháng"
    )
    retired: Retirement | None = Field(
        None, description="Đã bãi bỏ hoặc bị thay thế: ngày, loại, văn bản quyết định, thủ tục thay thế"
    )
    review: list[Review] = Field(default_factory=list, description="Dấu cần rà soát")
    updated: Date = Field(description="Ngày cập nhật (YYYY-MM-DD)")

    @property
    def category(self) -> Category:
        return category_of(self.service_level)



@dataclass(frozen=True, slots=True)
class ProcedureSummary:
    """What the catalogue holds of a procedure for its lists, counts and checks (issue 17, a lean catalogue).

    Browse lists, the home page, statistics, the site plan, the changes page,
    merge and cross-file checks read only these; anything else of a procedure
    comes from its full model (`Catalogue.full`, `Catalogue.each`), one at a time.
    """

    code: str
    name: str
    agency: str | None
    field: str
    service_level: int
    service_level_derived: bool
    tiers: tuple[Tier, ...]
    life_events: tuple[str, ...]
    subjects: tuple[Subject, ...]
    updated: dt.date
    captured: str | None
    retired: Retirement | None
    roadmap: Roadmap | None
    online_flags: tuple[bool | None, bool | None, bool | None]  # national_portal, online_payment, postal
    forms: int  # how many forms the procedure lists
    form_files: tuple[str, ...]  # the form files it names (forms/…), in its order

    @property
    def online(self) -> Online:
        return _online(self.online_flags)

    @property
    def category(self) -> Category:
        return category_of(self.service_level)


_SHARED: dict[Any, Any] = {}


def _one(value: Any) -> Any:
    """One object for equal small values (tiers, ids, flags): 100,000 summaries repeat a few hundred."""
    return _SHARED.setdefault(value, value)


def _online(flags: tuple[bool | None, bool | None, bool | None]) -> Online:
    key = ("online", flags)
    found = _SHARED.get(key)
    if found is None:
        found = _SHARED[key] = Online(national_portal=flags[0], online_payment=flags[1], postal=flags[2])
    return found


def summarise(p: Procedure) -> ProcedureSummary:
    """The summary of a validated procedure."""
    return ProcedureSummary(
        code=p.code, name=p.name, agency=p.agency, field=p.field, service_level=p.service_level,
        service_level_derived=p.service_level_derived, tiers=tuple(p.tiers), life_events=tuple(p.life_events),
        subjects=tuple(p.subjects), updated=p.updated, captured=p.captured, retired=p.retired, roadmap=p.roadmap,
        online_flags=(p.online.national_portal, p.online.online_payment, p.online.postal),
        forms=len(p.forms), form_files=tuple(f.file for f in p.forms if f.file),
    )


def summary_values(s: ProcedureSummary) -> tuple[Any, ...]:
    """A summary as plain values, to store and send between processes (pickles ~5× faster than the object)."""
    return (s.code, s.name, s.agency, s.field, s.service_level, s.service_level_derived,
            tuple(t.value for t in s.tiers), s.life_events, tuple(x.value for x in s.subjects), s.updated,
            s.captured, None if s.retired is None else s.retired.model_dump(),
            None if s.roadmap is None else s.roadmap.model_dump(), s.online_flags, s.forms, s.form_files)


def summary_of(values: tuple[Any, ...]) -> ProcedureSummary:
    """The summary `summary_values` gave, with equal small values shared; ValueError when they do not fit."""
    try:
        (code, name, agency, field, level, derived, tiers, events, subjects, updated, captured, retired, roadmap,
         flags, forms, files) = values
        return ProcedureSummary(
            code=code, name=name, agency=_one(agency), field=_one(field), service_level=level,
            service_level_derived=derived, tiers=_one(tuple(Tier(t) for t in tiers)),
            life_events=_one(tuple(events)), subjects=_one(tuple(Subject(x) for x in subjects)), updated=updated,
            captured=_one(captured), retired=None if retired is None else Retirement.model_validate(retired),
            roadmap=None if roadmap is None else Roadmap.model_validate(roadmap), online_flags=_one(tuple(flags)),
            forms=forms, form_files=tuple(files),
        )
    except (TypeError, ValueError) as exc:
        raise ValueError("not a procedure summary") from exc

MetricName = Literal[
    "share_level_3_plus",
    "share_level_4",
    "share_national_portal",
    "share_online_payment",
    "share_postal",
    "share_applications_online",
]


class TargetScope(Strict):
    """Phạm vi: the whole catalogue, one tier, or one agency (exactly one or none)."""

    tier: Tier | None = Field(None, description="Cấp (tier)")
    agency: Slug | None = Field(None, description="Cơ quan (agency id)")


class Target(Strict):
    """Chỉ tiêu: a metric that must reach a threshold by a deadline."""

    id: Slug = Field(description="Mã chỉ tiêu (target id)")
    metric: MetricName = Field(description="Chỉ số đo (metric)")
    threshold: Annotated[StrictInt | StrictFloat, Field(ge=0, le=100)] = Field(description="Ngưỡng, phần trăm")
    scope: TargetScope = Field(default_factory=TargetScope)
    deadline: Date = Field(description="Hạn (deadline)")
    source: ShortText = Field(description="Văn bản đặt chỉ tiêu")
    source_url: HttpUrl | None = Field(None, description="Địa chỉ văn bản (source URL)")
    note: Text | None = Field(None, description="Ghi chú (note)")


class Synonym(Strict):
    """Từ đồng nghĩa cho tìm kiếm: what people type (`terms`) finds procedures that use `means`."""

    terms: Annotated[list[ShortText], Field(min_length=1)] = Field(
        description="Từ người dân gõ, ví dụ 'sổ hộ khẩu', 'CCCD'"
    )
    means: Annotated[list[ShortText], Field(min_length=1)] = Field(
        description="Từ trong tên hoặc từ khóa của thủ tục mà các từ trên chỉ tới, ví dụ 'cư trú'"
    )


class UsageRecord(Strict):
    """Số hồ sơ tiếp nhận trong một năm, cho một thủ tục hoặc một cơ quan."""

    year: Annotated[StrictInt, Field(ge=2000, le=2100)] = Field(description="Năm (year)")
    procedure: Code | None = Field(None, description="Mã thủ tục (procedure code)")
    agency: Slug | None = Field(None, description="Cơ quan (agency id)")
    received: Annotated[StrictInt, Field(ge=0)] = Field(description="Số hồ sơ tiếp nhận (applications received)")
    received_online: Annotated[StrictInt, Field(ge=0)] = Field(description="Số hồ sơ tiếp nhận trực tuyến (online)")
    source: ShortText | None = Field(None, description="Nguồn số liệu (source)")


# Keys the contract renamed, old → new: still read (with warning W401), written under the new name.
DEPRECATED_KEYS: dict[str, str] = {"tier": "tiers"}


def upgraded(data: dict[str, Any]) -> dict[str, Any]:
    """A procedure's raw data with deprecated keys under their new names (`tier: xa` → `tiers: [xa]`)."""
    if "tier" not in data or "tiers" in data:
        return data
    return {("tiers" if k == "tier" else k): ([v] if k == "tier" else v) for k, v in data.items()}


def is_slug(text: str) -> bool:
    return re.fullmatch(SLUG_PATTERN, text) is not None


class AgenciesFile(Strict):
    """agencies.yaml"""

    agencies: list[Agency] = Field(description="Các cơ quan (agencies)")


class FieldsFile(Strict):
    """fields.yaml"""

    fields: list[FieldOfWork] = Field(description="Các lĩnh vực (fields)")


class LifeEventsFile(Strict):
    """life_events.yaml"""

    life_events: list[LifeEvent] = Field(description="Các sự kiện cuộc sống (life events)")


class TargetsFile(Strict):
    """targets.yaml"""

    targets: list[Target] = Field(description="Các chỉ tiêu (targets)")


class SynonymsFile(Strict):
    """synonyms.yaml"""

    synonyms: list[Synonym]


class UsageFile(Strict):
    """usage.yaml"""

    usage: list[UsageRecord] = Field(description="Số liệu sử dụng (usage)")
