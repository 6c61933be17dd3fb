// The Reports page: reads GET /api/v1/reports/summary/ for the chosen filters and draws
// it with Chart.js (static/vendor/chartjs, loaded before this module as window.Chart).
// The API is the one source of the figures: the page only lays them out, and the CSV
// link asks the same endpoint for the same filters.

import { api } from "./api.js";
import { $, $$, channelLabel, h } from "./dom.js";

const ENDPOINT = "/api/v1/reports/summary/";
const FILTERS = ["date_from", "date_to", "queue", "channel", "label", "agent"];
const boot = JSON.parse($("#report-bootstrap").textContent);
const form = $("#report-filters");
const status = $("#report-status");
const charts = {};
let pending = null;

const COLORS = {
  received: "#2356d8", taken: "#1e8e4e", missed: "#b3261e", dealt: "#7a4cc2",
  firstResponse: "#2356d8", wait: "#d9772b", csat: "#1f9d55", breaches: "#b3261e",
};

export function duration(seconds) {
  if (seconds == null) return "–";
  const s = Math.round(seconds);
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (hours) return `${hours} h ${String(minutes).padStart(2, "0")} min`;
  if (minutes) return `${minutes} min ${String(rest).padStart(2, "0")} s`;
  return `${rest} s`;
}

// "0-30" -> "under 30 s", "60-120" -> "1-2 min", "3600+" -> "1 h or more"
export function bucketLabel(bucket) {
  const short = (s) => (s >= 3600 ? `${s / 3600} h` : s >= 60 ? `${s / 60} min` : `${s} s`);
  if (bucket.endsWith("+")) return `${short(Number(bucket.slice(0, -1)))} or more`;
  const [low, high] = bucket.split("-").map(Number);
  if (low === 0) return `under ${short(high)}`;
  return `${short(low)} – ${short(high)}`;
}

function query(params, extra = {}) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...params, ...extra })) if (value) search.set(key, value);
  return search.toString();
}

function formParams() {
  const params = {};
  for (const name of FILTERS) {
    const field = form.elements.namedItem(name);
    if (field && field.value) params[name] = field.value;
  }
  return params;
}

function fillForm(params) {
  for (const name of FILTERS) {
    const field = form.elements.namedItem(name);
    if (field && params[name] != null) field.value = String(params[name]);
  }
}

function setCard(metric, text, detail = "") {
  const dd = $(`#report-totals [data-metric="${metric}"] dd`);
  dd.replaceChildren(text, detail ? h("span", { class: "muted card-detail" }, detail) : "");
}

function renderTotals(totals) {
  for (const name of ["received", "taken", "dealt_with", "transferred", "missed", "sla_breaches"]) {
    setCard(name, String(totals[name]));
  }
  for (const name of ["first_response", "resolution", "wait"]) {
    const p50 = totals[`${name}_p50_seconds`];
    setCard(name, duration(p50), p50 == null ? "" : `90%: ${duration(totals[`${name}_p90_seconds`])}`);
  }
  const csat = totals.csat_average;
  setCard("csat", csat == null ? "–" : `${csat.toFixed(1)} / 5`, `${totals.csat_count} rated`);
}

function draw(id, config) {
  const canvas = document.getElementById(id);
  const existing = charts[id];
  if (existing && existing.config.type === config.type) {
    // Same chart, new figures: update in place so the page does not flash.
    existing.data.labels = config.data.labels;
    existing.data.datasets = config.data.datasets;
    existing.update();
    return;
  }
  existing?.destroy();
  charts[id] = new window.Chart(canvas, {
    ...config,
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
      ...config.options,
    },
  });
}

const countAxis = { beginAtZero: true, ticks: { precision: 0 } };

