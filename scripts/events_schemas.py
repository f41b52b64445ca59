"""Write the JSON schema of every published event type into ``docs/events/``.

Usage: ``python scripts/events_schemas.py``.  ``tests/unit/events`` fails while the files
differ from the models in :mod:`tradecover.events.catalog`; run this after changing one.
"""

from __future__ import annotations

from pathlib import Path

from tradecover.events import CATALOG, schema_documents

FOLDER = Path(__file__).resolve().parents[1] / "docs" / "events"


def main() -> None:
    """Rewrite the folder's schema files (and remove those of types no longer published)."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    documents = schema_documents(CATALOG.values())
    for stale in FOLDER.glob("*.json"):
        if stale.name not in documents:
            stale.unlink()
    for name, text in documents.items():
        (FOLDER / name).write_text(text, encoding="utf-8")
    print(f"{len(documents)} schemas in {FOLDER}")


if __name__ == "__main__":
    main()
