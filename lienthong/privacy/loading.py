"""The centre's data protection from settings: the policy file (or the shipped default)
checked whole, and the key its keyed hashes need."""

from importlib import resources
from pathlib import Path
from typing import Final

from lienthong.errors import ConfigurationError
from lienthong.privacy.hash_key import resolve_hash_key
from lienthong.privacy.policy import PrivacyPolicy, parse_policy
from lienthong.privacy.protection import DataProtection
from lienthong.settings import Settings

__all__ = ["DEFAULT_POLICY", "default_policy", "load_data_protection", "read_policy"]

DEFAULT_POLICY: Final = "default-policy.yaml"


def load_data_protection(settings: Settings) -> DataProtection:
    """ConfigurationError when the policy or the key is not usable: at start, before any
    event is stored."""
    policy = read_policy(settings.privacy.policy_file)
    key = resolve_hash_key(settings) if policy.needs_key else None
    return DataProtection(policy, key)


def read_policy(path: Path | None) -> PrivacyPolicy:
    if path is None:
        return default_policy()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read the privacy policy {path}: {exc}") from exc
    return parse_policy(text, str(path))


def default_policy() -> PrivacyPolicy:
    shipped = resources.files("lienthong.privacy").joinpath(DEFAULT_POLICY)
    return parse_policy(shipped.read_text(encoding="utf-8"), f"(shipped) {DEFAULT_POLICY}")
