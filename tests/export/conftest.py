"""The frozen clock of the mail tests, for the export command tests."""

from tests.mail.conftest import frozen  # noqa: F401  (a fixture)
