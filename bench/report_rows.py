"""The rows of the Markdown tables, one scenario at a time, each with its target and
whether this run met it (a figure for reading: a miss never fails the run)."""

from __future__ import annotations

from bench.stats import ratios


def _met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**missed**")


def _row(name: str, subject: dict, base: dict, ratio: dict, target: str) -> str:
    cells = [
        f"{subject[k]:.1f} / {base[k]:.1f} / **{ratio[k.removesuffix('_ms')]}x**"
        for k in ("p50_ms", "p95_ms", "p99_ms")
    ]
    return f"| {name} | " + " | ".join(cells) + f" | {target} |"


def _all_in_time(i: dict) -> bool:
    return i["lost"] == 0 and i["undelivered"] == 0 and i["http_errors"] == 0


def latency_rows(doc: dict) -> list[str]:
    rows = []
    if i := doc.get("inbound"):
        label = f"1. inbound, {i['rate_per_s']:.0f}/s, {i['agents']} agents"
        met = _met(i["ratio_first_agent"]["p99"] <= 3 and _all_in_time(i))
        if not _all_in_time(i):
            # A ratio of two backlogs says nothing: the target includes every message.
            met += f" ({i['undelivered']} late, {i['http_errors']} refused)"
        rows.append(
            _row(
                f"{label}, first agent vs (a)",
                i["subject_first_agent"],
                i["baseline_a"],
                i["ratio_first_agent"],
                f"p99 <= 3x: {met}",
            )
        )
        rows.append(
            _row(
                f"{label}, all agents vs (a)",
                i["subject_all_agents"],
                i["baseline_a"],
                i["ratio_all_agents"],
                "(for reading)",
            )
        )
    if c := doc.get("capacity"):
        ok = c["handshake"]["p95_ms"] < 200
        rows.append(
            _row(
                f"3. websocket handshake, {c['sockets']:,} sockets vs (b)",
                c["handshake"],
                c["handshake_baseline_b"],
                _ratios(c["handshake"], c["handshake_baseline_b"]),
                f"p95 < 200 ms: {_met(ok)}",
            )
        )
    if f := doc.get("fanout"):
        rows.append(
            _row(
                f"4. fan-out, new chat to {f['agents']} agents (last socket) vs (c)",
                f["subject_last_agent"],
                f["baseline_c"],
                f["ratio"],
                f"p99 <= 2x: {_met(f['ratio']['p99'] <= 2)}",
            )
        )
    if r := doc.get("race"):
        rows.append(
            _row(
                f"6. take race, {r['concurrency']} agents vs bare UPDATE",
                r["subject_take"],
                r["baseline_update"],
                r["ratio"],
                f"p99 <= 3x: {_met(r['ratio']['p99'] <= 3)}",
            )
        )
    if t := doc.get("two_servers"):
        rows.append(
            _row(
                f"7. two servers: webhook on A, {t['agents']} agents on B vs both on A",
                t["subject_a_to_b"],
                t["baseline_a_only"],
                t["ratio"],
                f"p99 <= 1.3x: {_met(t['ratio']['p99'] <= 1.3)}",
            )
        )
    if s := doc.get("scale"):
        big, small = s["conversations"]["large"], s["conversations"]["small"]
        for name, e in s["endpoints"].items():
            rows.append(
                _row(
                    f"8. {name}, {big:,} vs {small:,} conversations",
                    e["large"],
                    e["small"],
                    e["ratio"],
                    f"p95 <= 2x: {_met(e['ratio']['p95'] <= 2)}",
                )
            )
    if s := doc.get("search"):
        big, small = s["messages"]["large"], s["messages"]["small"]
        for name, e in s["searches"].items():
            target = f"p95 <= 2x: {_met(e['ratio']['p95'] <= 2)}"
            rows.append(
                _row(
                    f"9. search, {name}, {big:,} vs {small:,} messages",
                    e["large"],
                    e["small"],
                    e["ratio"],
                    target if name in SEARCH_TARGETS else "(for reading)",
                )
            )
    return rows


# Scenario 9's searches held to the target; the others find more the more there is.
SEARCH_TARGETS = ("manager, needle", "agent, needle", "manager, phone typed")


def _ratios(subject: dict, base: dict) -> dict:
    return ratios(subject, base)


