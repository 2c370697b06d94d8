"""The simulator's bookkeeping: open dossiers by status, new dossiers, what officials write."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from random import Random

from connectors.motcua.applicants import fake_applicant
from connectors.motcua.department import PROVINCE_TIME, DeptDossier, DeptStep
from connectors.motcua.lifecycle import ALLOWED_FROM, Action, Status, add_working_days
from connectors.motcua.vocabulary import AGENCIES, PROCEDURES, PROVINCE_CODE, SUPPLEMENT_REQUESTS

__all__ = ["DossierPool", "new_dossier", "step_note"]

_DESK = "Bộ phận Một cửa"
_APPRAISALS = (
    "Thẩm định hồ sơ",
    "Kiểm tra thực địa",
    "Lấy ý kiến cơ quan liên quan",
    "Trình lãnh đạo phê duyệt",
)


class _Bucket:
    """Dossiers of one status: O(1) add, remove and uniform pick, in a reproducible order."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.index: dict[str, int] = {}

    def add(self, key: str) -> None:
        self.index[key] = len(self.keys)
        self.keys.append(key)

    def remove(self, key: str) -> None:
        position = self.index.pop(key)
        last = self.keys.pop()
        if last != key:
            self.keys[position] = last
            self.index[last] = position


class DossierPool:
    """The dossiers still open, grouped by status, so each action picks one it may act on."""

    def __init__(self, dossiers: Iterable[DeptDossier] = ()) -> None:
        self._dossiers: dict[str, DeptDossier] = {}
        self._buckets: dict[str, _Bucket] = {status.value: _Bucket() for status in Status}
        for dossier in dossiers:
            self.add(dossier)

    def __len__(self) -> int:
        return len(self._dossiers)

    def add(self, dossier: DeptDossier) -> None:
        self.discard(dossier.dossier_no)
        self._dossiers[dossier.dossier_no] = dossier
        self._buckets[dossier.status].add(dossier.dossier_no)

    def discard(self, dossier_no: str) -> None:
        dossier = self._dossiers.pop(dossier_no, None)
        if dossier is not None:
            self._buckets[dossier.status].remove(dossier_no)

    def choose(
        self, rng: Random, weights: Mapping[Action, int], *, receive_weight: int
    ) -> tuple[Action, DeptDossier | None]:
        """An action and a dossier it is valid for; `(RECEIVE, None)` for a new dossier."""
        possible = [
            action
            for action in weights
            if any(self._buckets[status].keys for status in sorted(ALLOWED_FROM[action]))
        ]
        actions = [Action.RECEIVE, *possible]
        action = rng.choices(actions, weights=[receive_weight, *(weights[a] for a in possible)])[0]
        if action is Action.RECEIVE:
            return action, None
        candidates = [self._buckets[status].keys for status in sorted(ALLOWED_FROM[action])]
        pick = rng.randrange(sum(len(keys) for keys in candidates))
        for keys in candidates:
            if pick < len(keys):
                return action, self._dossiers[keys[pick]]
            pick -= len(keys)
        raise AssertionError("unreachable: the pick is below the total")


def step_note(
    rng: Random, action: Action, dossier: DeptDossier, unit: str, approved: bool
) -> tuple[str, str]:
    """The unit that takes the step and the note it writes."""
    match action:
        case Action.ACCEPT:
            return _DESK, "Hồ sơ hợp lệ, tiếp nhận và hẹn ngày trả kết quả"
        case Action.PROCESS if dossier.status == Status.RECEIVING:
            return _DESK, f"Chuyển {unit} thẩm định"
        case Action.PROCESS:
            return unit, rng.choice(_APPRAISALS)
        case Action.REQUEST_SUPPLEMENT:
            return unit, rng.choice(SUPPLEMENT_REQUESTS)
        case Action.SUPPLEMENT:
            return _DESK, "Người nộp đã bổ sung hồ sơ"
        case Action.RESOLVE if approved:
            return unit, "Lãnh đạo ký duyệt kết quả giải quyết"
        case Action.RESOLVE:
            return unit, "Không đủ điều kiện giải quyết, có văn bản trả lời nêu rõ lý do"
        case Action.RETURN:
            return _DESK, "Trả kết quả cho người nộp"
        case _:
            return _DESK, "Người nộp đề nghị rút hồ sơ"


def new_dossier(rng: Random, now: datetime, number: int, officer: str) -> DeptDossier:
    """A dossier just submitted online (`new`) or received at the counter (`receiving`)."""
    procedure = rng.choice(PROCEDURES)
    agency = AGENCIES[procedure.agency]
    applicant = fake_applicant(rng, business=procedure.for_business)
    at_counter = rng.random() < 0.4
    if at_counter:
        step = DeptStep(now, Action.RECEIVE.value, officer, _DESK, "Tiếp nhận hồ sơ trực tiếp")
    else:
        step = DeptStep(
            now, Action.RECEIVE.value, None, "Cổng Dịch vụ công", "Nộp hồ sơ trực tuyến"
        )
    local_day = now.astimezone(PROVINCE_TIME).strftime("%y%m%d")
    return DeptDossier(
        dossier_no=f"{agency.dossier_prefix}-{local_day}-{number:06d}",
        procedure_code=procedure.code,
        local_procedure_code=procedure.local_code,
        field_code=procedure.field_code,
        receiving_agency=agency.agency_id,
        applicant_kind=applicant.kind,
        applicant_id_number=applicant.id_number,
        applicant_name=applicant.name,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_address=applicant.address,
        applicant_province_code=PROVINCE_CODE,
        applicant_commune_code=applicant.commune_code,
        status=Status.RECEIVING if at_counter else Status.NEW,
        submitted_at=now,
        received_at=now if at_counter else None,
        due_at=add_working_days(now, procedure.working_days) if at_counter else None,
        fee_vnd=procedure.fee_vnd,
        steps=(step,),
    )
