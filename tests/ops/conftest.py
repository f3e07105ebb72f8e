"""The API tests' fixtures (a principals file, the real app on each backend), shared with the operations tests."""
from tests.api.conftest import api, auth_file, serve, settings, tokens, unfunded_world, world  # noqa: F401 - pytest finds fixtures by name
