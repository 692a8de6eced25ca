"""docker-compose.temporal.yml gives the API and the worker the same payload key ring, and its
Temporal UI reads payloads through the API's codec, from an origin the codec lets in."""

import re
from pathlib import Path
from typing import Any

import yaml

from core.codec import KeyRing

COMPOSE = Path(__file__).parents[2] / "docker-compose.temporal.yml"


def defaults(value: str) -> str:
    """`${NAME:-default}` as compose reads it with NAME unset."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)


def test_the_api_and_the_worker_seal_with_one_key_ring_and_the_ui_opens_through_the_api() -> None:
    services: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())["services"]
    api, worker, ui = services["api"], services["worker"], services["temporal-ui"]
    assert api["environment"]["PAYLOAD_KEYS"] == worker["environment"]["PAYLOAD_KEYS"]
    assert KeyRing.parse(defaults(api["environment"]["PAYLOAD_KEYS"])).uses_dev_key()

    [api_port] = [p.split(":")[0] for p in api["ports"]]
    [ui_port] = [p.split(":")[0] for p in ui["ports"]]
    endpoint = defaults(ui["environment"]["TEMPORAL_CODEC_ENDPOINT"])
    assert endpoint == f"http://localhost:{api_port}/codec"
    assert ui["environment"]["TEMPORAL_CODEC_INCLUDE_CREDENTIALS"] == "true"
    origins = defaults(api["environment"]["CODEC_CORS_ORIGINS"]).split(",")
    assert f"http://localhost:{ui_port}" in origins
