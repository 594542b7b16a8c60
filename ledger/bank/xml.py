"""Reading XML from strangers: no DTD, no entities, no network, no unbounded text nodes."""

from __future__ import annotations

from lxml import etree

from ledger.bank.statement import StatementRefused
from ledger.errors import message


def parse_untrusted(data: bytes) -> etree._Element:
    """The root element of ``data``, refusing any DTD (so no entity tricks) or malformed XML.

    Entities are never expanded and nothing is fetched; lxml's limits on node and text size
    stay on (``huge_tree`` off), so a crafted file cannot exhaust memory.
    """
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_pis=True,
        remove_comments=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise StatementRefused(
            message("Het bestand is geen geldige XML: %(reason)s."), reason=str(error)[:200]
        ) from error
    docinfo = root.getroottree().docinfo
    doctype = getattr(docinfo, "doctype", "")
    if doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise StatementRefused(message("Het bestand bevat een DTD; dat wordt niet geaccepteerd."))
    return root
