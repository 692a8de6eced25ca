"""Rotating PAYLOAD_KEYS: a new key goes first and seals from then on; the old keys stay in the
ring, so histories sealed with them still replay and read. A history sealed with a key that left
the ring fails with an error naming that key. The public dev key is warned about outside the dev
stack."""

import logging

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from core.codec import DEV_PAYLOAD_KEYS, KEY_ID, EncryptionCodec, KeyRing, UnknownPayloadKey
from core.temporal import data_converter, warn_if_dev_key
from tests.helpers import HISTORIES
from tests.payloads import history_payloads, is_search_attribute
from workers.registry import workflow_classes

SEALED_WITH_DEV_KEY = HISTORIES / "interview_rescheduled.run1.json"
ROTATED = f"k2:{'A' * 43}=,{DEV_PAYLOAD_KEYS}"  # a new key first, the old one kept
OLD_KEY_DROPPED = f"k2:{'A' * 43}="


def recorded() -> WorkflowHistory:
    return WorkflowHistory.from_json("interview_rescheduled", SEALED_WITH_DEV_KEY.read_text())


def sealed_payloads(history: WorkflowHistory) -> list:  # type: ignore[type-arg]
    return [
        payload
        for path, payload in history_payloads([history])
        if not is_search_attribute(path) and KEY_ID in payload.metadata
    ]


async def replay(history: WorkflowHistory, payload_keys: str) -> Exception | None:
    replayer = Replayer(workflows=workflow_classes(), data_converter=data_converter(payload_keys))
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    return result.replay_failure


async def test_after_rotation_an_old_history_replays_and_reads() -> None:
    history = recorded()
    sealed = sealed_payloads(history)
    assert sealed and {p.metadata[KEY_ID] for p in sealed} == {b"dev"}

    assert await replay(history, ROTATED) is None
    opened = await EncryptionCodec(KeyRing.parse(ROTATED)).decode(sealed)
    encodings = {p.metadata["encoding"] for p in opened}
    assert b"json/plain" in encodings and b"binary/encrypted" not in encodings


async def test_after_rotation_the_new_key_seals_and_both_read() -> None:
    codec = EncryptionCodec(KeyRing.parse(ROTATED))
    [new] = await codec.encode(data_converter().payload_converter.to_payloads(["new"]))
    [old] = await data_converter(DEV_PAYLOAD_KEYS).encode(["old"])
    assert new.metadata[KEY_ID] == b"k2" and old.metadata[KEY_ID] == b"dev"
    opened = await codec.decode([new, old])
    assert [p.data for p in opened] == [b'"new"', b'"old"']


async def test_a_history_sealed_with_a_key_no_longer_in_the_ring_fails_naming_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    history = recorded()
    with caplog.at_level(logging.WARNING):
        failure = await replay(history, OLD_KEY_DROPPED)
    assert failure is not None
    # The worker's log says why (the failure itself is sealed, as every failure message is).
    assert "UnknownPayloadKey: a payload is sealed with key 'dev'" in caplog.text
    assert "PAYLOAD_KEYS no longer holds (it holds k2)" in caplog.text

    with pytest.raises(UnknownPayloadKey, match="sealed with key 'dev'.*holds k2"):
        await EncryptionCodec(KeyRing.parse(OLD_KEY_DROPPED)).decode(sealed_payloads(history))


@pytest.mark.parametrize(
    ("setting", "problem"),
    [
        ("", "holds no key"),
        ("k1", "not id:base64key"),
        ("k1:not base64!", "not valid base64"),
        ("k1:AAAA", "has 3 bytes, AES-256 needs 32"),
        (f"{DEV_PAYLOAD_KEYS},{DEV_PAYLOAD_KEYS}", "appears twice"),
    ],
)
def test_a_malformed_key_ring_is_refused_with_what_is_wrong(setting: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        KeyRing.parse(setting)


def test_the_dev_key_is_warned_about_outside_the_dev_stack(
    caplog: pytest.LogCaptureFixture,
) -> None:
    production = "postgresql+psycopg://hiring@db:5432/hiring"
    with caplog.at_level(logging.WARNING, logger="core.temporal"):
        assert not warn_if_dev_key(DEV_PAYLOAD_KEYS, "sqlite:///var/hiring.db")
        assert not warn_if_dev_key(OLD_KEY_DROPPED, production)
        assert caplog.records == []
        assert warn_if_dev_key(DEV_PAYLOAD_KEYS, production)
    assert "PAYLOAD_KEYS is the public dev key" in caplog.text
