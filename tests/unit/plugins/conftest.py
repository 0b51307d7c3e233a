"""Make `ansible_collections.dataplatform.mwaa_lineage` importable (make setup links the repo there)."""

import sys
from pathlib import Path

_COLLECTIONS = Path(__file__).resolve().parents[3] / ".local" / "collections"
if str(_COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(_COLLECTIONS))
