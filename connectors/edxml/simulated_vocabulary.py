"""Made-up but realistic agencies, document kinds, subjects and signers of a province's
document traffic. Agency ids follow the national electronic identifier scheme."""

from dataclasses import dataclass

__all__ = ["AGENCIES", "DOCUMENT_KINDS", "REVOCATION_REASONS", "SUBJECTS", "Agency", "DocumentKind"]


@dataclass(frozen=True, slots=True)
class Agency:
    organ_id: str
    name: str
    abbreviation: str
    """As in document notations, e.g. UBND in 123/UBND-VP."""
    address: str
    email: str
    head: str
    """Title of the head, e.g. CHỦ TỊCH, GIÁM ĐỐC; deputies sign as PHÓ …"""
    departments: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DocumentKind:
    type: int
    type_detail: int
    name: str
    notation: str
    """`{agency}` is replaced by the agency's abbreviation."""


AGENCIES = (
    Agency(
        "000.00.00.H41",
        "Ủy ban nhân dân tỉnh",
        "UBND",
        "Số 3 đường Trường Thi",
        "ubnd@tinh.gov.vn",
        "CHỦ TỊCH",
        ("Văn phòng UBND tỉnh", "Phòng Kinh tế ngành", "Phòng Nội chính"),
    ),
    Agency(
        "000.00.12.H41",
        "Sở Nông nghiệp và Môi trường",
        "SNNMT",
        "Số 1 đường Phan Đăng Lưu",
        "snnmt@tinh.gov.vn",
        "GIÁM ĐỐC",
        ("Văn phòng Sở", "Phòng Đất đai", "Chi cục Thủy lợi"),
    ),
    Agency(
        "000.00.05.H41",
        "Sở Tài chính",
        "STC",
        "Số 12 đường Nguyễn Thị Minh Khai",
        "stc@tinh.gov.vn",
        "GIÁM ĐỐC",
        ("Văn phòng Sở", "Phòng Quản lý ngân sách", "Phòng Tài chính doanh nghiệp"),
    ),
    Agency(
        "000.00.09.H41",
        "Sở Nội vụ",
        "SNV",
        "Số 8 đường Quang Trung",
        "snv@tinh.gov.vn",
        "GIÁM ĐỐC",
        ("Văn phòng Sở", "Phòng Xây dựng chính quyền", "Phòng Công chức, viên chức"),
    ),
    Agency(
        "000.00.14.H41",
        "Sở Khoa học và Công nghệ",
        "SKHCN",
        "Số 75 đường Nguyễn Thị Minh Khai",
        "skhcn@tinh.gov.vn",
        "GIÁM ĐỐC",
        ("Văn phòng Sở", "Phòng Chuyển đổi số", "Trung tâm Tích hợp dữ liệu"),
    ),
    Agency(
        "000.00.18.H41",
        "Sở Y tế",
        "SYT",
        "Số 18 đường Trường Thi",
        "syt@tinh.gov.vn",
        "GIÁM ĐỐC",
        ("Văn phòng Sở", "Phòng Nghiệp vụ Y"),
    ),
    Agency(
        "000.21.30.H41",
        "Ủy ban nhân dân xã Nghi Lộc",
        "UBND",
        "Trụ sở UBND xã Nghi Lộc",
        "nghiloc@tinh.gov.vn",
        "CHỦ TỊCH",
        ("Văn phòng HĐND và UBND xã", "Phòng Kinh tế"),
    ),
)

DOCUMENT_KINDS = (
    DocumentKind(1, 1, "Công văn", "{agency}-VP"),
    DocumentKind(1, 2, "Quyết định", "QĐ-{agency}"),
    DocumentKind(1, 3, "Kế hoạch", "KH-{agency}"),
    DocumentKind(1, 4, "Thông báo", "TB-{agency}"),
    DocumentKind(1, 5, "Báo cáo", "BC-{agency}"),
    DocumentKind(1, 6, "Tờ trình", "TTr-{agency}"),
)

SUBJECTS = (
    "V/v triển khai kết nối, liên thông văn bản điện tử qua Trục liên thông tỉnh",
    "V/v báo cáo tình hình giải quyết thủ tục hành chính quý III năm 2025",
    "Về việc phê duyệt Kế hoạch chuyển đổi số năm 2026",
    "V/v tăng cường công tác phòng, chống thiên tai, tìm kiếm cứu nạn",
    "V/v rà soát, cập nhật cơ sở dữ liệu đất đai sau sắp xếp đơn vị hành chính cấp xã",
    "Về việc giao dự toán ngân sách nhà nước năm 2026",
    "V/v đôn đốc thực hiện Đề án 06 của Chính phủ",
    "V/v bảo đảm an toàn thông tin mạng trong hoạt động của cơ quan nhà nước",
    "Về việc kiện toàn Tổ công tác cải cách thủ tục hành chính",
    "V/v cấp Giấy chứng nhận quyền sử dụng đất lần đầu cho hộ gia đình, cá nhân",
)

REVOCATION_REASONS = (
    "Thu hồi để bổ sung đơn vị phối hợp",
    "Văn bản ban hành sai thể thức, thu hồi để ban hành lại",
    "Gửi nhầm đơn vị nhận",
)
