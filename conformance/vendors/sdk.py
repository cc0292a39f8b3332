"""A vendor's official SDK as a judge: the small interface the ``client`` checks drive it through.

The suite's own transport reads any answer it is given; a user's SDK does not.
An endpoint that answers errors in a form the SDK cannot read (another HTTP
status, another body) passes every requirement the suite's transport judges,
and its users still never see the documented code. So the ``client`` checks
send the same requests through the vendor's SDK and judge what it gives its
caller: a page of instances, or its exception carrying a code.

Each vendor module (``alibaba_sdk``, ``tencent_sdk``) implements :class:`Sdk`
for each SDK package it knows, imported only when a check asks: the suite
runs without the SDKs (the ``client`` extra), and the category is then
skipped with the reason (:class:`SdkUnavailable`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from conformance.vendors.base import Credentials, Query

#: The extra that installs the SDKs (``pip install 'conformance[client]'``).
EXTRA = "client"


class SdkUnavailable(Exception):
    """The SDK package is not installed (or cannot be imported): the check is skipped, with this reason."""


@dataclass(frozen=True)
class Raised:
    """What the SDK raised to its caller instead of an answer."""

    #: the exception's class, qualified (``tencentcloud...TencentCloudSDKException``)
    kind: str
    #: the code the exception carries, as the SDK's accessor reads it (None when it carries none)
    code: str | None
    message: str
    #: whether it is the SDK's exception for an error the service answered (not a network or parse error)
    service_error: bool
    #: the HTTP status the SDK reports, when it reports one
    status: int | None = None

    def describe(self) -> str:
        status = f", HTTP {self.status}" if self.status is not None else ""
        return f"{self.kind} (code {self.code!r}{status}): {self.message[:200]}"


class SdkRaisedError(Exception):
    """The SDK call ended in an exception; :attr:`raised` says which, read through the SDK's own accessors."""

    def __init__(self, raised: Raised):
        super().__init__(raised.describe())
        self.raised = raised


@dataclass
class SdkPage:
    """One page as the SDK hands it to its caller."""

    ids: list[str] = field(default_factory=list)
    total: Any = None


class SdkClient(Protocol):
    """An SDK client pointed at the target, in one signing mode."""

    def describe_instances(self, query: Query) -> SdkPage:
        """Send ``query`` through the SDK; its page, or :class:`SdkRaisedError` with what it raised."""
        ...


class Sdk(Protocol):
    """One SDK package of a vendor: which it is, its signing modes, and clients built against a target."""

    #: the distribution name (``tencentcloud-sdk-python-cvm``): the source requirements cite
    package: str
    #: the signing modes the SDK offers, by the names its configuration takes
    modes: tuple[str, ...]

    def client(self, *, url: str, region: str, credentials: Credentials, mode: str, timeout: float,
               on_request: Callable[[], None]) -> SdkClient:
        """A client of the SDK for ``url``, signing with ``credentials`` in ``mode``.

        ``on_request`` is called before each request the client sends (the run's budget counts it).
        Raises :class:`SdkUnavailable` when the package cannot be imported.
        """
        ...


def qualified(exc: BaseException) -> str:
    """``module.Class`` of an exception, for a message a reader can look up."""
    return f"{type(exc).__module__}.{type(exc).__qualname__}"


__all__ = ["EXTRA", "Raised", "Sdk", "SdkClient", "SdkPage", "SdkRaisedError", "SdkUnavailable", "qualified"]
