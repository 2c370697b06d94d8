"""Reading untrusted XML safely, and finding edXML elements by their local name.

Packages come from other agencies' systems, so the parser refuses any DTD (and with it every
entity, the door to "billion laughs" bombs and external fetches) and any input over a size
limit. Elements are matched by local name: senders bind the `edXML` prefix to different
namespace URIs, and some to none.
"""

from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_xml
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from lienthong.errors import DeadLetterError

__all__ = [
    "MAX_PACKAGE_BYTES",
    "PARSE",
    "child",
    "children",
    "descendant",
    "descendants",
    "local_name",
    "parse_xml",
    "required_child",
    "required_text",
    "text",
]

PARSE = "PARSE"
"""The dead-letter stage of every problem found while reading a package."""

MAX_PACKAGE_BYTES = 64 * 1024 * 1024
"""Largest package read: attachments travel inside it as base64, so it can be large."""


def parse_xml(data: bytes, *, max_bytes: int = MAX_PACKAGE_BYTES) -> Element:
    """The document element of `data`; DeadLetterError when it is too large, not well-formed
    or uses a DTD or entities."""
    if len(data) > max_bytes:
        raise DeadLetterError(
            f"the package has {len(data)} bytes, more than the {max_bytes} allowed", stage=PARSE
        )
    try:
        root: Element = safe_xml.fromstring(data, forbid_dtd=True)
    except DTDForbidden as exc:
        raise DeadLetterError(
            f"the package declares a DTD (<!DOCTYPE {exc.name}>), which edXML never needs "
            "and which carries entity bombs: refused",
            stage=PARSE,
        ) from exc
    except (EntitiesForbidden, ExternalReferenceForbidden) as exc:
        raise DeadLetterError(
            f"the package declares entities: refused ({exc})", stage=PARSE
        ) from exc
    except ParseError as exc:
        raise DeadLetterError(f"the package is not well-formed XML: {exc}", stage=PARSE) from exc
    except (LookupError, ValueError) as exc:
        raise DeadLetterError(f"the package cannot be decoded: {exc}", stage=PARSE) from exc
    return root


def local_name(element: Element) -> str:
    return element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""


def children(parent: Element, name: str) -> list[Element]:
    return [element for element in parent if local_name(element) == name]


def child(parent: Element, name: str) -> Element | None:
    return next((element for element in parent if local_name(element) == name), None)


def descendants(root: Element, name: str) -> Iterator[Element]:
    """`root` itself and every element under it named `name`, in document order."""
    return (element for element in root.iter() if local_name(element) == name)


def descendant(root: Element, name: str) -> Element | None:
    return next(descendants(root, name), None)


def text(parent: Element, name: str) -> str | None:
    """The stripped text of `parent`'s child `name`; None when missing or empty."""
    element = child(parent, name)
    if element is None:
        return None
    value = "".join(element.itertext()).strip()
    return value or None


def required_child(parent: Element, name: str, where: str) -> Element:
    element = child(parent, name)
    if element is None:
        raise DeadLetterError(f"missing element {where}/{name}", stage=PARSE)
    return element


def required_text(parent: Element, name: str, where: str) -> str:
    value = text(parent, name)
    if value is None:
        raise DeadLetterError(f"missing or empty element {where}/{name}", stage=PARSE)
    return value
