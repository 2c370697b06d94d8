"""The schema registry as the status sees it: up or down, and every subject's versions."""

import asyncio

from lienthong.errors import LienthongError
from lienthong.observe.status_records import ComponentHealth, SubjectVersions
from lienthong.serde import RegistryClient
from lienthong.settings import Settings

__all__ = ["read_subjects"]


async def read_subjects(settings: Settings) -> tuple[ComponentHealth, tuple[SubjectVersions, ...]]:
    """Never raises: a registry that does not answer is reported down, with no subjects."""
    url = settings.registry.url
    try:
        async with (
            asyncio.timeout(settings.registry.request_timeout_s),
            RegistryClient.from_settings(settings.registry) as client,
        ):
            names = sorted(await client.subjects())
            versions = await asyncio.gather(*(client.versions(name) for name in names))
    except TimeoutError:
        detail = f"{url} does not answer within {settings.registry.request_timeout_s:g} s"
        return ComponentHealth("registry", False, detail), ()
    except (LienthongError, OSError) as exc:
        return ComponentHealth("registry", False, str(exc)), ()
    subjects = tuple(
        SubjectVersions(str(name), tuple(sorted(found)))
        for name, found in zip(names, versions, strict=True)
    )
    detail = f"{len(subjects)} subject{'s' if len(subjects) != 1 else ''} at {url}"
    return ComponentHealth("registry", True, detail), subjects
