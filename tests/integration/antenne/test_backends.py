"""The antenne's application and API cases, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from tests.unit.antenne.test_api import ApiBehaviour
from tests.unit.antenne.test_api_permanence import PermanenceBehaviour
from tests.unit.antenne.test_application import ApplicationBehaviour
from tests.unit.antenne.test_practice import PracticeBehaviour

pytestmark = pytest.mark.integration


class TestAntenneOnEachDatabase(ApplicationBehaviour):
    """The use cases, with `database_url` from this folder's conftest (SQLite, PostgreSQL)."""


class TestApiOnEachDatabase(ApiBehaviour):
    """The JSON API, with `database_url` from this folder's conftest (SQLite, PostgreSQL)."""


class TestPracticeOnEachDatabase(PracticeBehaviour):
    """A permanence's use cases, with `database_url` from this folder's conftest (SQLite, PostgreSQL)."""


class TestPermanenceOnEachDatabase(PermanenceBehaviour):
    """A permanence through the JSON API, on SQLite and PostgreSQL."""
