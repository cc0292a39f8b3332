"""Auth: wrong secrets and unknown keys are refused."""

from __future__ import annotations

from typing import Any

from conformance.checks import check
from conformance.checks.context import CheckContext, Failed, Skip
from conformance.vendors.base import Credentials, Query


@check("auth_refused", required={"mode": str})
def auth_refused(ctx: CheckContext, args: dict[str, Any]) -> None:
    creds = ctx.client.credentials
    mode = args["mode"]
    if not creds.known and mode == "wrong-secret":
        raise Skip("needs credentials: a wrong secret is a real key id with another secret, and none was given")
    if not creds.known:  # a key id nobody issued needs no real credentials
        bad = Credentials("conformance-unissued-key", "conformance-unissued-secret")
    elif mode == "wrong-secret":
        bad = Credentials(creds.key_id, creds.secret + "-wrong")
    else:
        bad = Credentials(creds.key_id + "-unknown", creds.secret)
    # every signing mode the adapter knows: an endpoint may verify one and wave another through
    refusals = []
    for signing in ctx.adapter.signing_modes:
        answer = ctx.send(Query(), credentials=bad, signing_mode=signing,
                          note=f"signed ({signing}) with a {mode.replace('-', ' ')}")
        refused = answer.error_code is not None and (ctx.adapter.capabilities.error_delivery == "always-200"
                                                     or 400 <= answer.status < 500)
        if not refused or answer.items:
            raise Failed(f"a request signed ({signing}) with a {mode.replace('-', ' ')} was answered HTTP "
                         f"{answer.status} {answer.error_code or f'with {len(answer.items)} instance(s)'}",
                         expected="refused with an error answer in every signing mode",
                         observed={"signing": signing, "status": answer.status, "code": answer.error_code,
                                   "instances": len(answer.items)})
        refusals.append(f"{signing}: {answer.error_code} (HTTP {answer.status})")
    ctx.passed_message = f"a {mode.replace('-', ' ')} was refused in every signing mode: " + ", ".join(refusals)
