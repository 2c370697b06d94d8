"""What the simulated land register of Nghệ An talks about: land-use codes, origins, reasons
of change, certificate series, and communes still recorded under the 2004 code list.

Commune codes reuse the one-stop-shop's 2025 list (`connectors.motcua.vocabulary.COMMUNES`).
The legacy communes are the wards and communes of the former Vinh city (district 412) before
the 2025 reorganisation; like the rest, the values are illustrative, not an official extract.
Some legacy codes equal 2025 codes of a different commune, as in the real lists.
"""

from dataclasses import dataclass

__all__ = [
    "AREA_CORRECTION",
    "CANCELLED",
    "CERTIFICATE_SERIES",
    "FARMLAND",
    "FIRST_REGISTRATION",
    "GARDEN",
    "LEGACY_COMMUNES",
    "LEGACY_DISTRICT",
    "ORIGINS",
    "RESIDENTIAL_RURAL",
    "RESIDENTIAL_URBAN",
    "TRANSFER_REASONS",
    "LandUseKind",
    "LegacyCommune",
    "Reason",
]


@dataclass(frozen=True, slots=True)
class LegacyCommune:
    code: str
    name: str
    urban: bool


@dataclass(frozen=True, slots=True)
class LandUseKind:
    code: str
    name: str
    lasting: bool
    """Residential land is held for good; farmland for a term (50 years)."""
    min_m2: int
    max_m2: int


LEGACY_DISTRICT = "thành phố Vinh"

LEGACY_COMMUNES = (
    LegacyCommune("16666", "Phường Đông Vĩnh", urban=True),
    LegacyCommune("16669", "Phường Hà Huy Tập", urban=True),
    LegacyCommune("16672", "Phường Lê Lợi", urban=True),
    LegacyCommune("16678", "Phường Hưng Bình", urban=True),
    LegacyCommune("16681", "Phường Hưng Phúc", urban=True),
    LegacyCommune("16690", "Phường Quang Trung", urban=True),
    LegacyCommune("16699", "Phường Trường Thi", urban=True),
    LegacyCommune("16702", "Phường Bến Thủy", urban=True),
    LegacyCommune("16711", "Xã Nghi Phú", urban=False),
    LegacyCommune("16717", "Xã Hưng Lộc", urban=False),
)

RESIDENTIAL_URBAN = LandUseKind("ODT", "Đất ở tại đô thị", lasting=True, min_m2=45, max_m2=220)
RESIDENTIAL_RURAL = LandUseKind("ONT", "Đất ở tại nông thôn", lasting=True, min_m2=120, max_m2=400)
GARDEN = LandUseKind("CLN", "Đất trồng cây lâu năm", lasting=False, min_m2=80, max_m2=600)
FARMLAND = (
    LandUseKind("LUC", "Đất chuyên trồng lúa", lasting=False, min_m2=360, max_m2=2_500),
    LandUseKind("HNK", "Đất trồng cây hằng năm khác", lasting=False, min_m2=200, max_m2=1_500),
    LandUseKind("NTS", "Đất nuôi trồng thủy sản", lasting=False, min_m2=500, max_m2=5_000),
    LandUseKind("RSX", "Đất rừng sản xuất", lasting=False, min_m2=2_000, max_m2=30_000),
)

ORIGINS = {
    "ODT": (
        "Nhà nước giao đất có thu tiền sử dụng đất",
        "Công nhận quyền sử dụng đất như giao đất có thu tiền sử dụng đất",
    ),
    "ONT": (
        "Công nhận quyền sử dụng đất như giao đất có thu tiền sử dụng đất",
        "Nhà nước giao đất có thu tiền sử dụng đất",
    ),
    "farm": (
        "Nhà nước giao đất không thu tiền sử dụng đất",
        "Công nhận quyền sử dụng đất như giao đất không thu tiền sử dụng đất",
    ),
}


@dataclass(frozen=True, slots=True)
class Reason:
    text: str
    transfers: bool
    """Whether the holders change (the parcel gets a new certificate)."""


TRANSFER_REASONS = (
    Reason("Nhận chuyển nhượng quyền sử dụng đất", transfers=True),
    Reason("Nhận tặng cho quyền sử dụng đất", transfers=True),
    Reason("Nhận thừa kế quyền sử dụng đất", transfers=True),
)
FIRST_REGISTRATION = "Đăng ký, cấp Giấy chứng nhận lần đầu"
AREA_CORRECTION = "Đo đạc lại, chỉnh lý diện tích theo bản đồ địa chính"
CANCELLED = "Hủy thửa đất do đăng ký trùng, nhập sai thông tin"

CERTIFICATE_SERIES = ("CS", "CT", "CV", "CX", "CY", "DA", "DB", "DC", "DE", "DG")
"""Two-letter series printed before the six-digit number of a certificate form."""
