"""edXML (QCVN 102:2016/BTTTT) e-documents and status packets: a safe parser, the
`edxml_folder` connector kind and a simulator of an agency's document traffic."""

from connectors.edxml.attachments import AttachmentStore, EmbeddedAttachment
from connectors.edxml.changes import EDXML_EVENTS, changes_from_edxml, parse_edxml
from connectors.edxml.folder import EdxmlFolderSource
from connectors.edxml.folder_options import EdxmlFolderOptions
from connectors.edxml.package import ParsedPackage, SignatureInfo
from connectors.edxml.xml_reading import MAX_PACKAGE_BYTES

__all__ = [
    "EDXML_EVENTS",
    "MAX_PACKAGE_BYTES",
    "AttachmentStore",
    "EdxmlFolderOptions",
    "EdxmlFolderSource",
    "EmbeddedAttachment",
    "ParsedPackage",
    "SignatureInfo",
    "changes_from_edxml",
    "parse_edxml",
]