def figure_rows(doc: dict) -> list[str]:
    rows = []
    if g := doc.get("ingest"):
        capped = " (ladder top held)"
        subject = f"{g['subject_rate']:.0f}/s{capped if g['subject_capped'] else ''}"
        base = f"{g['baseline_rate']:.0f}/s{capped if g['baseline_capped'] else ''}"
        ok = g["ratio"] is not None and g["ratio"] >= 0.5
        rows.append(
            f"| 2. ingest: highest webhook rate with p99 < 1 s, nothing lost, vs (a) "
            f"| {subject} | {base} | **{g['ratio']}x** | >= 0.5x: {_met(ok)} |"
        )
    if c := doc.get("capacity"):
        rows += _capacity(c)
    if o := doc.get("outbound"):
        rows += _outbound(o)
    if s := doc.get("scale"):
        counts = ", ".join(
            f"{name} {e['queries_small']['queries']} -> {e['queries_large']['queries']}"
            for name, e in s["endpoints"].items()
        )
        same = all(
            e["queries_small"]["queries"] == e["queries_large"]["queries"]
            for e in s["endpoints"].values()
        )
        rows.append(
            f"| 8. queries per request, small -> large ({counts}) | | | | constant: {_met(same)} |"
        )
    if s := doc.get("search"):
        counts = ", ".join(
            f"{name} {e['queries_small']['queries']} -> {e['queries_large']['queries']}"
            for name, e in s["searches"].items()
        )
        same = all(
            e["queries_small"]["queries"] == e["queries_large"]["queries"]
            for e in s["searches"].values()
        )
        rows.append(
            f"| 9. queries per search, small -> large ({counts}) | | | | constant: {_met(same)} |"
        )
    return rows


def _capacity(c: dict) -> list[str]:
    ratio = c["ratio_kb_per_socket"]
    after, after_b = c["rss_after_vs_start_worst"], c["rss_after_vs_start_worst_baseline"]
    return [
        f"| 3. sockets held by one daphne (worst round) | {c['held_min']:,} | "
        f"{c['baseline_held_min']:,} | | {c['sockets']:,}: {_met(c['held_min'] >= c['sockets'])} |",
        f"| 3. server RSS per socket vs (b) | {c['kb_per_socket']} KB | "
        f"{c['kb_per_socket_baseline_b']} KB | **{ratio}x** | "
        f"<= 1.5x: {_met(ratio is not None and ratio <= 1.5)} |",
        f"| 3. RSS after all closed vs before (worst round) | {after:+.1%} | {after_b:+.1%} | "
        f"| within 10%: {_met(abs(after) <= 0.10)} |",
        *_second_wave(c),
        *_cpu(c),
    ]


def _cpu(c: dict) -> list[str]:
    """For reading: what bounds the handshake rate (runs before it was measured lack it)."""
    if "cpu_ms_per_socket" not in c:
        return []
    return [
        f"| 3. server CPU per socket opened vs (b) | {c['cpu_ms_per_socket']} ms | "
        f"{c['cpu_ms_per_socket_baseline_b']} ms | **{c['ratio_cpu_per_socket']}x** | "
        "(for reading) |"
    ]


def _second_wave(c: dict) -> list[str]:
    """Runs before the two-wave rounds have no such figure."""
    if "second_cycle_growth_worst" not in c:
        return []
    growth, growth_b = c["second_cycle_growth_worst"], c["second_cycle_growth_worst_baseline"]
    return [
        f"| 3. RSS after a second wave opened and closed vs after the first (leak check) "
        f"| {growth:+.1%} | {growth_b:+.1%} | | ~0 = retention, not a leak: "
        f"{_met(growth <= 0.05)} |"
    ]


def _outbound(o: dict) -> list[str]:
    rows = []
    for t in o["throughput"]:
        rows.append(
            f"| 5. outbound, {t['replies_per_round']:,} replies x {t['rounds']}, emulator "
            f"{t['emulator_latency_ms']} ms, 2 workers, vs (d) | {t['subject_median_per_s']}/s | "
            f"{t['baseline_median_per_s']}/s | **{t['ratio']}x** | >= 0.7x: "
            f"{_met(t['ratio'] >= 0.7)} |"
        )
    for provider, limit in o["rate_limits"].items():
        name = (
            f"WhatsApp {limit['limit_per_s']} msg/s"
            if provider == "whatsapp"
            else "SMS 1 segment/s"
        )
        rows.append(
            f"| 5. per-sender limit {name}, measured at the emulator | "
            f"{limit['measured_per_s']}/s | {limit['limit_per_s']}/s (limit) | "
            f"**{limit['ratio']}x** | within 5%: {_met(limit['within_5pct'])} "
            f"(never over: {_met(limit['held'])}) |"
        )
    f = o["failures"]
    rows.append(
        f"| 5. {f['injected']} injected 500/130429/429 answers | {f['delivered']}/{f['replies']} "
        f"delivered once, {f['failed_answers']} retried | | | no reply lost: "
        f"{_met(f['lost'] + f['duplicated'] + f['stored_failed'] == 0)} |"
    )
    return rows
