// The fleet console (docs/fleet.md, "The console"): reads the admin API with the admin's client certificate
// (the browser presents it; the page holds no secret), draws the fleet by region, hall and kiosk, and calls
// the admin API's own actions. Every value goes into the page as text (textContent), never as markup, and
// no script is inline: the page's Content-Security-Policy allows only this file.
"use strict";

const TEXT = {
  "zh-CN": {
    title: "终端管理台", "chart.versions": "配置版本分布", "chart.heard": "各大厅最近24小时心跳",
    "filter.state": "状态", "filter.hall": "大厅", "filter.version": "软件版本", "filter.search": "终端编号",
    "filter.all": "全部", "silent.title": "未收到心跳的终端", "silent.none": "无",
    "actions.title": "操作", "actions.enroll": "生成登记码", "actions.maintenance": "生成维护码",
    "actions.publish": "发布已签名的配置包", "actions.make": "生成", "actions.send": "发布",
    "actions.decommission": "停用此终端", "actions.confirm": "确定停用终端 {id}？停用后平台将拒绝它的请求。",
    "actions.done": "完成", "actions.failed": "失败",
    "state.green": "正常", "state.amber": "注意", "state.red": "故障", "state.grey": "已停用",
    "reason.ok": "一切正常", "reason.decommissioned": "已停用", "reason.never": "从未收到心跳",
    "reason.silent": "已 {age} 未收到心跳", "reason.late": "{age} 前的心跳",
    "reason.oos": "暂停服务（{sources}）", "reason.down": "{part} 故障", "reason.degraded": "{part} 降级",
    "reason.config": "配置 {state}", "reason.pending": "{n} 笔业务待处理", "reason.outbox": "{n} 条消息未送达",
    "reason.old": "软件较旧（{version}）", "reason.skew": "时钟偏差 {n} 秒",
    "col.kiosk": "终端", "col.state": "状态", "col.heard": "最近心跳", "col.software": "软件",
    "col.config": "配置", "col.oos": "暂停服务", "col.pending": "待处理业务", "col.outbox": "未送达消息",
    "summary": "共 {total} 台：正常 {green}，注意 {amber}，故障 {red}，已停用 {grey}",
    "asof": "数据时间 {time}", "detail.title": "终端 {id}", "detail.health": "健康检查",
    "detail.orders": "业务", "detail.close": "关闭", "none": "—", "ago": "{age}前",
    "unit.d": "天", "unit.h": "小时", "unit.m": "分钟", "unit.s": "秒",
    "config.applied": "已应用", "config.waiting": "等待空闲时应用", "config.rolled_back": "已回滚",
  },
  en: {
    title: "Fleet console", "chart.versions": "Configuration versions", "chart.heard": "Heartbeats per hall, last 24 hours",
    "filter.state": "State", "filter.hall": "Hall", "filter.version": "Software", "filter.search": "Kiosk id",
    "filter.all": "All", "silent.title": "Kiosks not heard from", "silent.none": "none",
    "actions.title": "Actions", "actions.enroll": "Enrollment code", "actions.maintenance": "Maintenance code",
    "actions.publish": "Publish a signed bundle", "actions.make": "Make", "actions.send": "Publish",
    "actions.decommission": "Decommission this kiosk",
    "actions.confirm": "Decommission kiosk {id}? The platform will refuse it from then on.",
    "actions.done": "done", "actions.failed": "failed",
    "state.green": "green", "state.amber": "amber", "state.red": "red", "state.grey": "decommissioned",
    "reason.ok": "all well", "reason.decommissioned": "decommissioned", "reason.never": "never heard from",
    "reason.silent": "not heard from for {age}", "reason.late": "last heartbeat {age} ago",
    "reason.oos": "out of service ({sources})", "reason.down": "{part} down", "reason.degraded": "{part} degraded",
    "reason.config": "configuration {state}", "reason.pending": "{n} business waiting",
    "reason.outbox": "{n} messages undelivered", "reason.old": "older software ({version})",
    "reason.skew": "clock off by {n} s",
    "col.kiosk": "Kiosk", "col.state": "State", "col.heard": "Last heartbeat", "col.software": "Software",
    "col.config": "Configuration", "col.oos": "Out of service", "col.pending": "Pending business",
    "col.outbox": "Undelivered",
    "summary": "{total} kiosks: {green} green, {amber} amber, {red} red, {grey} decommissioned",
    "asof": "as of {time}", "detail.title": "Kiosk {id}", "detail.health": "Health", "detail.orders": "Business",
    "detail.close": "Close", "none": "—", "ago": "{age} ago",
    "unit.d": "d", "unit.h": "h", "unit.m": "min", "unit.s": "s",
    "config.applied": "applied", "config.waiting": "waiting for a safe point", "config.rolled_back": "rolled back",
  },
};
const LATE_S = 15 * 60;        // a heartbeat older than this: amber
const SILENT_S = 24 * 3600;    // older than this (or none): red, and in the not-heard-from list
const LEVELS = ["red", "amber", "green", "grey"];

