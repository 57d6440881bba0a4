"""Imports every domain's models so that `Base.metadata` is complete (Alembic, tests)."""

from backend.audit import models as audit_models
from backend.cases import assignment as case_assignment_models
from backend.cases import models as cases_models
from backend.conversations import models as conversations_models
from backend.core.db import Base
from backend.identities import models as identities_models
from backend.outbox import models as outbox_models
from backend.people import models as people_models
from backend.regions import models as regions_models
from backend.resources import models as resources_models
from backend.staff import auth as staff_auth_models
from backend.staff import models as staff_models
from backend.surveys import models as surveys_models
from backend.visits import models as visits_models
from backend.workcal import models as workcal_models

__all__ = [
    "Base",
    "audit_models",
    "case_assignment_models",
    "cases_models",
    "conversations_models",
    "identities_models",
    "outbox_models",
    "people_models",
    "regions_models",
    "resources_models",
    "staff_auth_models",
    "staff_models",
    "surveys_models",
    "visits_models",
    "workcal_models",
]
