"""The run's integrity checks: a line starting with FAIL makes `make bench` exit 1.

Only correctness fails a run (a message lost or duplicated, a race without exactly one
winner, a reply not delivered exactly once, a new chat missing on an agent socket); a
slow ratio or a missed target never does.
"""

from __future__ import annotations


def _line(bad: int, text: str) -> str:
    return f"{'FAIL' if bad else 'ok'}: {text}"


def _live_line(lost: int, late: int, strict: bool, text: str) -> str:
    """Storage loss always fails. A message stored but not on every socket within the
    grace period (or a POST the client gave up on) fails the QUICK smoke, where the load
    is light and it means a broken path; at full load it is the overload the latency
    target already reports, so it is a `miss`, not a broken bench."""
    if lost or (late and strict):
        return f"FAIL: {text}"
    return f"{'miss' if late else 'ok'}: {text}"


def _inbound(i: dict, strict: bool) -> str:
    return _live_line(
        i["lost"] + i["duplicated"],
        i["undelivered"] + i["http_errors"],
        strict,
        f"inbound {i['acknowledged']} acknowledged, {i['stored']} stored, {i['lost']} lost, "
        f"{i['duplicated']} duplicated, {i['undelivered']} not on every agent socket, "
        f"{i['http_errors']} HTTP errors",
    )


def _outbound(o: dict) -> list[str]:
    out = []
    for run in o["throughput"]:
        s = run["subject"]
        out.append(
            _line(
                s["lost"] + s["duplicated"],
                f"outbound at {run['emulator_latency_ms']} ms: {s['delivered']}/{s['replies']} "
                f"replies delivered exactly once, {s['lost']} lost, {s['duplicated']} duplicated",
            )
        )
    for provider, limit in o["rate_limits"].items():
        out.append(
            _line(
                limit["lost"] + limit["duplicated"],
                f"{provider} at its limit: {limit['delivered']}/{limit['replies']} delivered once",
            )
        )
    f = o["failures"]
    out.append(
        _line(
            f["lost"] + f["duplicated"] + f["stored_failed"],
            f"with {f['injected']} injected 500/130429/429: {f['delivered']}/{f['replies']} "
            f"delivered once ({f['failed_answers']} failed answers retried), "
            f"{f['stored_failed']} marked failed",
        )
    )
    return out


def integrity(doc: dict) -> list[str]:
    checks = []
    strict = bool(doc.get("quick"))
    if inbound := doc.get("inbound"):
        checks.append(_inbound(inbound, strict))
    if ingest := doc.get("ingest"):
        # A step too fast to hold is the ladder's finding; a message acknowledged and not
        # stored, or stored twice, is a failure at any rate.
        bad = ingest["lost"] + ingest["duplicated"]
        checks.append(
            _line(bad, f"ingest {ingest['lost']} lost, {ingest['duplicated']} duplicated")
        )
    if capacity := doc.get("capacity"):
        # Fewer sockets held than asked is the capacity figure (a target); none at all is
        # a broken bench.
        held = capacity["held_min"]
        checks.append(
            _line(
                held == 0, f"capacity {held:,}/{capacity['sockets']:,} sockets held (worst round)"
            )
        )
    if fanout := doc.get("fanout"):
        checks.append(
            _live_line(
                0,
                fanout["undelivered"] + fanout["http_errors"],
                strict,
                f"fan-out {fanout['acknowledged']} new chats, {fanout['undelivered']} not on "
                f"every one of {fanout['agents']} sockets, {fanout['http_errors']} HTTP errors",
            )
        )
    if outbound := doc.get("outbound"):
        checks += _outbound(outbound)
    if race := doc.get("race"):
        wrong = race["subject_winners"]["trials_without_one_winner"]
        checks.append(
            _line(
                wrong,
                f"take race {race['subject_winners']['trials']} trials, {wrong} without "
                "exactly one winner",
            )
        )
    if two := doc.get("two_servers"):
        checks.append(
            _live_line(
                two["lost"] + two["duplicated"],
                two["undelivered"] + two["http_errors"],
                strict,
                f"two servers {two['acknowledged']} acknowledged, {two['lost']} lost, "
                f"{two['duplicated']} duplicated, {two['undelivered']} not on every socket",
            )
        )
    if scale := doc.get("scale"):
        # Every read answered 200 (the scenario stops on any other answer).
        loaded = scale["conversations"]["large"]
        checks.append(_line(0, f"data at scale {loaded:,} conversations, every read answered"))
    if search := doc.get("search"):
        loaded = search["messages"]["large"]
        checks.append(_line(0, f"search at {loaded:,} messages, every search answered"))
    return checks
