"""HTTPS for the emulator: a CA and a certificate made at start-up with trustme.

Many clients take a host name, not a URL, and then speak https only (tccli
without a scheme, c7n-tencentcloud, SDKs whose endpoint setting is a host).
The certificate names 127.0.0.1, localhost and the vendors' host names, so
such a client works once it trusts the CA, whose PEM file the emulator
prints. Nothing is ever trusted system-wide: the files live in a temporary
directory that is removed with the emulator.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.emulator.inventory import REGIONS

#: Host names a client might be pointed at, besides 127.0.0.1 and localhost.
VENDOR_HOSTS = (
    "ecs.aliyuncs.com", "*.aliyuncs.com",
    "cvm.tencentcloudapi.com", "sts.tencentcloudapi.com", "*.tencentcloudapi.com",
    *(f"ecs.{r}.aliyuncs.com" for r in REGIONS["alibaba"]),
    *(f"ecs-{r}.aliyuncs.com" for r in REGIONS["alibaba"]),
    *(f"{s}.{r}.tencentcloudapi.com" for r in REGIONS["tencent"] for s in ("cvm", "sts")),
)


@dataclass
class TlsMaterial:
    """Paths of the CA certificate (give it to clients) and of the server's certificate chain and key."""

    directory: Path
    ca_path: Path
    cert_path: Path
    key_path: Path

    def uvicorn_kwargs(self) -> dict[str, Any]:
        return {"ssl_certfile": str(self.cert_path), "ssl_keyfile": str(self.key_path)}

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def make(directory: str | Path | None = None) -> TlsMaterial:
    """A fresh CA and a server certificate for the emulator's names, written as PEM files."""
    import trustme  # a test/runtime extra; only needed with --tls

    where = Path(directory) if directory is not None else Path(tempfile.mkdtemp(prefix="conformance-tls-"))
    where.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="conformance emulator")
    cert = ca.issue_cert("127.0.0.1", "localhost", "::1", *VENDOR_HOSTS)
    material = TlsMaterial(where, where / "ca.pem", where / "server.pem", where / "server.key")
    ca.cert_pem.write_to_path(str(material.ca_path))
    cert.private_key_pem.write_to_path(str(material.key_path))
    with material.cert_path.open("wb") as out:
        for blob in cert.cert_chain_pems:
            out.write(blob.bytes())
    return material


__all__ = ["VENDOR_HOSTS", "TlsMaterial", "make"]
