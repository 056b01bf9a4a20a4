"""Hand-checked additions for the procedures citizens use most.

Each entry was read against its raw record. Keywords and life events are
editorial (how citizens search and group them); an `agency` is set only
where the record leaves `co_quan_thuc_hien` empty or wrong and its own
steps (trinh_tu_thuc_hien) name the executing agency.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import LifeEvent


@dataclass(frozen=True)
class Extra:
    """What the hand check adds to one procedure."""

    keywords: list[str] = field(default_factory=list)
    life_events: list[str] = field(default_factory=list)
    agency: str | None = None


LIFE_EVENTS: tuple[LifeEvent, ...] = (
    LifeEvent(id="sinh-con", name="Sinh con", description="Khai sinh, nhận cha mẹ con, thẻ bảo hiểm y tế cho trẻ."),
    LifeEvent(id="ket-hon", name="Kết hôn", description="Đăng ký kết hôn và đăng ký lại kết hôn."),
    LifeEvent(id="qua-doi", name="Khi có người qua đời", description="Đăng ký khai tử và đăng ký lại khai tử."),
    LifeEvent(id="cu-tru", name="Nơi ở, cư trú", description="Thường trú, tạm trú, tạm vắng, lưu trú."),
    LifeEvent(id="giay-to-tuy-than", name="Giấy tờ tùy thân", description="Thẻ căn cước, căn cước điện tử."),
    LifeEvent(id="ban-sao-chung-thuc", name="Bản sao, trích lục, chứng thực",
              description="Bản sao giấy tờ hộ tịch, bản sao từ sổ gốc, chứng thực bản sao và chữ ký."),
    LifeEvent(id="ly-lich-tu-phap", name="Lý lịch tư pháp", description="Phiếu lý lịch tư pháp."),
    LifeEvent(id="xuat-nhap-canh", name="Đi nước ngoài", description="Hộ chiếu phổ thông."),
    LifeEvent(id="lai-xe", name="Lái xe và đăng ký xe", description="Giấy phép lái xe, đăng ký xe, biển số."),
)

_KHAI_SINH = ["khai sinh", "giấy khai sinh", "làm giấy khai sinh", "đăng ký khai sinh"]
_CAN_CUOC = ["căn cước", "thẻ căn cước", "CCCD", "căn cước công dân", "làm căn cước"]
_HO_CHIEU = ["hộ chiếu", "passport", "làm hộ chiếu"]
_GPLX = ["giấy phép lái xe", "bằng lái xe", "GPLX"]
_DANG_KY_XE = ["đăng ký xe", "biển số xe", "cà vẹt xe"]
_LLTP = ["lý lịch tư pháp", "phiếu lý lịch tư pháp", "lý lịch tư pháp số 1", "lý lịch tư pháp số 2"]

EXTRAS: dict[str, Extra] = {
    # Hộ tịch. 1.001193, 1.004884 and 2.001023 name no (or a wrong) agency; their
    # steps send the file to "Ủy ban nhân dân cấp xã có thẩm quyền".
    "1.001193": Extra(_KHAI_SINH, ["sinh-con"], "ubnd-xa"),
    "1.004884": Extra(["đăng ký lại khai sinh", *_KHAI_SINH], ["sinh-con"], "ubnd-xa"),
    "1.000689": Extra(["nhận cha mẹ con", *_KHAI_SINH], ["sinh-con"]),
    "2.001023": Extra(["liên thông", "bảo hiểm y tế trẻ em", *_KHAI_SINH], ["sinh-con"], "ubnd-xa"),
    "2.000986": Extra(["liên thông", "đăng ký thường trú cho trẻ", "bảo hiểm y tế trẻ em", *_KHAI_SINH],
                      ["sinh-con", "cu-tru"]),
    "1.000894": Extra(["kết hôn", "đăng ký kết hôn", "giấy chứng nhận kết hôn", "giấy đăng ký kết hôn"],
                      ["ket-hon"]),
    "1.004746": Extra(["đăng ký lại kết hôn", "kết hôn"], ["ket-hon"]),
    "1.000656": Extra(["khai tử", "đăng ký khai tử", "trích lục khai tử", "giấy chứng tử"], ["qua-doi"]),
    "1.005461": Extra(["đăng ký lại khai tử", "khai tử"], ["qua-doi"]),
    # Bản sao, trích lục, chứng thực.
    "2.000635": Extra(["trích lục", "bản sao giấy khai sinh", "trích lục hộ tịch"], ["ban-sao-chung-thuc"]),
    "2.000815": Extra(["chứng thực bản sao", "sao y bản chính", "công chứng bản sao"], ["ban-sao-chung-thuc"]),
    "2.000884": Extra(["chứng thực chữ ký", "chứng thực điểm chỉ"], ["ban-sao-chung-thuc"]),
    "2.000908": Extra(["bản sao từ sổ gốc", "cấp bản sao"], ["ban-sao-chung-thuc"]),
    "2.000942": Extra(["bản sao giao dịch", "chứng thực"], ["ban-sao-chung-thuc"]),
    # Lý lịch tư pháp.
    "3.000330": Extra(_LLTP, ["ly-lich-tu-phap"]),
    "3.000333": Extra(_LLTP, ["ly-lich-tu-phap"]),
    "3.000335": Extra(_LLTP, ["ly-lich-tu-phap"]),
    # Cư trú.
    "1.004222": Extra(["thường trú", "đăng ký thường trú", "nhập hộ khẩu", "hộ khẩu"], ["cu-tru"]),
    "1.004194": Extra(["tạm trú", "đăng ký tạm trú", "KT3"], ["cu-tru"]),
    "1.002755": Extra(["gia hạn tạm trú", "tạm trú"], ["cu-tru"]),
    "1.003677": Extra(["tạm vắng", "khai báo tạm vắng"], ["cu-tru"]),
    "1.003197": Extra(["xóa đăng ký thường trú", "xóa hộ khẩu", "thường trú"], ["cu-tru"]),
    "2.001159": Extra(["lưu trú", "thông báo lưu trú", "khai báo lưu trú"], ["cu-tru"]),
    # Căn cước.
    "1.014061": Extra(["cấp thẻ căn cước", *_CAN_CUOC], ["giay-to-tuy-than"]),
    "1.014062": Extra(["căn cước cho trẻ em", "cấp thẻ căn cước", *_CAN_CUOC], ["giay-to-tuy-than"]),
    "1.014063": Extra(["cấp đổi thẻ căn cước", "đổi căn cước", *_CAN_CUOC], ["giay-to-tuy-than"]),
    "1.014064": Extra(["cấp lại thẻ căn cước", "mất căn cước", *_CAN_CUOC], ["giay-to-tuy-than"]),
    "3.000228": Extra(["định danh điện tử", "VNeID", "căn cước điện tử", "tài khoản định danh mức 2"],
                      ["giay-to-tuy-than"]),
    # Hộ chiếu.
    "1.001456": Extra(["cấp hộ chiếu", *_HO_CHIEU], ["xuat-nhap-canh"]),
    "1.001471": Extra(["cấp hộ chiếu", *_HO_CHIEU], ["xuat-nhap-canh"]),
    "1.010386": Extra(["mất hộ chiếu", "trình báo mất hộ chiếu", *_HO_CHIEU], ["xuat-nhap-canh"]),
    # Lái xe, đăng ký xe.
    "3.000346": Extra(["cấp giấy phép lái xe", "thi bằng lái", *_GPLX], ["lai-xe"]),
    "3.000347": Extra(["đổi giấy phép lái xe", "đổi bằng lái", *_GPLX], ["lai-xe"]),
    "3.000348": Extra(["cấp lại giấy phép lái xe", "mất bằng lái", *_GPLX], ["lai-xe"]),
    "3.000353": Extra(["giấy phép lái xe quốc tế", "IDP", *_GPLX], ["lai-xe"]),
    "1.013067": Extra(["đăng ký xe lần đầu", *_DANG_KY_XE], ["lai-xe"]),
    "1.012575": Extra(["đăng ký xe trực tuyến", "đăng ký xe lần đầu", *_DANG_KY_XE], ["lai-xe"]),
    "1.013076": Extra(["sang tên xe", "đổi chủ xe", *_DANG_KY_XE], ["lai-xe"]),
}

_NONE = Extra()


def for_code(code: str) -> Extra:
    """The hand-checked additions for a procedure code (nothing for most)."""
    return EXTRAS.get(code, _NONE)