function renderCharts(report) {
  const days = report.by_day.map((row) => row.day.slice(5));
  draw("chart-day", {
    type: "bar",
    data: {
      labels: days,
      datasets: [
        { label: "Received", data: report.by_day.map((r) => r.received), backgroundColor: COLORS.received },
        { label: "Taken", data: report.by_day.map((r) => r.taken), backgroundColor: COLORS.taken },
        { label: "Missed", data: report.by_day.map((r) => r.missed), backgroundColor: COLORS.missed },
      ],
    },
    options: { scales: { y: countAxis } },
  });
  draw("chart-hour", {
    type: "bar",
    data: {
      labels: report.by_hour.map((r) => String(r.hour).padStart(2, "0")),
      datasets: [{ label: "Received", data: report.by_hour.map((r) => r.received), backgroundColor: COLORS.received }],
    },
    options: { scales: { y: countAxis } },
  });
  const agents = report.by_agent;
  draw("chart-agents", {
    type: "bar",
    data: {
      labels: agents.map((r) => r.agent_name),
      datasets: [
        { label: "Taken", data: agents.map((r) => r.taken), backgroundColor: COLORS.taken },
        { label: "Dealt with", data: agents.map((r) => r.dealt_with), backgroundColor: COLORS.dealt },
        { label: "Missed", data: agents.map((r) => r.missed), backgroundColor: COLORS.missed },
      ],
    },
    options: { indexAxis: "y", scales: { x: countAxis } },
  });
  for (const [id, name, color, label] of [
    ["chart-first-response", "first_response", COLORS.firstResponse, "Chats by first response"],
    ["chart-wait", "wait", COLORS.wait, "Chats by queue wait"],
  ]) {
    const buckets = report.distributions[name];
    draw(id, {
      type: "bar",
      data: {
        labels: buckets.map((b) => bucketLabel(b.bucket)),
        datasets: [{ label, data: buckets.map((b) => b.count), backgroundColor: color }],
      },
      options: { scales: { y: countAxis }, plugins: { legend: { display: false } } },
    });
  }
  draw("chart-quality", {
    type: "bar",
    data: {
      labels: days,
      datasets: [
        { label: "SLA breaches", data: report.by_day.map((r) => r.sla_breaches), backgroundColor: COLORS.breaches, yAxisID: "y" },
        { type: "line", label: "Satisfaction (1-5)", data: report.by_day.map((r) => r.csat_average), borderColor: COLORS.csat, backgroundColor: COLORS.csat, spanGaps: true, yAxisID: "csat" },
      ],
    },
    options: {
      scales: {
        y: { ...countAxis, position: "left" },
        csat: { min: 1, max: 5, position: "right", grid: { drawOnChartArea: false } },
      },
    },
  });
}

const TABLE_COLUMNS = [
  ["received", "Received", String],
  ["taken", "Taken", String],
  ["dealt_with", "Dealt with", String],
  ["transferred", "Transferred", String],
  ["missed", "Missed", String],
  ["first_response_p50_seconds", "First response, median", duration],
  ["first_response_p90_seconds", "First response, 90%", duration],
  ["resolution_p50_seconds", "Resolution, median", duration],
  ["wait_p50_seconds", "Wait, median", duration],
  ["csat_average", "Satisfaction", (v) => (v == null ? "–" : v.toFixed(1))],
  ["sla_breaches", "SLA breaches", String],
];

function renderTable(id, heading, rows, name, empty) {
  const table = document.getElementById(id);
  table.tHead.replaceChildren(h("tr", {}, h("th", { scope: "col" }, heading), TABLE_COLUMNS.map(([, label]) => h("th", { scope: "col" }, label))));
  const body = rows.map((row) => h("tr", { dataset: { key: String(row[Object.keys(row)[0]] ?? "") } },
    h("th", { scope: "row" }, name(row)),
    TABLE_COLUMNS.map(([key, , format]) => h("td", {}, format(row[key])))));
  table.tBodies[0].replaceChildren(...(body.length ? body : [h("tr", {}, h("td", { colspan: TABLE_COLUMNS.length + 1, class: "muted" }, empty))]));
}

function render(report) {
  renderTotals(report.totals);
  renderCharts(report);
  renderTable("table-agents", "Agent", report.by_agent, (r) => r.agent_name, "No agent worked on a chat in this range.");
  renderTable("table-queues", "Queue", report.by_queue, (r) => r.queue_name, "No chats in this range.");
  renderTable("table-channels", "Channel", report.by_channel, (r) => channelLabel(r.channel), "No chats in this range.");
  $("#report-zone").textContent = report.range.time_zone;
}

async function load({ push = false } = {}) {
  const params = formParams();
  pending?.abort();
  pending = new AbortController();
  status.textContent = "Loading…";
  status.classList.remove("error");
  document.body.dataset.reportState = "loading";
  try {
    const report = await api(`${ENDPOINT}?${query(params)}`, { signal: pending.signal });
    // The answer's range is the one applied (the default week when none was chosen).
    fillForm({ date_from: report.range.date_from, date_to: report.range.date_to });
    const applied = { ...params, date_from: report.range.date_from, date_to: report.range.date_to };
    $("#csv-link").href = `${ENDPOINT}?${query(applied, { format: "csv" })}`;
    if (push) history.replaceState(null, "", `?${query(applied)}`);
    render(report);
    const received = report.totals.received;
    status.textContent = `${received} chat${received === 1 ? "" : "s"} received from ${report.range.date_from} to ${report.range.date_to}.`;
    document.body.dataset.reportState = "ready";
  } catch (error) {
    if (error.name === "AbortError") return;
    status.textContent = error.message;
    status.classList.add("error");
    document.body.dataset.reportState = "error";
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  load({ push: true });
});
for (const field of $$("select", form)) field.addEventListener("change", () => load({ push: true }));
for (const field of $$('input[type="date"]', form)) {
  // Only a complete, valid date: typing a year digit by digit fires change each time.
  field.addEventListener("change", () => field.validity.valid && field.value && load({ push: true }));
}

fillForm(Object.fromEntries(new URLSearchParams(location.search)));
if (!boot.sees_everyone) $("#report-scope").dataset.agent = String(boot.me.id);
load();
