"""What the simulated one-stop-shop of Nghệ An (agency suffix H41, province code 40) talks about.

Procedure codes follow the national database's `d.dddddd` format and communes the 2025 list's
five-digit format; the values are illustrative, not an extract of the official lists.
"""

from dataclasses import dataclass

__all__ = [
    "AGENCIES",
    "BUSINESS_BRANDS",
    "BUSINESS_FORMS",
    "BUSINESS_SECTORS",
    "COMMUNES",
    "FAMILY_NAMES",
    "FEMALE_GIVEN",
    "FEMALE_MIDDLE",
    "MALE_GIVEN",
    "MALE_MIDDLE",
    "PROCEDURES",
    "PROVINCE_CODE",
    "STREETS",
    "SUPPLEMENT_REQUESTS",
    "Agency",
    "Commune",
    "Procedure",
]

PROVINCE_CODE = "40"


@dataclass(frozen=True, slots=True)
class Commune:
    code: str
    name: str
    urban: bool


@dataclass(frozen=True, slots=True)
class Agency:
    agency_id: str
    name: str
    dossier_prefix: str
    unit: str
    """The specialised unit that appraises dossiers after the one-stop desk receives them."""


@dataclass(frozen=True, slots=True)
class Procedure:
    code: str
    local_code: str
    field_code: str
    name: str
    agency: str
    working_days: int
    fee_vnd: int
    for_business: bool = False


COMMUNES = (
    Commune("16681", "Phường Trường Vinh", urban=True),
    Commune("16690", "Phường Thành Vinh", urban=True),
    Commune("16702", "Phường Vinh Hưng", urban=True),
    Commune("16711", "Phường Vinh Phú", urban=True),
    Commune("16735", "Phường Vinh Lộc", urban=True),
    Commune("16750", "Phường Cửa Lò", urban=True),
    Commune("16939", "Phường Hoàng Mai", urban=True),
    Commune("16768", "Phường Thái Hòa", urban=True),
    Commune("17125", "Xã Diễn Châu", urban=False),
    Commune("17431", "Xã Nghi Lộc", urban=False),
    Commune("17635", "Xã Hưng Nguyên", urban=False),
    Commune("17869", "Xã Nam Đàn", urban=False),
    Commune("17980", "Xã Kim Liên", urban=False),
    Commune("17224", "Xã Yên Thành", urban=False),
    Commune("17359", "Xã Đô Lương", urban=False),
    Commune("17533", "Xã Thanh Chương", urban=False),
    Commune("16813", "Xã Con Cuông", urban=False),
    Commune("16897", "Xã Quỳnh Anh", urban=False),
)

AGENCIES = {
    "commune": Agency(
        "000.00.16.H41", "UBND phường Trường Vinh", "H41.16", "Phòng Văn hóa - Xã hội"
    ),
    "land": Agency("000.05.00.H41", "Văn phòng đăng ký đất đai", "H41.05", "Phòng Đăng ký đất đai"),
    "building": Agency("000.20.00.H41", "Sở Xây dựng", "H41.20", "Phòng Quản lý xây dựng"),
    "finance": Agency("000.09.00.H41", "Sở Tài chính", "H41.09", "Phòng Đăng ký kinh doanh"),
}

# fmt: off
PROCEDURES = (
    # code, local code, field, name, receiving agency, working days, fee (đồng)
    Procedure("1.001193", "HT-01", "HT", "Đăng ký khai sinh", "commune", 1, 0),
    Procedure("1.000894", "HT-02", "HT", "Đăng ký kết hôn", "commune", 3, 0),
    Procedure("1.000656", "HT-03", "HT", "Đăng ký khai tử", "commune", 1, 0),
    Procedure("2.000815", "CT-01", "CT", "Chứng thực bản sao từ bản chính", "commune", 1, 2_000),
    Procedure("1.004227", "DD-01", "DD", "Đăng ký biến động quyền sử dụng đất", "land", 10, 50_000),
    Procedure("1.004203", "DD-02", "DD", "Cấp đổi giấy chứng nhận quyền sử dụng đất",
              "land", 7, 70_000),
    Procedure("1.009972", "XD-01", "XD", "Cấp giấy phép xây dựng nhà ở riêng lẻ",
              "building", 15, 75_000),
    Procedure("2.000720", "KD-01", "DKKD", "Đăng ký thành lập hộ kinh doanh",
              "commune", 3, 100_000),
    Procedure("2.001610", "KD-02", "DKKD", "Đăng ký thành lập công ty TNHH",
              "finance", 3, 50_000, for_business=True),
    Procedure("2.002006", "KD-03", "DKKD", "Đăng ký thay đổi nội dung đăng ký doanh nghiệp",
              "finance", 3, 50_000, for_business=True),
)

FAMILY_NAMES = (  # with rough weights, in percent of the population
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 10), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 2), ("Phan", 4),
    ("Vũ", 2), ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 1), ("Hồ", 2), ("Ngô", 1), ("Dương", 1),
    ("Đinh", 1), ("Thái", 1),
)
MALE_MIDDLE = ("Văn", "Đức", "Hữu", "Minh", "Quang", "Công", "Thanh", "Xuân", "Đình")
FEMALE_MIDDLE = ("Thị", "Ngọc", "Thu", "Thanh", "Thùy", "Phương", "Khánh", "Hoài")
MALE_GIVEN = (
    "Hùng", "Dũng", "Tuấn", "Hải", "Nam", "Long", "Quân", "Thắng", "Cường", "Phúc", "Đạt", "Khoa",
    "Hiếu", "Sơn", "Trung", "Việt", "Lộc", "Nghĩa",
)
FEMALE_GIVEN = (
    "Hương", "Lan", "Hoa", "Trang", "Thảo", "Linh", "Ngọc", "Huyền", "Mai", "Yến", "Nhung", "Hằng",
    "Phượng", "Thúy", "Giang", "Ánh", "Diệp", "Loan",
)
STREETS = (
    "Lê Lợi", "Quang Trung", "Nguyễn Du", "Trần Phú", "Phan Đình Phùng", "Lê Hồng Phong",
    "Nguyễn Thị Minh Khai", "Hồ Tùng Mậu", "Trường Thi", "Lý Thường Kiệt", "Đinh Công Tráng",
    "Nguyễn Sỹ Sách", "Mai Hắc Đế", "Hà Huy Tập", "Phượng Hoàng", "Đặng Thai Mai",
)
BUSINESS_FORMS = ("Công ty TNHH", "Công ty TNHH MTV", "Công ty cổ phần")
BUSINESS_SECTORS = (
    "Thương mại", "Xây dựng", "Vận tải", "Nông sản", "Dịch vụ", "Du lịch", "Thực phẩm",
    "Vật liệu xây dựng", "Đầu tư và Phát triển",
)
BUSINESS_BRANDS = (
    "Hoàng Long", "Minh Phát", "Thành Đạt", "Phú Gia", "Sông Lam", "Hồng Lĩnh", "Trường Thành",
    "An Phú", "Đại Việt", "Kim Liên", "Xứ Nghệ", "Bến Thủy",
)
SUPPLEMENT_REQUESTS = (
    "Bổ sung bản sao giấy chứng nhận quyền sử dụng đất",
    "Bổ sung tờ khai có chữ ký của người yêu cầu", "Bổ sung bản vẽ thiết kế mặt bằng công trình",
    "Bổ sung văn bản ủy quyền có chứng thực", "Bổ sung giấy xác nhận tình trạng hôn nhân",
)
# fmt: on
