"""Payload encryption: every payload Temporal stores (workflow and activity inputs and results,
signals, updates, queries, memos, failures' details) is sealed with AES-256-GCM.

The key ring is PAYLOAD_KEYS, `id:base64key` pairs separated by commas, newest first. The newest
key seals; the key's id travels in the payload's metadata, so a history sealed with an older key
still opens as long as that key stays in the ring. A payload without the encrypted encoding (one
written before encryption) passes through unchanged.
"""

import base64
import binascii
import os
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12
KEY_BYTES = 32  # AES-256

# Known to everyone who reads this file: for the dev stack and tests only.
DEV_PAYLOAD_KEYS = "dev:S2fjPZr4pmyxiJb2kFNtSrqKtWGHEUt9ydnnXg35uRA="


class UnknownPayloadKey(Exception):
    """A payload sealed with a key the ring no longer holds."""


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[tuple[str, bytes], ...]  # (id, key), newest first

    @classmethod
    def parse(cls, text: str) -> "KeyRing":
        """`id:base64key,id:base64key,...`, newest first; a clear error for anything else."""
        keys: list[tuple[str, bytes]] = []
        for entry in filter(None, (part.strip() for part in text.split(","))):
            key_id, colon, encoded = entry.partition(":")
            if not colon or not key_id:
                raise ValueError(f"PAYLOAD_KEYS: {key_id or entry!r} is not id:base64key")
            try:
                key = base64.b64decode(encoded, validate=True)
            except binascii.Error:
                raise ValueError(f"PAYLOAD_KEYS: key {key_id!r} is not valid base64") from None
            if len(key) != KEY_BYTES:
                raise ValueError(
                    f"PAYLOAD_KEYS: key {key_id!r} has {len(key)} bytes, AES-256 needs {KEY_BYTES}"
                )
            if key_id in dict(keys):
                raise ValueError(f"PAYLOAD_KEYS: key id {key_id!r} appears twice")
            keys.append((key_id, key))
        if not keys:
            raise ValueError("PAYLOAD_KEYS holds no key")
        return cls(tuple(keys))

    @property
    def newest(self) -> tuple[str, bytes]:
        return self.keys[0]

    @property
    def ids(self) -> list[str]:
        return [key_id for key_id, _ in self.keys]

    def key(self, key_id: str) -> bytes:
        for known, key in self.keys:
            if known == key_id:
                return key
        raise UnknownPayloadKey(
            f"a payload is sealed with key {key_id!r}, which PAYLOAD_KEYS no longer holds "
            f"(it holds {', '.join(self.ids)}); put that key back in the ring, after the newest"
        )

    def uses_dev_key(self) -> bool:
        return self.newest == KeyRing.parse(DEV_PAYLOAD_KEYS).newest


def new_key() -> str:
    """A fresh random key, base64, for PAYLOAD_KEYS."""
    return base64.b64encode(AESGCM.generate_key(bit_length=KEY_BYTES * 8)).decode()


class EncryptionCodec(PayloadCodec):
    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        key_id, key = self.ring.newest
        sealer = AESGCM(key)
        sealed = []
        for payload in payloads:
            nonce = os.urandom(NONCE_BYTES)
            data = sealer.encrypt(nonce, payload.SerializeToString(), key_id.encode())
            sealed.append(
                Payload(
                    metadata={"encoding": ENCODING, KEY_ID: key_id.encode()},
                    data=nonce + data,
                )
            )
        return sealed

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.open(payload) for payload in payloads]

    def open(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload  # written before encryption
        key_id = payload.metadata.get(KEY_ID, b"").decode()
        nonce, data = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        opened = Payload()
        opened.ParseFromString(AESGCM(self.ring.key(key_id)).decrypt(nonce, data, key_id.encode()))
        return opened
