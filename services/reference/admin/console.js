// The fleet console (docs/console.md): reads the admin API with the admin's client certificate (the
// browser presents it; the page holds no secret), draws the fleet by region, hall and kiosk, and calls
// the admin API's own actions. Every value goes into the page as text (textContent, setAttribute),
// never as markup, and no script is inline: the page's Content-Security-Policy allows only this file.
"use strict";

const TEXT = {
  "zh-CN": {
    title: "终端管理台", "chart.versions": "配置版本分布（分批发布）", "chart.heard": "各大厅最近24小时心跳（每小时）",
    "chart.start": "24小时前", "chart.now": "现在",
    "filter.state": "状态", "filter.hall": "大厅", "filter.version": "软件版本", "filter.search": "终端编号",
    "filter.all": "全部", "filter.shown": "显示 {n} 台", "silent.title": "未收到心跳的终端", "silent.none": "无",
    "silent.more": "另有 {n} 台", "actions.title": "操作", "actions.enroll": "生成登记码",
    "actions.maintenance": "生成维护码", "actions.publish": "发布已签名的配置包", "actions.make": "生成",
    "actions.send": "发布", "actions.decommission": "停用此终端",
    "actions.confirm": "确定停用终端 {id}？停用后平台将拒绝它的所有请求。", "actions.done": "完成",
    "actions.failed": "失败", "audit.title": "最近的管理操作", "audit.none": "暂无",
    "state.green": "正常", "state.amber": "注意", "state.red": "故障", "state.grey": "已停用",
    "reason.ok": "一切正常", "reason.decommissioned": "已停用", "reason.never": "从未收到心跳",
    "reason.silent": "已 {age} 未收到心跳", "reason.late": "最近心跳在 {age} 前",
    "reason.oos": "暂停服务（{sources}）", "reason.down": "{part} 故障", "reason.unknown": "{part} 状态未知",
    "reason.config": "配置 {state}", "reason.pending": "{n} 笔业务待处理", "reason.outbox": "{n} 条消息未送达",
    "reason.old": "软件较旧（{version}）", "reason.skew": "时钟偏差 {n} 秒",
    "col.kiosk": "终端", "col.state": "状态", "col.heard": "最近心跳", "col.software": "软件",
    "col.config": "配置", "col.oos": "暂停服务", "col.pending": "待处理业务", "col.outbox": "未送达消息",
    "col.time": "时间", "col.health": "健康", "col.admin": "操作人", "col.action": "操作", "col.target": "对象",
    "summary": "共 {total} 台：正常 {green}，注意 {amber}，故障 {red}，已停用 {grey}",
    "asof": "数据时间 {time}", "detail.title": "终端 {id}", "detail.health": "健康检查",
    "detail.beats": "最近心跳", "detail.config": "配置历史", "detail.orders": "业务", "detail.close": "关闭",
    "detail.region": "区域", "none": "—", "ago": "{age}前", "hall.show": "展开 {n} 台",
    "unit.d": "天", "unit.h": "小时", "unit.m": "分钟", "unit.s": "秒",
    "config.applied": "已应用", "config.waiting": "等待空闲时应用", "config.rolled_back": "已回滚",
    "config.install": "安装时配置", "config.trial": "试运行中", "config.refused": "已拒绝", "config.disabled": "未启用",
    "part.platform": "平台", "part.clock": "时钟", "part.journal": "日志", "part.drivers": "驱动",
    "health.ok": "正常", "health.down": "故障", "health.unknown": "未知",
    "ph.kiosk": "终端编号", "ph.hall": "大厅", "ph.region": "区域（可选）", "ph.staff": "工作人员",
    "error.load": "无法读取终端数据（{what}）。请确认浏览器使用了管理员证书，然后刷新页面。",
  },
  en: {
    title: "Fleet console", "chart.versions": "Configuration versions (cohort rollout)",
    "chart.heard": "Heartbeats per hall, last 24 hours (per hour)", "chart.start": "24 h ago", "chart.now": "now",
    "filter.state": "State", "filter.hall": "Hall", "filter.version": "Software", "filter.search": "Kiosk id",
    "filter.all": "All", "filter.shown": "{n} shown", "silent.title": "Kiosks not heard from", "silent.none": "none",
    "silent.more": "and {n} more", "actions.title": "Actions", "actions.enroll": "Enrollment code",
    "actions.maintenance": "Maintenance code", "actions.publish": "Publish a signed bundle", "actions.make": "Make",
    "actions.send": "Publish", "actions.decommission": "Decommission this kiosk",
    "actions.confirm": "Decommission kiosk {id}? The platform will refuse every request from it.",
    "actions.done": "done", "actions.failed": "failed", "audit.title": "Recent admin actions", "audit.none": "none",
    "state.green": "green", "state.amber": "amber", "state.red": "red", "state.grey": "decommissioned",
    "reason.ok": "all well", "reason.decommissioned": "decommissioned", "reason.never": "never heard from",
    "reason.silent": "not heard from for {age}", "reason.late": "last heartbeat {age} ago",
    "reason.oos": "out of service ({sources})", "reason.down": "{part} down", "reason.unknown": "{part} unknown",
    "reason.config": "configuration {state}", "reason.pending": "{n} business waiting for staff",
    "reason.outbox": "{n} messages undelivered", "reason.old": "older software ({version})",
    "reason.skew": "clock off by {n} s",
    "col.kiosk": "Kiosk", "col.state": "State", "col.heard": "Last heartbeat", "col.software": "Software",
    "col.config": "Configuration", "col.oos": "Out of service", "col.pending": "Pending business",
    "col.outbox": "Undelivered", "col.time": "Time", "col.health": "Health", "col.admin": "Admin",
    "col.action": "Action", "col.target": "Target",
    "summary": "{total} kiosks: {green} green, {amber} amber, {red} red, {grey} decommissioned",
    "asof": "as of {time}", "detail.title": "Kiosk {id}", "detail.health": "Health",
    "detail.beats": "Recent heartbeats", "detail.config": "Configuration history", "detail.orders": "Business",
    "detail.close": "Close", "detail.region": "Region", "none": "—", "ago": "{age} ago", "hall.show": "show {n} kiosks",
    "unit.d": " d", "unit.h": " h", "unit.m": " min", "unit.s": " s",
    "config.applied": "applied", "config.waiting": "waiting for a safe point", "config.rolled_back": "rolled back",
    "config.install": "install-time settings", "config.trial": "on trial", "config.refused": "refused", "config.disabled": "not in use",
    "part.platform": "platform", "part.clock": "clock", "part.journal": "journal", "part.drivers": "drivers",
    "health.ok": "ok", "health.down": "down", "health.unknown": "unknown",
    "ph.kiosk": "kiosk id", "ph.hall": "hall", "ph.region": "region (optional)", "ph.staff": "staff",
    "error.load": "The fleet could not be read ({what}). Check that the browser presents your admin certificate, then reload.",
  },
};
const LATE_S = 15 * 60;      // a heartbeat older than this: amber (three missed at the usual 5 minutes)
const SILENT_S = 24 * 3600;  // older than this, or none: red, and in the not-heard-from list
const LEVELS = ["red", "amber", "green", "grey"];
const EAGER_ROWS = 1000;     // more kiosks shown than this: each hall's table is built when it is opened
const SILENT_LISTED = 200;
const PATH_ID = /^[A-Za-z0-9_-]{1,64}$/;  // ids the admin API's paths take

