"""The options of the `edxml_folder` kind (the `options:` of its connectors.yaml entry)."""

from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from connectors.edxml.xml_reading import MAX_PACKAGE_BYTES

__all__ = ["EdxmlFolderOptions"]


class EdxmlFolderOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path
    pattern: tuple[str, ...] = ("*.edxml", "*.xml")
    """File name patterns to read (case-insensitive); one pattern or a list."""
    poll_interval_s: float = Field(default=1.0, gt=0, le=3600)
    done_dir: Path = Path("done")
    """Where published files go; a relative path is under `path`."""
    failed_dir: Path = Path("failed")
    """Where dead-lettered files go; a relative path is under `path`."""
    attachments_dir: Path | None = None
    """Where embedded attachment bytes are stored; none: they are referenced in the package."""
    max_file_bytes: int = Field(default=MAX_PACKAGE_BYTES, ge=1)

    @field_validator("pattern", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _targets_outside_the_inbox(self) -> Self:
        for name in ("done_dir", "failed_dir"):
            if self.under_path(getattr(self, name)).resolve() == self.path.resolve():
                raise ValueError(f"{name} must not be the watched folder itself")
        return self

    def under_path(self, folder: Path) -> Path:
        return folder if folder.is_absolute() else self.path / folder
