"""`make run` starts the Temporal UI pointed at the API's codec, on the same site as the UI, and
tells the operator how to read payloads there and with the CLI."""

from urllib.parse import urlsplit

from core.settings import Settings
from store.seed import DemoLogin
from workers.dev_stack import banner, temporal_command


def test_the_dev_stack_ui_reads_payloads_through_the_api_codec() -> None:
    settings = Settings(api_port=8123)
    command = temporal_command(settings)
    endpoint = command[command.index("--ui-codec-endpoint") + 1]
    assert endpoint == "http://localhost:8123/codec"
    # The UI is http://localhost:<ui port>: the same site, so the session cookie goes along.
    assert urlsplit(endpoint).hostname == "localhost"
    ops = DemoLogin("ops", "Olivia Ops", "ops@hiring.example", "usr_1", "t0ken")
    shown = banner(settings, [ops])
    assert f"{endpoint}/session" in shown
    assert f"--codec-endpoint {endpoint}" in shown
