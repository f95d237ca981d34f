"""Every table of the store in one ``MetaData`` (importing the model modules registers them)."""

from __future__ import annotations

from qmoi.store import models_kb, models_qcity
from qmoi.store.models import Base

metadata = Base.metadata
MODEL_MODULES = (models_qcity, models_kb)
