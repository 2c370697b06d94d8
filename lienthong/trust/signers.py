"""The private keys a connector signs with: its own agency's, and those of the agencies whose
changes it carries for them (callers of the push API)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lienthong.trust.keys import load_private_key
from lienthong.trust.signing import EventSigner

__all__ = ["AgencySigners", "load_signers"]


@dataclass(frozen=True)
class AgencySigners:
    by_agency: Mapping[str, EventSigner] = field(default_factory=dict)

    @property
    def signs(self) -> bool:
        """False: the connector publishes unsigned events (no key configured at all)."""
        return bool(self.by_agency)

    def for_agency(self, agency_id: str) -> EventSigner | None:
        return self.by_agency.get(agency_id)


def load_signers(
    agency_id: str, signing_key: Path | None, other_agencies: Mapping[str, Path] | None = None
) -> AgencySigners:
    """Read every key file now, so a missing or unreadable one stops the connector at start
    with a ConfigurationError naming the file."""
    paths = dict(other_agencies or {})
    if signing_key is not None:
        paths[agency_id] = signing_key
    signers = {
        agency: EventSigner.of(agency, load_private_key(path)) for agency, path in paths.items()
    }
    return AgencySigners(signers)