let lang = localStorage.getItem("console.lang") || (navigator.language.startsWith("zh") ? "zh-CN" : "en");
let fleet = { now: 0, kiosks: [] }, hours = { halls: [] }, audit = { entries: [] };

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
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}
function age(s) {
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  if (d > 0) return d + t("unit.d") + (h ? " " + h + t("unit.h") : "");
  if (h > 0) return h + t("unit.h") + (m ? " " + m + t("unit.m") : "");
  if (m > 0) return m + t("unit.m");
  return Math.max(0, Math.floor(s)) + t("unit.s");
}
function when(unix) {
  return new Date(unix * 1000).toLocaleString(lang, { hour12: false });
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
const hbOf = (k) => k.last_heartbeat || {};
// A health item's part and status by key; one this page does not know yet as the kiosk sent it.
const known = (prefix, v) => (TEXT.en[prefix + v] ? t(prefix + v) : String(v));
const healthText = (h) => known("part.", h.part) + ": " + known("health.", h.status);
// The configuration as the kiosk runs it: config_version and config_state beside it (docs/platform.md,
// "The heartbeat").
const configOf = (hb) => ({ state: hb.config_state, detail: hb.config_state_detail || hb.config_code });
const configVersion = (hb) => hb.config_version;
const configText = (hb) => configVersion(hb) === undefined ? t("none")
  : "v" + configVersion(hb) + (configOf(hb).state ? " · " + known("config.", configOf(hb).state) : "");

// Green, amber or red, and why: the worst of what the kiosk's last heartbeat and its silence say.
function judge(k, now, newest) {
  if (k.state === "decommissioned") return { level: "grey", reasons: [t("reason.decommissioned")] };
  if (k.last_heartbeat_at === undefined) return { level: "red", reasons: [t("reason.never")] };
  const silent = now - k.last_heartbeat_at, hb = hbOf(k), red = [], amber = [];
  if (silent > SILENT_S) red.push(t("reason.silent", { age: age(silent) }));
  else if (silent > LATE_S) amber.push(t("reason.late", { age: age(silent) }));
  const oos = Array.isArray(hb.out_of_service) ? hb.out_of_service : [];
  if (oos.length) red.push(t("reason.oos", { sources: oos.map((o) => o.source).join(", ") }));
  for (const h of Array.isArray(hb.health) ? hb.health : []) {
    if (h.status === "down") red.push(t("reason.down", { part: known("part.", h.part) }));
    else if (h.status !== "ok") amber.push(t("reason.unknown", { part: known("part.", h.part) }));
  }
  const cs = configOf(hb).state;
  if (cs && cs !== "applied" && cs !== "install")
    amber.push(t("reason.config", { state: known("config.", cs) }));
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
    const v = hbOf(k).software_version;
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

// ---- pictures: inline SVG, drawn here (no library, nothing fetched)
const NS = "http://www.w3.org/2000/svg";
function svgEl(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}
function shortLabel(s, n) {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}

// [[label, count]] as horizontal bars with the count and its share.
function shareBars(container, entries) {
  const total = entries.reduce((a, e) => a + e[1], 0) || 1, max = Math.max(1, ...entries.map((e) => e[1]));
  const rowH = 24, width = 460, labelW = 70, barW = width - labelW - 110;
  const svg = svgEl("svg", { viewBox: `0 0 ${width} ${Math.max(1, entries.length) * rowH}`, role: "img" });
  entries.forEach(([label, n], i) => {
    const y = i * rowH, w = Math.max(1, (barW * n) / max);
    svg.append(svgEl("text", { x: 0, y: y + 16 }, label),
               svgEl("rect", { x: labelW, y: y + 4, width: w, height: rowH - 8, class: "bar" }),
               svgEl("text", { x: labelW + w + 6, y: y + 16, "data-version-count": label },
                     `${n} (${Math.round((100 * n) / total)}%)`));
  });
  container.replaceChildren(svg);
}

// One row per hall: its label and 24 columns, one per hour (oldest first), scaled to the hall's own most.
function hourRows(container, halls) {
  const rowH = 20, width = 460, labelW = 150, colW = (width - labelW - 40) / 24;
  const svg = svgEl("svg", { viewBox: `0 0 ${width} ${Math.max(1, halls.length) * rowH + 14}`, role: "img" });
  halls.forEach((h, i) => {
    const y = i * rowH, max = Math.max(1, ...h.counts);
    const label = svgEl("text", { x: 0, y: y + 14 }, shortLabel(h.hall || t("none"), 12));
    label.append(svgEl("title", {}, h.hall || t("none")));
    svg.append(label);
    h.counts.forEach((n, j) => {
      const bh = Math.round(((rowH - 6) * n) / max);
      svg.append(svgEl("rect", { x: labelW + j * colW, y: y + rowH - 3 - bh, width: colW - 1, height: Math.max(bh, n ? 1 : 0),
                                 class: n ? "bar heard" : "bar" }));
    });
    svg.append(svgEl("text", { x: width - 36, y: y + 14 }, String(h.counts[h.counts.length - 1])));
  });
  svg.append(svgEl("text", { x: labelW, y: halls.length * rowH + 12, class: "axis" }, t("chart.start")),
             svgEl("text", { x: width - 60, y: halls.length * rowH + 12, class: "axis" }, t("chart.now")));
  container.replaceChildren(svg);
}

// ---- the fleet
function kioskRow(k, j, now) {
  const hb = hbOf(k);
  return el("tr", { class: j.level, "data-kiosk": k.kiosk_id, "data-level": j.level },
    el("td", {}, el("a", { href: "#kiosk=" + encodeURIComponent(k.kiosk_id), text: k.kiosk_id })),
    el("td", {}, el("span", { class: "badge " + j.level, text: t("state." + j.level) }),
       el("span", { class: "reason", text: " " + j.reasons.join("; ") })),
    el("td", { text: k.last_heartbeat_at === undefined ? t("none") : t("ago", { age: age(now - k.last_heartbeat_at) }) }),
    el("td", { text: hb.software_version || t("none") }),
    el("td", { text: configText(hb) }),
    el("td", { text: (hb.out_of_service || []).map((o) => o.source).join(", ") || t("none") }),
    el("td", { text: String(hb.pending_business || 0) }),
    el("td", { text: String(hb.outbox_pending || 0) }));
}

function hallTable(rs, now) {
  const head = el("tr", {}, ...["kiosk", "state", "heard", "software", "config", "oos", "pending", "outbox"]
    .map((c) => el("th", { text: t("col." + c) })));
  const body = el("tbody");
  rs.sort((a, b) => LEVELS.indexOf(a.j.level) - LEVELS.indexOf(b.j.level) || (a.k.kiosk_id < b.k.kiosk_id ? -1 : 1));
  for (const { k, j } of rs) body.append(kioskRow(k, j, now));
  return el("table", {}, el("thead", {}, head), body);
}

function render() {
  document.documentElement.lang = lang;
  for (const e of document.querySelectorAll("[data-t]")) e.textContent = t(e.dataset.t);
  for (const e of document.querySelectorAll("[data-ph]")) e.placeholder = t(e.dataset.ph);
  const p = params(), now = fleet.now, newest = newestSoftware(fleet.kiosks);
  const rows = fleet.kiosks.map((k) => ({ k, j: judge(k, now, newest) }));
  document.getElementById("as-of").textContent = t("asof", { time: when(now) });

  const count = { green: 0, amber: 0, red: 0, grey: 0 };
  for (const r of rows) count[r.j.level]++;
  const summary = document.getElementById("summary");
  summary.replaceChildren(el("p", { id: "summary-text", text: t("summary", { total: rows.length, ...count }) }));
  for (const l of LEVELS) summary.append(el("span", { class: "badge " + l, "data-count": l, text: String(count[l]) }));

  const halls = [...new Set(fleet.kiosks.map((k) => k.hall).filter(Boolean))].sort();
  const versions = [...new Set(fleet.kiosks.map((k) => hbOf(k).software_version).filter(Boolean))].sort();
  options(document.getElementById("f-state"), LEVELS, p.state, (l) => t("state." + l));
  options(document.getElementById("f-hall"), halls, p.hall);
  options(document.getElementById("f-version"), versions, p.version);
  document.getElementById("f-search").value = p.q;

  const byConfig = new Map();
  for (const { k, j } of rows) {
    const v = configVersion(hbOf(k));
    if (v !== undefined && j.level !== "grey") byConfig.set(v, (byConfig.get(v) || 0) + 1);
  }
  shareBars(document.getElementById("chart-versions"),
            [...byConfig.entries()].sort((a, b) => b[0] - a[0]).map(([v, n]) => ["v" + v, n]));
  hourRows(document.getElementById("chart-heard"),
           (hours.halls || []).slice().sort((a, b) => (a.hall < b.hall ? -1 : 1)));

  const silent = rows.filter((r) => r.k.state !== "decommissioned" &&
                                    (r.k.last_heartbeat_at === undefined || now - r.k.last_heartbeat_at > SILENT_S));
  silent.sort((a, b) => (a.k.last_heartbeat_at || 0) - (b.k.last_heartbeat_at || 0));
  const list = document.getElementById("silent-list");
  list.replaceChildren(...silent.slice(0, SILENT_LISTED).map((r) => el("li", { "data-kiosk": r.k.kiosk_id },
    el("a", { href: "#kiosk=" + encodeURIComponent(r.k.kiosk_id), text: r.k.kiosk_id }),
    el("span", { text: " " + r.j.reasons[0] + (r.k.hall ? " · " + r.k.hall : "") }))));
  if (silent.length > SILENT_LISTED) list.append(el("li", { text: t("silent.more", { n: silent.length - SILENT_LISTED }) }));
  if (!silent.length) list.append(el("li", { text: t("silent.none") }));

  const q = p.q.toLowerCase();
  const shown = rows.filter(({ k, j }) =>
    (!p.state || j.level === p.state) && (!p.hall || k.hall === p.hall) &&
    (!p.version || hbOf(k).software_version === p.version) && (!q || k.kiosk_id.toLowerCase().includes(q)));
  document.getElementById("shown-count").textContent = t("filter.shown", { n: shown.length });
  const regions = new Map();
  for (const r of shown) {
    const region = r.k.region || t("none"), hall = r.k.hall || t("none");
    if (!regions.has(region)) regions.set(region, new Map());
    const hs = regions.get(region);
    if (!hs.has(hall)) hs.set(hall, []);
    hs.get(hall).push(r);
  }
  const eager = shown.length <= EAGER_ROWS, fleetEl = document.getElementById("fleet");
  fleetEl.replaceChildren();
  for (const [region, hs] of [...regions.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const n = [...hs.values()].reduce((a, rs) => a + rs.length, 0);
    const reg = el("details", { class: "region", open: "", "data-region": region },
                   el("summary", { text: region + " (" + n + ")" }));
    for (const [hall, rs] of [...hs.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const c = { green: 0, amber: 0, red: 0, grey: 0 };
      for (const r of rs) c[r.j.level]++;
      const worst = LEVELS.find((l) => c[l] > 0 && l !== "grey") || "grey";
      const head = el("summary", {}, el("span", { class: "badge " + worst, text: t("state." + worst) }),
        el("span", { class: "hall-name", text: " " + hall + " " }),
        ...LEVELS.filter((l) => c[l]).map((l) => el("span", { class: "count " + l, text: c[l] + " " + t("state." + l) })));
      const sec = el("details", { class: "hall", "data-hall": hall }, head);
      if (eager) {
        sec.open = true;
        sec.append(hallTable(rs, now));
      } else {
        sec.addEventListener("toggle", () => {
          if (sec.open && !sec.querySelector("table")) sec.append(hallTable(rs, now));
        });
      }
      reg.append(sec);
    }
    fleetEl.append(reg);
  }
  renderAudit();
  renderDetail(p.kiosk, rows);
}

function renderAudit() {
  const table = document.getElementById("audit");
  const head = el("tr", {}, ...["time", "admin", "action", "target"].map((c) => el("th", { text: t("col." + c) })));
  const entries = (audit.entries || []).slice(0, 20);
  table.replaceChildren(el("thead", {}, head), el("tbody", {}, ...entries.map((e) => el("tr", {},
    el("td", { text: when(e.at) }), el("td", { text: e.admin }), el("td", { text: e.action }), el("td", { text: e.target })))));
  if (!entries.length) table.append(el("tbody", {}, el("tr", {}, el("td", { text: t("audit.none") }))));
}

// ---- a kiosk's detail: what the list knows at once, then its history and business from the admin API
function renderDetail(id, rows) {
  const d = document.getElementById("detail");
  const r = rows.find((x) => x.k.kiosk_id === id);
  if (!id || !r) { d.hidden = true; d.replaceChildren(); return; }
  const { k, j } = r, hb = hbOf(k), now = fleet.now;
  d.hidden = false;
  const close = el("button", { type: "button", text: t("detail.close") });
  close.addEventListener("click", () => setParam("kiosk", ""));
  const decommission = el("button", { type: "button", id: "decommission", text: t("actions.decommission") });
  decommission.addEventListener("click", () => {
    if (!confirm(t("actions.confirm", { id: k.kiosk_id }))) return;
    post("/v1/admin/kiosks/" + encodeURIComponent(k.kiosk_id) + "/decommission", {}).then(load);
  });
  const health = el("ul", { id: "detail-health" }, ...(hb.health || []).map((h) =>
    el("li", { class: h.status, text: healthText(h) + (h.detail ? " — " + h.detail : "") })));
  const beats = el("table", { id: "detail-beats" }, el("thead", {}, el("tr", {},
    ...["time", "software", "config", "health"].map((c) => el("th", { text: t("col." + c) })))));
  const config = el("ul", { id: "detail-config" }), orders = el("ul", { id: "detail-orders" });
  d.replaceChildren(
    el("div", { class: "detail-head" }, el("h2", { id: "detail-title", text: t("detail.title", { id: k.kiosk_id }) }), close),
    el("p", {}, el("span", { class: "badge " + j.level, text: t("state." + j.level) }),
       el("span", { id: "detail-reasons", text: " " + j.reasons.join("; ") })),
    el("dl", {},
       el("dt", { text: t("detail.region") }), el("dd", { text: k.region || t("none") }),
       el("dt", { text: t("filter.hall") }), el("dd", { text: k.hall || t("none") }),
       el("dt", { text: t("col.heard") }), el("dd", { text: k.last_heartbeat_at === undefined ? t("none")
         : when(k.last_heartbeat_at) + " (" + t("ago", { age: age(now - k.last_heartbeat_at) }) + ")" }),
       el("dt", { text: t("col.software") }), el("dd", { text: hb.software_version || t("none") }),
       el("dt", { text: t("col.config") }), el("dd", { text: configText(hb) + (configOf(hb).detail ? " — " + configOf(hb).detail : "") }),
       el("dt", { text: t("col.oos") }), el("dd", { text: (hb.out_of_service || []).map((o) => o.source + (o.detail ? " (" + o.detail + ")" : "")).join(", ") || t("none") }),
       el("dt", { text: t("col.pending") }), el("dd", { text: String(hb.pending_business || 0) }),
       el("dt", { text: t("col.outbox") }), el("dd", { text: String(hb.outbox_pending || 0) })),
    el("h3", { text: t("detail.health") }), health,
    el("h3", { text: t("detail.beats") }), beats,
    el("h3", { text: t("detail.config") }), config,
    el("h3", { text: t("detail.orders") }), orders,
    k.state === "decommissioned" ? null : decommission);
  if (!PATH_ID.test(k.kiosk_id)) return;  // an id the API's paths do not take (a dev certificate's CN)
  const base = "/v1/admin/kiosks/" + encodeURIComponent(k.kiosk_id);
  getJson(base + "/history").then((h) => {
    if (params().kiosk !== id) return;
    const body = el("tbody");
    for (const b of h.heartbeats || []) {
      const x = b.heartbeat || {}, bad = (x.health || []).filter((i) => i.status !== "ok");
      body.append(el("tr", {}, el("td", { text: when(b.at) }), el("td", { text: x.software_version || t("none") }),
        el("td", { text: configText(x) }),
        el("td", { text: bad.length ? bad.map(healthText).join(", ") : t("health.ok") })));
    }
    beats.append(body);
    config.replaceChildren(...(h.config || []).map((e) => el("li", {
      text: when(e.at) + " · v" + e.version + " · " + known("config.", e.state) + (e.detail ? " — " + e.detail : "") })));
    d.dataset.history = "1";
  }).catch(() => {});
  getJson(base + "/orders").then((o) => {
    if (params().kiosk !== id) return;
    orders.replaceChildren(...(o.orders || []).map((b) =>
      el("li", { text: [b.id, b.status, b.product_id, when(b.created_at)].filter(Boolean).join(" · ") })));
    if (!orders.children.length) orders.append(el("li", { text: t("none") }));
  }).catch(() => {});
}

// ---- the admin API (same origin: the browser presents the admin's certificate; nothing else is sent)
function getJson(path) {
  return fetch(path, { credentials: "same-origin", cache: "no-store" }).then((res) => {
    if (!res.ok) throw new Error("HTTP " + res.status);
    return res.json();
  });
}

function post(path, body) {
  const out = document.getElementById("action-result");
  const key = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
  return fetch(path, { method: "POST", credentials: "same-origin",
                       headers: { "Content-Type": "application/json", "Idempotency-Key": key }, body: JSON.stringify(body) })
    .then((res) => res.json().then((j) => ({ ok: res.ok, j })))
    .then(({ ok, j }) => {
      out.dataset.ok = ok ? "1" : "0";
      out.textContent = (ok ? t("actions.done") : t("actions.failed")) + ": " + JSON.stringify(j);
      return j;
    });
}

function load() {
  const started = performance.now();
  return Promise.all([getJson("/v1/admin/kiosks"), getJson("/v1/admin/heartbeat-hours").catch(() => ({ halls: [] })),
                      getJson("/v1/admin/audit").catch(() => ({ entries: [] }))])
    .then(([f, h, a]) => {
      fleet = f; hours = h; audit = a;
      render();
      // Rendered: the frame after the DOM was built (the benchmark reads these, docs/benchmarks.md).
      requestAnimationFrame(() => setTimeout(() => {
        document.body.dataset.renderedMs = String(Math.round(performance.now()));
        document.body.dataset.loadMs = String(Math.round(performance.now() - started));
        document.body.dataset.loaded = "1";
      }, 0));
    })
    .catch((e) => {
      document.getElementById("summary").replaceChildren(el("p", { class: "error", text: t("error.load", { what: e.message }) }));
      document.body.dataset.loaded = "error";
    });
}

// A language in the address (#lang=en) wins over the one chosen before: a link can say which.
function langFromAddress() {
  const l = new URLSearchParams(location.hash.slice(1)).get("lang");
  if (l && TEXT[l]) lang = l;
}

document.addEventListener("DOMContentLoaded", () => {
  langFromAddress();
  for (const [id, l] of [["lang-zh", "zh-CN"], ["lang-en", "en"]])
    document.getElementById(id).addEventListener("click", () => { lang = l; localStorage.setItem("console.lang", l); render(); });
  for (const [id, name] of [["f-state", "state"], ["f-hall", "hall"], ["f-version", "version"]])
    document.getElementById(id).addEventListener("change", (e) => setParam(name, e.target.value));
  document.getElementById("f-search").addEventListener("change", (e) => setParam("q", e.target.value));
  window.addEventListener("hashchange", () => { langFromAddress(); render(); });
  const form = (id, path, fields) => document.getElementById(id).addEventListener("submit", (e) => {
    e.preventDefault();
    const data = new FormData(e.target), body = {};
    for (const f of fields) if (data.get(f)) body[f] = data.get(f);
    post(path, body).then(load);
  });
  form("enroll-form", "/v1/admin/enrollment-codes", ["kiosk_id", "hall", "region"]);
  form("maint-form", "/v1/admin/maintenance-codes", ["staff", "kiosk_id"]);
  document.getElementById("publish-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const file = new FormData(e.target).get("bundle");
    file.arrayBuffer().then((buf) => {
      let bin = "";
      const bytes = new Uint8Array(buf);
      for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return post("/v1/admin/bundles", { bundle: btoa(bin) });
    }).then(load);
  });
  load();
});