let lang = localStorage.getItem("console.lang") || (navigator.language.startsWith("zh") ? "zh-CN" : "en");
let fleet = { now: 0, kiosks: [] };

function t(key, args = {}) {
  let s = (TEXT[lang] && TEXT[lang][key]) || TEXT.en[key] || key;
  for (const [k, v] of Object.entries(args)) s = s.split("{" + k + "}").join(String(v));
  return s;
}
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v;
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c) e.append(c);
  return e;
}
function age(s) {
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  if (d > 0) return d + t("unit.d") + (h ? " " + h + t("unit.h") : "");
  if (h > 0) return h + t("unit.h") + (m ? " " + m + t("unit.m") : "");
  if (m > 0) return m + t("unit.m");
  return Math.max(0, Math.floor(s)) + t("unit.s");
}
function versionParts(v) {
  return String(v || "").split(/[.+~-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}
function newer(a, b) {  // is version a newer than b
  const x = versionParts(a), y = versionParts(b);
  for (let i = 0; i < Math.max(x.length, y.length); ++i) {
    if (x[i] === y[i]) continue;
    if (x[i] === undefined) return false;
    if (y[i] === undefined) return true;
    return x[i] > y[i];
  }
  return false;
}

// Green, amber or red, and why: the worst of what the kiosk's last heartbeat and its silence say.
function judge(k, now, newest) {
  if (k.state === "decommissioned") return { level: "grey", reasons: [t("reason.decommissioned")] };
  if (k.last_heartbeat_at === undefined) return { level: "red", reasons: [t("reason.never")] };
  const silent = now - k.last_heartbeat_at, hb = k.last_heartbeat || {};
  const red = [], amber = [];
  if (silent > SILENT_S) red.push(t("reason.silent", { age: age(silent) }));
  else if (silent > LATE_S) amber.push(t("reason.late", { age: age(silent) }));
  const oos = Array.isArray(hb.out_of_service) ? hb.out_of_service : [];
  if (oos.length) red.push(t("reason.oos", { sources: oos.map((o) => o.source).join(", ") }));
  for (const h of Array.isArray(hb.health) ? hb.health : []) {
    if (h.status === "down") red.push(t("reason.down", { part: h.part }));
    else if (h.status === "degraded") amber.push(t("reason.degraded", { part: h.part }));
  }
  if (hb.config_state && hb.config_state !== "applied")
    amber.push(t("reason.config", { state: t("config." + hb.config_state) }));
  if (hb.pending_business > 0) amber.push(t("reason.pending", { n: hb.pending_business }));
  if (hb.outbox_pending > 0) amber.push(t("reason.outbox", { n: hb.outbox_pending }));
  if (Math.abs(hb.clock_skew_s || 0) > 300) amber.push(t("reason.skew", { n: hb.clock_skew_s }));
  if (newest && hb.software_version && newer(newest, hb.software_version))
    amber.push(t("reason.old", { version: hb.software_version }));
  if (red.length) return { level: "red", reasons: red.concat(amber) };
  if (amber.length) return { level: "amber", reasons: amber };
  return { level: "green", reasons: [t("reason.ok")] };
}

function newestSoftware(kiosks) {
  let best = "";
  for (const k of kiosks) {
    const v = k.last_heartbeat && k.last_heartbeat.software_version;
    if (v && (!best || newer(v, best))) best = v;
  }
  return best;
}

function params() {
  const p = new URLSearchParams(location.hash.slice(1));
  return { state: p.get("state") || "", hall: p.get("hall") || "", version: p.get("version") || "",
           q: p.get("q") || "", kiosk: p.get("kiosk") || "" };
}
function setParam(name, value) {
  const p = new URLSearchParams(location.hash.slice(1));
  if (value) p.set(name, value); else p.delete(name);
  location.hash = p.toString();
}

function options(select, values, chosen, label) {
  select.replaceChildren(el("option", { value: "", text: t("filter.all") }),
    ...values.map((v) => el("option", { value: v, text: label ? label(v) : v })));
  select.value = chosen;
}

function bars(container, entries) {  // [[label, count, class]]: a horizontal bar chart in inline SVG
  const NS = "http://www.w3.org/2000/svg", max = Math.max(1, ...entries.map((e) => e[1]));
  const rowH = 22, width = 420, labelW = 140;
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${Math.max(1, entries.length) * rowH}`);
  svg.setAttribute("role", "img");
  entries.forEach(([label, n, cls], i) => {
    const y = i * rowH;
    const text = document.createElementNS(NS, "text");
    text.setAttribute("x", "0"); text.setAttribute("y", String(y + 15)); text.textContent = label;
    const bar = document.createElementNS(NS, "rect");
    bar.setAttribute("x", String(labelW)); bar.setAttribute("y", String(y + 4));
    bar.setAttribute("height", String(rowH - 8));
    bar.setAttribute("width", String(Math.max(1, ((width - labelW - 50) * n) / max)));
    bar.setAttribute("class", cls || "bar");
    const count = document.createElementNS(NS, "text");
    count.setAttribute("x", String(labelW + ((width - labelW - 50) * n) / max + 4));
    count.setAttribute("y", String(y + 15)); count.textContent = String(n);
    svg.append(text, bar, count);
  });
  container.replaceChildren(svg);
}

function render() {
  document.documentElement.lang = lang;
  for (const e of document.querySelectorAll("[data-t]")) e.textContent = t(e.dataset.t);
  const p = params(), now = fleet.now, newest = newestSoftware(fleet.kiosks);
  const rows = fleet.kiosks.map((k) => ({ k, j: judge(k, now, newest) }));
  document.getElementById("as-of").textContent = t("asof", { time: new Date(now * 1000).toISOString() });

  const count = { green: 0, amber: 0, red: 0, grey: 0 };
  for (const r of rows) count[r.j.level]++;
  const summary = document.getElementById("summary");
  summary.replaceChildren(el("p", { id: "summary-text", text: t("summary", { total: rows.length, ...count }) }));
  for (const l of LEVELS) summary.append(el("span", { class: "badge " + l, "data-count": l, text: String(count[l]) }));

  const halls = [...new Set(fleet.kiosks.map((k) => k.hall).filter(Boolean))].sort();
  const versions = [...new Set(fleet.kiosks.map((k) => (k.last_heartbeat || {}).software_version).filter(Boolean))].sort();
  options(document.getElementById("f-state"), LEVELS, p.state, (l) => t("state." + l));
  options(document.getElementById("f-hall"), halls, p.hall);
  options(document.getElementById("f-version"), versions, p.version);
  document.getElementById("f-search").value = p.q;

  const byConfig = new Map();
  for (const { k } of rows) {
    const v = (k.last_heartbeat || {}).config_version;
    if (v !== undefined) byConfig.set(v, (byConfig.get(v) || 0) + 1);
  }
  bars(document.getElementById("chart-versions"),
       [...byConfig.entries()].sort((a, b) => b[0] - a[0]).map(([v, n]) => ["v" + v, n, "bar"]));
  const heard = new Map();
  for (const { k } of rows)
    if (k.last_heartbeat_at !== undefined && now - k.last_heartbeat_at <= 86400)
      heard.set(k.hall || "—", (heard.get(k.hall || "—") || 0) + 1);
  bars(document.getElementById("chart-heard"), [...heard.entries()].sort().map(([h, n]) => [h, n, "bar heard"]));

  const silent = rows.filter((r) => r.k.state !== "decommissioned" &&
                                    (r.k.last_heartbeat_at === undefined || now - r.k.last_heartbeat_at > SILENT_S));
  const list = document.getElementById("silent-list");
  list.replaceChildren(...silent.map((r) => el("li", { "data-kiosk": r.k.kiosk_id },
    el("a", { href: "#kiosk=" + encodeURIComponent(r.k.kiosk_id), text: r.k.kiosk_id }),
    el("span", { text: " " + r.j.reasons[0] }))));
  if (!silent.length) list.append(el("li", { text: t("silent.none") }));

  const shown = rows.filter(({ k, j }) =>
    (!p.state || j.level === p.state) && (!p.hall || k.hall === p.hall) &&
    (!p.version || (k.last_heartbeat || {}).software_version === p.version) &&
    (!p.q || k.kiosk_id.toLowerCase().includes(p.q.toLowerCase())));
  const fleetEl = document.getElementById("fleet");
  fleetEl.replaceChildren();
  const regions = new Map();
  for (const r of shown) {
    const region = r.k.region || "—", hall = r.k.hall || "—";
    if (!regions.has(region)) regions.set(region, new Map());
    const hs = regions.get(region);
    if (!hs.has(hall)) hs.set(hall, []);
    hs.get(hall).push(r);
  }
  for (const [region, hs] of [...regions.entries()].sort()) {
    const reg = el("details", { class: "region", open: "", "data-region": region }, el("summary", { text: region }));
    for (const [hall, rs] of [...hs.entries()].sort()) {
      const worst = LEVELS.find((l) => rs.some((r) => r.j.level === l)) || "green";
      const table = el("table", {},
        el("thead", {}, el("tr", {}, ...["kiosk", "state", "heard", "software", "config", "oos", "pending", "outbox"]
          .map((c) => el("th", { text: t("col." + c) })))));
      const body = el("tbody");
      for (const { k, j } of rs.sort((a, b) => LEVELS.indexOf(a.j.level) - LEVELS.indexOf(b.j.level) ||
                                               a.k.kiosk_id.localeCompare(b.k.kiosk_id))) {
        const hb = k.last_heartbeat || {};
        body.append(el("tr", { class: j.level, "data-kiosk": k.kiosk_id, "data-level": j.level },
          el("td", {}, el("a", { href: "#kiosk=" + encodeURIComponent(k.kiosk_id), text: k.kiosk_id })),
          el("td", {}, el("span", { class: "badge " + j.level, text: t("state." + j.level) }),
             el("span", { class: "reason", text: " " + j.reasons.join("; ") })),
          el("td", { text: k.last_heartbeat_at === undefined ? t("none") : t("ago", { age: age(now - k.last_heartbeat_at) }) }),
          el("td", { text: hb.software_version || t("none") }),
          el("td", { text: hb.config_version === undefined ? t("none")
                           : "v" + hb.config_version + (hb.config_state ? " · " + t("config." + hb.config_state) : "") }),
          el("td", { text: (hb.out_of_service || []).map((o) => o.source).join(", ") || t("none") }),
          el("td", { text: String(hb.pending_business || 0) }),
          el("td", { text: String(hb.outbox_pending || 0) })));
      }
      table.append(body);
      reg.append(el("section", { class: "hall", "data-hall": hall },
        el("h3", {}, el("span", { class: "badge " + worst, text: t("state." + worst) }), el("span", { text: " " + hall + " (" + rs.length + ")" })),
        table));
    }
    fleetEl.append(reg);
  }
  renderDetail(p.kiosk, rows);
}

function renderDetail(id, rows) {
  const d = document.getElementById("detail");
  const r = rows.find((x) => x.k.kiosk_id === id);
  if (!id || !r) { d.hidden = true; d.replaceChildren(); return; }
  const { k, j } = r, hb = k.last_heartbeat || {};
  d.hidden = false;
  const health = el("ul", { id: "detail-health" },
    ...(hb.health || []).map((h) => el("li", { class: h.status, text: h.part + ": " + h.status + (h.detail ? " — " + h.detail : "") })));
  const close = el("button", { type: "button", text: t("detail.close") });
  close.addEventListener("click", () => setParam("kiosk", ""));
  const decommission = el("button", { type: "button", id: "decommission", text: t("actions.decommission") });
  decommission.addEventListener("click", () => {
    if (!confirm(t("actions.confirm", { id: k.kiosk_id }))) return;
    post("/v1/admin/kiosks/" + encodeURIComponent(k.kiosk_id) + "/decommission", {}).then(load);
  });
  const orders = el("ul", { id: "detail-orders" });
  d.replaceChildren(el("h2", { id: "detail-title", text: t("detail.title", { id: k.kiosk_id }) }),
    el("p", { class: "badge " + j.level, text: t("state." + j.level) }),
    el("p", { id: "detail-reasons", text: j.reasons.join("; ") }),
    el("dl", {}, el("dt", { text: t("filter.hall") }), el("dd", { text: k.hall || t("none") }),
       el("dt", { text: t("col.software") }), el("dd", { text: hb.software_version || t("none") }),
       el("dt", { text: t("col.config") }), el("dd", { text: hb.config_version === undefined ? t("none") : "v" + hb.config_version })),
    el("h3", { text: t("detail.health") }), health, el("h3", { text: t("detail.orders") }), orders, close,
    k.state === "decommissioned" ? null : decommission);
  fetch("/v1/admin/kiosks/" + encodeURIComponent(k.kiosk_id) + "/orders").then((res) => (res.ok ? res.json() : null))
    .then((o) => {
      for (const b of (o && (o.orders || o.business || o.items)) || [])
        orders.append(el("li", { text: [b.id || b.order_id, b.status, b.product_id].filter(Boolean).join(" · ") }));
    }).catch(() => {});
}

function post(path, body) {
  const out = document.getElementById("action-result");
  return fetch(path, { method: "POST", headers: { "Content-Type": "application/json",
                                                  "Idempotency-Key": crypto.randomUUID().replace(/-/g, "") },
                       body: JSON.stringify(body) })
    .then((res) => res.json().then((j) => ({ ok: res.ok, j })))
    .then(({ ok, j }) => { out.textContent = (ok ? t("actions.done") : t("actions.failed")) + ": " + JSON.stringify(j); return j; });
}

function load() {
  return fetch("/v1/admin/kiosks").then((res) => {
    if (!res.ok) throw new Error("HTTP " + res.status);
    return res.json();
  }).then((f) => { fleet = f; render(); document.body.dataset.loaded = "1"; })
    .catch((e) => { document.getElementById("summary").textContent = String(e); document.body.dataset.loaded = "error"; });
}

document.addEventListener("DOMContentLoaded", () => {
  for (const [id, l] of [["lang-zh", "zh-CN"], ["lang-en", "en"]])
    document.getElementById(id).addEventListener("click", () => { lang = l; localStorage.setItem("console.lang", l); render(); });
  for (const [id, name] of [["f-state", "state"], ["f-hall", "hall"], ["f-version", "version"]])
    document.getElementById(id).addEventListener("change", (e) => setParam(name, e.target.value));
  document.getElementById("f-search").addEventListener("input", (e) => setParam("q", e.target.value));
  window.addEventListener("hashchange", render);
  const form = (id, path, fields) => document.getElementById(id).addEventListener("submit", (e) => {
    e.preventDefault();
    const data = new FormData(e.target), body = {};
    for (const f of fields) if (data.get(f)) body[f] = data.get(f);
    post(path, body);
  });
  form("enroll-form", "/v1/admin/enrollment-codes", ["kiosk_id", "hall", "region"]);
  form("maint-form", "/v1/admin/maintenance-codes", ["staff", "kiosk_id"]);
  document.getElementById("publish-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const file = new FormData(e.target).get("bundle");
    file.arrayBuffer().then((buf) => {
      let bin = "";
      for (const b of new Uint8Array(buf)) bin += String.fromCharCode(b);
      return post("/v1/admin/bundles", { bundle: btoa(bin) });
    });
  });
  if (new URLSearchParams(location.hash.slice(1)).get("lang")) lang = new URLSearchParams(location.hash.slice(1)).get("lang");
  load();
});
