"""The portal's names for agencies, fields, tiers and subjects → catalogue ids.

`co_quan_thuc_hien` comes in ~90 spellings, some of them lists ("A, B")
whose names themselves contain commas. A list is split by matching known
names, longest first; anything unknown is left to the caller to flag.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Agency, Subject, Tier
from .text import fold, one_line, slugify

BTP, BCA = "bo-tu-phap", "bo-cong-an"


@dataclass(frozen=True)
class AgencyEntry:
    """One agency of agencies.yaml and the portal spellings that mean it."""

    id: str
    name: str
    tier: Tier
    parent: str | None
    spellings: tuple[str, ...] = ()


_B, _T, _H, _X, _K = Tier.BO, Tier.TINH, Tier.HUYEN, Tier.XA, Tier.KHAC

AGENCIES: tuple[AgencyEntry, ...] = (
    AgencyEntry(BTP, "Bộ Tư pháp", _B, None, ("Bộ Tư pháp",)),
    AgencyEntry(BCA, "Bộ Công an", _B, None, ("Bộ Công an",)),
    # Bộ Công an: its departments, then provincial, district and commune police.
    AgencyEntry("cuc-quan-ly-xuat-nhap-canh", "Cục Quản lý xuất nhập cảnh", _B, BCA,
                ("Cục quản lý xuất nhập cảnh",)),
    AgencyEntry("cuc-canh-sat-quan-ly-hanh-chinh-ve-trat-tu-xa-hoi",
                "Cục Cảnh sát quản lý hành chính về trật tự xã hội", _B, BCA,
                ("Cục cảnh sát quản lý hành chính về trật tự, xã hội",
                 "Cục Cảnh sát quản lý hành chính về trật tự xã hội")),
    AgencyEntry("cuc-an-ninh-mang", "Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao", _B, BCA,
                ("Cục an ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao",)),
    AgencyEntry("cuc-canh-sat-giao-thong", "Cục Cảnh sát giao thông", _B, BCA, ("Cục cảnh sát giao thông",)),
    AgencyEntry("cuc-canh-sat-pccc-va-cnch", "Cục Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ", _B, BCA,
                ("Cục cảnh sát phòng cháy, chữa cháy và cứu nạn cứu hộ",)),
    AgencyEntry("cuc-ho-so-nghiep-vu", "Cục Hồ sơ nghiệp vụ", _B, BCA, ("Cục hồ sơ nghiệp vụ",)),
    AgencyEntry("cuc-khoa-hoc-chien-luoc-va-lich-su-cong-an", "Cục Khoa học, chiến lược và lịch sử Công an", _B,
                BCA, ("Cục khoa học, chiến lược và lịch sử Công an",)),
    AgencyEntry("cuc-to-chuc-can-bo", "Cục Tổ chức cán bộ", _B, BCA, ("Cục tổ chức cán bộ",)),
    AgencyEntry("cuc-y-te-bo-cong-an", "Cục Y tế, Bộ Công an", _B, BCA, ("Cục y tế-Bộ Công an",)),
    AgencyEntry("cuc-chinh-sach", "Cục Chính sách", _B, BCA, ("Cục Chính sách",)),
    AgencyEntry("thanh-tra-bo-cong-an", "Thanh tra Bộ Công an", _B, BCA, ("Thanh tra Bộ",)),
    AgencyEntry("cong-an-tinh", "Công an cấp tỉnh", _T, BCA, ("Công an tỉnh", "Công an cấp Tỉnh")),
    AgencyEntry("phong-quan-ly-xuat-nhap-canh", "Phòng Quản lý xuất nhập cảnh, Công an cấp tỉnh", _T,
                "cong-an-tinh", ("Phòng quản lý xuất nhập cảnh", "Phòng Xuất nhập cảnh")),
    AgencyEntry("phong-canh-sat-quan-ly-hanh-chinh-ve-trat-tu-xa-hoi",
                "Phòng Cảnh sát quản lý hành chính về trật tự xã hội, Công an cấp tỉnh", _T, "cong-an-tinh",
                ("Phòng cảnh sát quản lý hành chính về trật tự xã hội",)),
    AgencyEntry("phong-canh-sat-giao-thong", "Phòng Cảnh sát giao thông, Công an cấp tỉnh", _T, "cong-an-tinh",
                ("Phòng Cảnh sát giao thông",)),
    AgencyEntry("phong-canh-sat-pccc-va-cnch-tp-hcm",
                "Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ TP HCM", _T, "cong-an-tinh",
                ("Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ TP HCM",)),
    AgencyEntry("phong-thanh-tra-cong-an-tinh", "Phòng Thanh tra, Công an cấp tỉnh", _T, "cong-an-tinh",
                ("Phòng Thanh Tra",)),
    AgencyEntry("cong-an-huyen", "Công an cấp huyện", _H, "cong-an-tinh", ("Công an huyện",)),
    AgencyEntry("cong-an-xa", "Công an cấp xã", _X, "cong-an-tinh", ("Công an cấp Xã",)),
    # Bộ Tư pháp: its departments, provincial departments of justice and the bodies they oversee.
    AgencyEntry("cuc-bo-tro-tu-phap", "Cục Bổ trợ tư pháp", _B, BTP, ("Cục Bổ trợ tư pháp",)),
    AgencyEntry("cuc-hanh-chinh-tu-phap", "Cục Hành chính tư pháp", _B, BTP, ("Cục Hành chính tư pháp",)),
    AgencyEntry("co-quan-quan-ly-csdl-ho-tich-dien-tu", "Cơ quan quản lý cơ sở dữ liệu hộ tịch điện tử", _B, BTP,
                ("Cơ quan quản lý cơ sở dữ liệu hộ tịch điện tử",)),
    AgencyEntry("trung-tam-dang-ky-giao-dich-tai-san", "Trung tâm Đăng ký giao dịch, tài sản", _B, BTP,
                ("Trung tâm Đăng ký giao dịch, tài sản",)),
    AgencyEntry("so-tu-phap", "Sở Tư pháp", _T, BTP, ("Sở Tư pháp", "Giám đốc Sở Tư pháp")),
    AgencyEntry("so-tu-phap-ha-noi", "Sở Tư pháp thành phố Hà Nội", _T, BTP, ("Sở Tư pháp Thành phố Hà Nội",)),
    AgencyEntry("trung-tam-tro-giup-phap-ly-nha-nuoc", "Trung tâm trợ giúp pháp lý nhà nước", _T, "so-tu-phap",
                ("Trung tâm trợ giúp pháp lý nhà nước", "Giám đốc Trung tâm trợ giúp pháp lý")),
    AgencyEntry("thi-hanh-an-dan-su-tinh", "Thi hành án dân sự tỉnh, thành phố", _T, BTP,
                ("Thi hành án dân sự tỉnh, thành phố",)),
    AgencyEntry("phong-tu-phap", "Phòng Tư pháp", _H, BTP, ("Phòng Tư Pháp",)),
    AgencyEntry("to-chuc-hanh-nghe-cong-chung", "Tổ chức hành nghề công chứng", _K, None,
                ("Tổ chức hành nghề công chứng",)),
    AgencyEntry("to-chuc-hanh-nghe-luat-su", "Tổ chức hành nghề luật sư", _K, None, ("Tổ chức hành nghề luật sư",)),
    AgencyEntry("to-chuc-tu-van-phap-luat", "Tổ chức tư vấn pháp luật", _K, None, ("Tổ chức tư vấn pháp luật",)),
    AgencyEntry("to-chuc-thuc-hien-tro-giup-phap-ly", "Tổ chức thực hiện trợ giúp pháp lý", _K, None,
                ("Người đứng đầu của tổ chức thực hiện trợ giúp pháp lý",)),
    AgencyEntry("co-quan-to-chuc-quan-ly-so-goc", "Cơ quan, tổ chức đang quản lý sổ gốc", _K, None,
                ("Cơ quan, tổ chức đang quản lý sổ gốc",)),
    AgencyEntry("co-quan-giai-quyet-boi-thuong-trung-uong",
                "Cơ quan giải quyết bồi thường nhà nước ở cấp trung ương", _B, None,
                ("Cơ quan trực tiếp quản lý người thi hành công vụ gây thiệt hại trong hoạt động quản lý hành "
                 "chính, tố tụng, thi hành án quy định từ Điều 33 đến Điều 39 của Luật TNBTCNN năm 2017 ở cấp "
                 "Trung ương",)),
    AgencyEntry("co-quan-giai-quyet-boi-thuong-tinh", "Cơ quan giải quyết bồi thường nhà nước ở cấp tỉnh", _T, None,
                ("Cơ quan giải quyết bồi thường là cơ quan trực tiếp quản lý người thi hành công vụ gây thiệt hại "
                 "trong hoạt động quản lý hành chính, tố tụng, thi hành án quy định từ Điều 33 đến Điều 39 của "
                 "Luật TNBTCNN năm 2017 ở cấp tỉnh",)),
    AgencyEntry("co-quan-giai-quyet-boi-thuong-xa", "Cơ quan giải quyết bồi thường nhà nước ở cấp xã", _X, None,
                ("Cơ quan trực tiếp quản lý người thi hành công vụ gây thiệt hại trong hoạt động quản lý hành "
                 "chính quy định tại Điều 33 của Luật TNBTCNN năm 2017 ở cấp xã",)),
    # Local government and agencies of other ministries named by these records.
    AgencyEntry("ubnd-tinh", "Ủy ban nhân dân cấp tỉnh", _T, None,
                ("Ủy ban nhân dân cấp tỉnh", "Chủ tịch ủy ban nhân dân cấp tỉnh",
                 "Ủy ban nhân dân tỉnh và thành phố trực thuộc Trung ương")),
    AgencyEntry("ubnd-xa", "Ủy ban nhân dân cấp xã", _X, None,
                ("Ủy ban Nhân dân xã, phường, thị trấn", "Chủ tịch UBND cấp xã")),
    AgencyEntry("bo-co-quan-ngang-bo", "Bộ, cơ quan ngang Bộ, cơ quan thuộc Chính phủ", _B, None,
                ("Bộ, cơ quan ngang Bộ, cơ quan thuộc Chính phủ",)),
    AgencyEntry("co-quan-dai-dien", "Cơ quan đại diện Việt Nam ở nước ngoài", _K, None,
                ("Cơ quan đại diện có thẩm quyền",)),
    AgencyEntry("co-quan-dang-ky-tau-bien", "Cơ quan đăng ký tàu biển Việt Nam", _B, None,
                ("Cơ quan đăng ký tàu biển Việt Nam",)),
    AgencyEntry("cuc-hang-khong-viet-nam", "Cục Hàng không Việt Nam", _B, None, ("Cục Hàng không Việt Nam",)),
    AgencyEntry("van-phong-dang-ky-dat-dai", "Văn phòng Đăng ký đất đai", _T, None, ("Văn phòng Đăng ký đất đai",)),
    AgencyEntry("bao-hiem-xa-hoi-tinh", "Bảo hiểm xã hội cấp tỉnh", _T, None, ("Bảo hiểm xã hội tỉnh",)),
    AgencyEntry("cong-doan-co-quan-bhxh-viet-nam", "Công đoàn cơ quan Bảo hiểm xã hội Việt Nam", _K, None,
                ("Công đoàn cơ quan BHXH Việt Nam",)),
    AgencyEntry("ban-thi-dua-khen-thuong-trung-uong", "Ban Thi đua - Khen thưởng Trung ương, Bộ Nội vụ", _B, None,
                ("Ban Thi đua - Khen thưởng Trung ương - Bộ Nội vụ",)),
    AgencyEntry("so-lao-dong-thuong-binh-va-xa-hoi", "Sở Lao động - Thương binh và Xã hội", _T, None,
                ("Sở Lao động-Thương binh và Xã hội",)),
    AgencyEntry("phong-thi-hanh-an-cap-quan-khu", "Phòng thi hành án cấp quân khu", _K, None,
                ("Phòng thi hành án cấp quân khu",)),
)

_BY_SPELLING: dict[str, str] = {
    fold(one_line(spelling)).rstrip("."): entry.id for entry in AGENCIES for spelling in entry.spellings
}
# Longest first, so "Cục cảnh sát …, xã hội" wins over a shorter name.
_SPELLINGS = sorted(_BY_SPELLING, key=len, reverse=True)
# Names that mean "the head of the ministry that published the record".
MINISTER = "bo truong"


def agencies() -> list[Agency]:
    """agencies.yaml: every agency, ministries first, then by id."""
    entries = sorted(AGENCIES, key=lambda e: (e.parent is not None or e.tier is not Tier.BO, e.id))
    return [Agency(id=e.id, name=e.name, tier=e.tier, parent=e.parent) for e in entries]


def split_agencies(text: str) -> tuple[list[str], str]:
    """Known agency ids named in `text`, in order, and whatever could not be matched."""
    rest = fold(one_line(text)).rstrip(".")
    found: list[str] = []
    while rest:
        spelling = next((s for s in _SPELLINGS if rest == s or rest.startswith(s + ", ")), None)
        if spelling is None:
            return found, rest
        if _BY_SPELLING[spelling] not in found:
            found.append(_BY_SPELLING[spelling])
        rest = rest[len(spelling):].removeprefix(", ")
    return found, ""


TIERS = {"Cấp bộ": Tier.BO, "Cấp tỉnh": Tier.TINH, "Cấp huyện": Tier.HUYEN, "Cấp xã": Tier.XA,
         "Cơ quan khác": Tier.KHAC}

SUBJECTS = {
    "Công dân Việt Nam": Subject.CONG_DAN,
    "Người Việt Nam định cư ở nước ngoài": Subject.NGUOI_VIET_NAM_O_NUOC_NGOAI,
    "Người nước ngoài cư trú tại Việt Nam": Subject.NGUOI_NUOC_NGOAI,
    "Người nước ngoài": Subject.NGUOI_NUOC_NGOAI,
    "Cán bộ, công chức, viên chức": Subject.CAN_BO,
    "Doanh nghiệp có vốn đầu tư nước ngoài": Subject.DOANH_NGHIEP_FDI,
    "Doanh nghiệp Việt Nam": Subject.DOANH_NGHIEP,
    "Doanh nghiệp": Subject.DOANH_NGHIEP,
    "Hợp tác xã": Subject.HOP_TAC_XA,
    "Tổ chức (không bao gồm doanh nghiệp, HTX)": Subject.TO_CHUC,
    "Tổ chức nước ngoài": Subject.TO_CHUC_NUOC_NGOAI,
}


def split_labels(text: str, labels: dict[str, Tier] | dict[str, Subject]) -> tuple[list[str], str]:
    """Values of the labels listed in `text` ("A, B"), in order, and any unmatched rest."""
    rest, found = one_line(text), list[str]()
    ordered = sorted(labels, key=len, reverse=True)
    while rest:
        label = next((k for k in ordered if rest == k or rest.startswith(k + ", ")), None)
        if label is None:
            return found, rest
        value = str(labels[label])
        if value not in found:
            found.append(value)
        rest = rest[len(label):].removeprefix(", ")
    return found, ""


def field_id(name: str) -> str:
    """A field's id: the slug of its portal name."""
    return slugify(name, 80)
