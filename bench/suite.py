"""The scenarios, by number: each runs against the started stack, stores its figures in
the run's document and returns its progress line (figure, baseline, ratio)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bench.stack import Stack

# bench.data and the scenario modules import models, so Django must be set up first,
# which happens after the stack's env is chosen: each scenario imports its module when run.
if TYPE_CHECKING:
    from bench.data import Desk


@dataclass(frozen=True)
class Config:
    quick: bool
    rate: float
    seconds: float
    agents: int
    rounds: int
    trials: int
    sockets: int  # scenario 3
    capacity_rounds: int  # each round restarts a daphne: the slowest part of scenario 3
    fanout_agents: int  # scenario 4
    fanout_chats: int  # new chats per round, scenario 4
    replies: int  # per round, scenario 5
    limit_seconds: float  # scenario 5's rate-limit window
    whatsapp_limit: int | None  # None: the default 80/s; QUICK checks the limiter lower,
    # at a rate a loaded 2-core box reaches, so the smoke still sees it bite
    rates: tuple[float, ...]  # scenario 2's ladder
    step_seconds: float
    scale: tuple[int, int]  # scenario 8: conversations at small and at large scale
    search_sizes: tuple[int, int]  # scenario 9: messages at small and at large scale


def config(quick: bool) -> Config:
    if quick:
        return Config(
            quick=True, rate=20, seconds=10, agents=10, rounds=2, trials=30,
            sockets=300, capacity_rounds=1, fanout_agents=50, fanout_chats=3, replies=50,
            limit_seconds=3, whatsapp_limit=10,
            rates=(25, 35, 50, 70, 100, 140, 200), step_seconds=2, scale=(100, 1000),
            search_sizes=(10_000, 100_000),
        )  # fmt: skip
    return Config(
        quick=False, rate=100, seconds=60, agents=50, rounds=5, trials=1000,
        sockets=10_000, capacity_rounds=5, fanout_agents=500, fanout_chats=20, replies=2000,
        limit_seconds=30, whatsapp_limit=None,
        rates=(25, 35, 50, 70, 100, 140, 200, 280, 400, 560), step_seconds=10,
        scale=(1000, 100_000), search_sizes=(10_000, 1_000_000),
    )  # fmt: skip


@dataclass
class Context:
    stack: Stack
    cfg: Config
    desk: Desk
    fanout_tokens: list[str]
    doc: dict


def inbound(ctx: Context) -> str:
    from bench import inbound as scenario

    i = ctx.doc["inbound"] = scenario.run(
        ctx.stack.base_url, ctx.desk, ctx.cfg.rate, ctx.cfg.seconds, ctx.cfg.rounds
    )
    return (
        f"1 inbound: p99 {i['subject_first_agent']['p99_ms']} ms vs (a) "
        f"{i['baseline_a']['p99_ms']} ms = {i['ratio_first_agent']['p99']}x; "
        f"lost {i['lost']}, duplicated {i['duplicated']}"
    )


def ingest(ctx: Context) -> str:
    from bench import ingest as scenario

    r = ctx.doc["ingest"] = scenario.run(
        ctx.stack.base_url, ctx.desk, ctx.cfg.rates, ctx.cfg.step_seconds
    )
    return (
        f"2 ingest: highest sustained {r['subject_rate']}/s vs (a) {r['baseline_rate']}/s "
        f"= {r['ratio']}x"
    )


def capacity(ctx: Context) -> str:
    from bench import capacity as scenario

    c = ctx.doc["capacity"] = scenario.run(
        ctx.stack, ctx.fanout_tokens, ctx.cfg.sockets, ctx.cfg.capacity_rounds
    )
    return (
        f"3 capacity: {c['held_min']}/{c['sockets']} sockets held, handshake p95 "
        f"{c['handshake']['p95_ms']} ms, {c['kb_per_socket']} KB/socket vs (b) "
        f"{c['kb_per_socket_baseline_b']} = {c['ratio_kb_per_socket']}x, RSS after close "
        f"{c['rss_after_vs_start_worst']:+.1%}"
    )


def fanout(ctx: Context) -> str:
    from bench import fanout as scenario

    f = ctx.doc["fanout"] = scenario.run(
        ctx.stack.base_url, ctx.fanout_tokens, ctx.cfg.fanout_chats, ctx.cfg.rounds
    )
    return (
        f"4 fan-out to {f['agents']}: last agent p99 {f['subject_last_agent']['p99_ms']} ms vs "
        f"(c) {f['baseline_c']['p99_ms']} ms = {f['ratio']['p99']}x; "
        f"undelivered {f['undelivered']}"
    )


def outbound(ctx: Context) -> str:
    from bench import outbound as scenario
    from bench import outbound_checks as checks

    emu = scenario.Emulator(ctx.stack.emulator_url)
    senders = scenario.setup(ctx.desk.queue_id, ctx.desk.agent_id, ctx.cfg.whatsapp_limit)
    o = ctx.doc["outbound"] = {
        "throughput": [
            scenario.throughput(emu, senders, ctx.cfg.replies, ctx.cfg.rounds, latency)
            for latency in scenario.LATENCIES
        ],
        "rate_limits": checks.rate_limits(emu, senders, ctx.cfg.limit_seconds),
        "failures": checks.failures(emu, senders, 20),
    }
    t = o["throughput"]
    limits = o["rate_limits"]
    return (
        "5 outbound: "
        + ", ".join(
            f"{x['emulator_latency_ms']} ms: {x['subject_median_per_s']}/s vs (d) "
            f"{x['baseline_median_per_s']}/s = {x['ratio']}x"
            for x in t
        )
        + f"; limits WhatsApp {limits['whatsapp']['measured_per_s']}/s, SMS "
        f"{limits['twilio']['measured_per_s']}/s; with errors {o['failures']['delivered']}/"
        f"{o['failures']['replies']} delivered once"
    )


def race(ctx: Context) -> str:
    from bench import race as scenario

    r = ctx.doc["race"] = scenario.run(ctx.stack.base_url, ctx.desk, ctx.cfg.trials)
    return (
        f"6 take race: p99 {r['subject_take']['p99_ms']} ms vs {r['baseline_update']['p99_ms']} "
        f"ms = {r['ratio']['p99']}x; trials without exactly one winner "
        f"{r['subject_winners']['trials_without_one_winner']}"
    )


def two_servers(ctx: Context) -> str:
    from bench import two_servers as scenario

    t = ctx.doc["two_servers"] = scenario.run(ctx.stack, ctx.desk, ctx.cfg)
    return (
        f"7 two servers: p99 {t['subject_a_to_b']['p99_ms']} ms vs both on A "
        f"{t['baseline_a_only']['p99_ms']} ms = {t['ratio']['p99']}x"
    )


def scale(ctx: Context) -> str:
    from bench import scale as scenario

    s = ctx.doc["scale"] = scenario.run(
        ctx.stack.base_url, ctx.desk, ctx.cfg.scale, 20 if ctx.cfg.quick else 50
    )
    return "8 data at scale: " + ", ".join(
        f"{name} {row['ratio']['p95']}x" for name, row in s["endpoints"].items()
    )


def search(ctx: Context) -> str:
    from bench import search as scenario

    s = ctx.doc["search"] = scenario.run(
        ctx.stack.base_url, ctx.cfg.search_sizes, 20 if ctx.cfg.quick else 50
    )
    return "9 search at scale: " + ", ".join(
        f"{name} {row['ratio']['p95']}x" for name, row in s["searches"].items()
    )


SCENARIOS: dict[int, Callable[[Context], str]] = {
    1: inbound,
    2: ingest,
    3: capacity,
    4: fanout,
    5: outbound,
    6: race,
    7: two_servers,
    8: scale,
    9: search,
}
