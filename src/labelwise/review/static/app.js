// labelwise review page. Every value from the data is inserted with textContent (never as markup),
// so labels and texts cannot inject markup. Decisions carry the example's version; the server
// answers 409 when another tab decided first, and the page says so instead of overwriting.
"use strict";

const state = {
  meta: null,
  classes: [],
  tags: null,  // an aggregate-tags folder: {names, separator}; a relabel sets the item's tags among them
  items: [],
  focus: 0,
  page: 1,
  pages: 1,
  pageSize: 24,
  scope: "flagged",
  klass: "",
  decision: "any",
  check: "",
  busy: new Set(),
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function toast(message, isError) {
  const node = el("div", { class: "toast" + (isError ? " error" : ""), text: message });
  $("toasts").append(node);
  setTimeout(() => node.remove(), isError ? 9000 : 3500);
}

async function api(path, options) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (err) {
    return { ok: false, status: 0, body: { detail: "the review server cannot be reached (" + err.message + ")" } };
  }
  let body = null;
  try { body = await response.json(); } catch (err) { body = { detail: response.statusText }; }
  return { ok: response.ok, status: response.status, body };
}

function reviewer() {
  return ($("reviewer").value || "").trim() || (state.meta && state.meta.reviewer) || "reviewer";
}

function labelText(value) { return state.tags && value === "" ? "(no tags)" : String(value); }

// Up to this many tags get a checkbox each; more get one text field (tags joined by the separator).
const MAX_TAG_BOXES = 30;

function tagSet(text) {
  const sep = state.tags.separator;
  return new Set(String(text).split(sep).map((t) => t.trim()).filter((t) => t));
}

function tagControl(item) {
  const current = item.decision && item.decision.action === "relabel" ? item.decision.label : item.given;
  const names = state.tags.names;
  if (names.length > MAX_TAG_BOXES) {
    return el("input", { type: "text", class: "tag-text", value: String(current),
      title: "tags joined by " + state.tags.separator + " (the folder's tags only)" });
  }
  const chosen = tagSet(current);
  const box = el("span", { class: "tag-boxes" });
  for (const name of names) {
    const check = el("input", { type: "checkbox", value: name, checked: chosen.has(name) });
    box.append(el("label", { class: "tag" }, check, " " + name));
  }
  return box;
}

function chosenTags(card) {
  const text = card.querySelector("input.tag-text");
  if (text) return text.value;
  return Array.from(card.querySelectorAll(".tag-boxes input:checked")).map((c) => c.value);
}

function quality(q) { return q >= 1e-3 || q === 0 ? q.toFixed(3) : q.toExponential(1); }

function fmt(x, digits) { return x === null || x === undefined ? "n/a" : Number(x).toFixed(digits); }

function describeDecision(d) {
  if (!d) return "";
  const when = new Date(d.decided_at).toLocaleTimeString();
  if (d.action === "keep") return "kept by " + d.reviewer + " at " + when;
  if (d.action === "exclude") return "excluded by " + d.reviewer + " at " + when;
  return (state.tags ? "tags set to " : "relabelled to ") + labelText(d.label) + " by " + d.reviewer + " at " + when;
}

function preview(item) {
  const p = item.preview || {};
  if (p.image_url) {
    const box = el("div", { class: "preview" }, el("img", { src: p.image_url, alt: "example " + item.row, loading: "lazy" }));
    if (p.kind === "image" && p.path) return el("div", {}, box, el("div", { class: "meta path", text: p.path }));
    return box;
  }
  if (p.kind === "text") return el("div", { class: "preview text", text: p.text || "" });
  if (p.features && p.features.length) {
    const table = el("table");
    for (const [name, value] of p.features) table.append(el("tr", {}, el("td", { text: String(name) }), el("td", { text: String(value) })));
    return el("div", { class: "preview" }, table);
  }
  if (p.kind === "image") return el("div", { class: "preview" }, el("span", { class: "meta", text: "image not readable: " + (p.path || "") }));
  return el("div", { class: "preview" }, el("span", { class: "meta", text: "no preview" }));
}

function chooser(item) {
  const select = el("select", { class: "chooser", title: "new class" });
  state.classes.forEach((c, i) => {
    const option = el("option", { value: String(i), text: labelText(c) });
    select.append(option);
  });
  const current = item.decision && item.decision.action === "relabel" ? item.decision.label : item.suggested;
  const index = state.classes.findIndex((c) => String(c) === String(current));
  select.value = String(index >= 0 ? index : 0);
  return select;
}

function renderCard(item, index) {
  const card = el("article", { class: "card", tabIndex: -1, "data-row": String(item.row) });
  if (item.decision) card.classList.add("d-" + item.decision.action);
  if (index === state.focus) card.classList.add("focused");
  const select = chooser(item);
  const keep = el("button", { type: "button", "data-act": "keep" }, "Keep ", el("kbd", { text: "a" }));
  const relabel = el("button", { type: "button", "data-act": "relabel" }, "Relabel ", el("kbd", { text: "r" }));
  const exclude = el("button", { type: "button", "data-act": "exclude" }, "Exclude ", el("kbd", { text: "x" }));
  keep.addEventListener("click", () => { setFocus(index); decide(index, "keep"); });
  relabel.addEventListener("click", () => { setFocus(index); decide(index, "relabel"); });
  exclude.addEventListener("click", () => { setFocus(index); decide(index, "exclude"); });
  select.addEventListener("focus", () => setFocus(index));
  card.addEventListener("click", (ev) => { if (ev.target === card) setFocus(index); });
  const status = el("div", { class: "status" + (item.decision ? " saved" : ""), text: describeDecision(item.decision) });
  const checks = (item.checks || []).length
    ? el("div", { class: "checks", text: "data checks: " + item.checks.join(", ") }) : null;
  const dupButtons = (item.duplicate_sets || []).map((set) => {
    const others = set.rows.length - 1;
    const button = el("button", { type: "button", class: "keep-one", "data-check": set.check,
      title: "rows " + set.rows.join(", ") },
    "Keep this, drop " + others + " other" + (others === 1 ? "" : "s") + " (" + set.check.replace("_", " ") + ")");
    button.addEventListener("click", () => { setFocus(index); keepOne(index, set); });
    return button;
  });
  const parts = [
    preview(item),
    el("div", { class: "labels" },
      el("span", {}, "given ", el("span", { class: "given", text: labelText(item.given) })),
      state.tags ? null : el("span", {}, "suggested ", el("span", { class: "suggested", text: labelText(item.suggested) }))),
    el("div", { class: "meta", text: (item.id !== null && item.id !== undefined ? item.id_column + " " + item.id + " \u00b7 " : "") +
      "row " + item.row + " \u00b7 rank " + item.rank + " \u00b7 quality " + quality(item.quality) +
      (item.prob_suggested !== null ? " \u00b7 p(suggested) " + fmt(item.prob_suggested, 2) : "") }),
    el("div", { class: "actions" }, keep, exclude),
    state.classes.length ? el("div", { class: "actions" }, select, relabel) : null,
    state.tags ? el("div", { class: "actions tags" }, tagControl(item), relabel) : null,
    checks,
    dupButtons.length ? el("div", { class: "actions" }, ...dupButtons) : null,
    status,
  ];
  card.append(...parts.filter((part) => part !== null));  // append() would write a null as the text "null"
  return card;
}

function render() {
  const grid = $("grid");
  grid.replaceChildren();
  if (!state.items.length) {
    grid.append(el("div", { class: "empty", text: "No examples match these filters." }));
  }
  state.items.forEach((item, i) => grid.append(renderCard(item, i)));
  $("page-info").textContent = "page " + state.page + " of " + state.pages;
  $("prev").disabled = state.page <= 1;
  $("next").disabled = state.page >= state.pages;
}

function renderProgress(p) {
  if (!p) return;
  const share = p.flagged ? (100 * p.reviewed_flagged) / p.flagged : 0;
  $("progress-fill").style.width = share.toFixed(1) + "%";
  $("progress-text").textContent = "reviewed " + p.reviewed_flagged + " / " + p.flagged + " flagged \u00b7 " +
    p.keep + " kept, " + p.relabel + " relabelled, " + p.exclude + " excluded (" + p.reviewed + " decisions in all)";
}

function setFocus(index) {
  if (!state.items.length) return;
  state.focus = Math.max(0, Math.min(index, state.items.length - 1));
  const cards = document.querySelectorAll(".card");
  cards.forEach((card, i) => card.classList.toggle("focused", i === state.focus));
  const card = cards[state.focus];
  if (card) {
    card.scrollIntoView({ block: "nearest" });
    if (!card.contains(document.activeElement)) card.focus({ preventScroll: true });
  }
}

function replaceCard(index, item) {
  state.items[index] = item;
  const old = document.querySelectorAll(".card")[index];
  if (old) old.replaceWith(renderCard(item, index));
}

async function decide(index, action) {
  const item = state.items[index];
  if (!item || state.busy.has(item.row)) return;
  const card = document.querySelectorAll(".card")[index];
  const body = { action: action, version: item.version, reviewer: reviewer() };
  if (action === "relabel" && !state.classes.length && !state.tags) return;  // task audits: keep or exclude only
  if (action === "relabel" && state.tags) body.label = chosenTags(card);
  else if (action === "relabel") {
    const select = card.querySelector("select.chooser");
    body.label = state.classes[Number(select.value)];
  }
  state.busy.add(item.row);
  const res = await api("/api/examples/" + item.row + "/decision", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  state.busy.delete(item.row);
  if (res.ok) {
    replaceCard(index, res.body.example);
    renderProgress(res.body.progress);
    if (action !== "clear") setFocus(index + 1); else setFocus(index);
    return;
  }
  const detail = (res.body && res.body.detail) || ("error " + res.status);
  if (res.status === 409) {
    toast("Not saved: " + detail, true);
    const fresh = await api("/api/examples/" + item.row);
    if (fresh.ok) replaceCard(index, fresh.body);
    const status = document.querySelectorAll(".card")[index].querySelector(".status");
    status.className = "status error";
    status.textContent = "changed elsewhere: now " + (describeDecision(fresh.ok ? fresh.body.decision : null) || "undecided") + "; decide again";
    setFocus(index);
    return;
  }
  // Storage errors (503), network errors, invalid input: the decision was NOT saved; say so on the card.
  toast("Not saved: " + detail, true);
  const current = document.querySelectorAll(".card")[index];
  current.classList.add("unsaved");
  const status = current.querySelector(".status");
  status.className = "status error";
  status.textContent = "NOT SAVED (" + action + "): " + detail + " \u2014 press the key again to retry";
}

async function keepOne(index, set) {
  const item = state.items[index];
  if (!item || state.busy.has(item.row)) return;
  state.busy.add(item.row);
  const res = await api("/api/examples/" + item.row + "/keep-one", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ check: set.check, versions: set.versions, reviewer: reviewer() }),
  });
  state.busy.delete(item.row);
  if (!res.ok) {
    toast("Not saved: " + ((res.body && res.body.detail) || ("error " + res.status)), true);
    const fresh = await api("/api/examples/" + item.row);
    if (fresh.ok) replaceCard(index, fresh.body);
    return;
  }
  toast("Kept row " + item.row + ", excluded rows " + set.rows.filter((r) => r !== item.row).join(", "), false);
  renderProgress(res.body.progress);
  await load(true);
}

async function load(keepFocus) {
  const params = new URLSearchParams({ page: String(state.page), page_size: String(state.pageSize), scope: state.scope, decision: state.decision });
  if (state.klass !== "") params.set("klass", state.klass);
  if (state.check !== "") params.set("check", state.check);
  const res = await api("/api/examples?" + params.toString());
  if (!res.ok) { toast((res.body && res.body.detail) || "could not load examples", true); return; }
  state.items = res.body.items;
  state.pages = res.body.pages;
  if (state.page > state.pages) { state.page = state.pages; return load(false); }
  if (!keepFocus) state.focus = 0;
  render();
  renderProgress(res.body.progress);
  setFocus(state.focus);
  const query = new URLSearchParams({ page: String(state.page), scope: state.scope, decision: state.decision, klass: state.klass, check: state.check });
  history.replaceState(null, "", "?" + query.toString());
}

function readQuery() {
  const q = new URLSearchParams(location.search);
  const page = parseInt(q.get("page") || "1", 10);
  state.page = Number.isFinite(page) && page > 0 ? page : 1;
  if (["flagged", "all"].includes(q.get("scope"))) state.scope = q.get("scope");
  if (["any", "undecided", "reviewed", "keep", "relabel", "exclude"].includes(q.get("decision"))) state.decision = q.get("decision");
  const klass = q.get("klass") || "";
  if (state.classes.some((c) => String(c) === klass)) state.klass = klass;
  const check = q.get("check") || "";
  if ((state.meta.checks || []).some((c) => c.check === check)) state.check = check;
  $("check").value = state.check;
  $("scope").value = state.scope;
  $("decision").value = state.decision;
  $("klass").value = state.klass;
}

function chooseClass(delta, exact) {
  const card = document.querySelectorAll(".card")[state.focus];
  if (!card) return;
  if (state.tags && exact !== undefined) {  // a digit toggles that tag's checkbox (1 = the first, 0 = the tenth)
    const boxes = card.querySelectorAll(".tag-boxes input");
    const box = boxes[(exact === "0" ? 10 : Number(exact)) - 1];
    if (box) box.checked = !box.checked;
    return;
  }
  const select = card.querySelector("select.chooser");
  if (!select) return;
  if (exact !== undefined) {
    let index = state.classes.findIndex((c) => String(c) === exact);
    if (index < 0) {
      const n = exact === "0" ? 10 : Number(exact);
      index = n - 1;
    }
    if (index >= 0 && index < state.classes.length) select.value = String(index);
    return;
  }
  const next = (Number(select.value) + delta + state.classes.length) % state.classes.length;
  select.value = String(next);
}

function onKey(ev) {
  const target = ev.target;
  const typing = target && (target.tagName === "TEXTAREA" || (target.tagName === "INPUT" && target.type !== "checkbox"));
  if (typing) return;
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const inSelect = target && target.tagName === "SELECT";
  // Enter and space keep their usual meaning on links and buttons (e.g. the export link).
  if ((ev.key === "Enter" || ev.key === " ") && target && (target.tagName === "A" || target.tagName === "BUTTON")) return;
  const key = ev.key;
  let handled = true;
  if (key === "j" || (!inSelect && key === "ArrowDown")) setFocus(state.focus + 1);
  else if (key === "k" || (!inSelect && key === "ArrowUp")) setFocus(state.focus - 1);
  else if (key === "a") decide(state.focus, "keep");
  else if (key === "x") decide(state.focus, "exclude");
  else if (key === "r" || key === "Enter") decide(state.focus, "relabel");
  else if (key === "u") decide(state.focus, "clear");
  else if (key === "]") chooseClass(1);
  else if (key === "[") chooseClass(-1);
  else if (/^[0-9]$/.test(key)) chooseClass(0, key);
  else if (key === "n") { if (state.page < state.pages) { state.page += 1; load(false); } }
  else if (key === "p") { if (state.page > 1) { state.page -= 1; load(false); } }
  else if (key === "?") toggleHelp();
  else handled = false;
  if (handled) ev.preventDefault();
}

function toggleHelp() {
  const help = $("help");
  help.hidden = !help.hidden;
  $("help-button").setAttribute("aria-expanded", String(!help.hidden));
}

const MAX_PAIRS_SHOWN = 20;

function renderDependence(dep) {
  // An aggregation's annotators found copying (summary.json's dependent_pairs, dependent_rings).
  const box = $("dependence");
  const pairs = (dep && dep.pairs) || [], rings = (dep && dep.rings) || [];
  box.replaceChildren();
  box.hidden = !pairs.length && !rings.length;
  if (box.hidden) return;
  box.append(el("strong", { text: "Annotators found copying" }),
    " (the aggregation weighed their answers on an item as one answer):");
  const list = el("ul", {});
  rings.forEach((ring, n) => list.append(el("li", { text: "copy ring " + (n + 1) + ": " + ring.join(", ") })));
  const num = (x, digits) => (x === null || x === undefined ? "n/a" : Number(x).toFixed(digits));
  for (const p of pairs.slice(0, MAX_PAIRS_SHOWN)) {
    list.append(el("li", { text: "pair " + p.annotator_a + " and " + p.annotator_b + ": agreed on " +
      num(p.agreements, 0) + " of " + num(p.n_shared, 0) + " shared items, " + num(p.expected, 1) +
      " expected (z " + num(p.z, 1) + ")" }));
  }
  if (pairs.length > MAX_PAIRS_SHOWN) list.append(el("li", { text: "and " + (pairs.length - MAX_PAIRS_SHOWN) + " more pairs (summary.json)" }));
  box.append(list);
}

async function init() {
  const res = await api("/api/meta");
  if (!res.ok) { toast((res.body && res.body.detail) || "could not load the review", true); return; }
  state.meta = res.body;
  state.classes = res.body.classes;
  state.tags = res.body.tags || null;
  document.title = "labelwise review: " + res.body.title;
  $("dataset").textContent = res.body.title + " \u00b7 " + res.body.n_examples + " examples \u00b7 " + res.body.out_dir;
  const stored = localStorage.getItem("labelwise.reviewer");
  $("reviewer").value = stored || res.body.reviewer;
  $("reviewer").addEventListener("change", () => localStorage.setItem("labelwise.reviewer", $("reviewer").value.trim()));
  const klass = $("klass");
  for (const c of state.classes) klass.append(el("option", { value: String(c), text: labelText(c) }));
  const checkSelect = $("check");
  for (const c of res.body.checks || []) {
    checkSelect.append(el("option", { value: c.check, text: c.check + " (" + c.n_flagged + ")" }));
  }
  $("check-filter").hidden = !(res.body.checks || []).length;
  if (res.body.task) {
    // A task audit's cleaned data keeps its format (table, CoNLL, COCO JSON); Label Studio does not apply.
    $("export-ls").hidden = true;
    $("export-csv").href = "/api/export/cleaned";
    $("export-csv").removeAttribute("download");
    $("export-csv").textContent = "Download cleaned data";
  }
  if (!res.body.can_export) {
    $("export-csv").hidden = true;
    toast("The original data table was not found: previews and the cleaned-CSV export are unavailable.", true);
  }
  if (res.body.report_url) { $("report-link").href = res.body.report_url; $("report-link").hidden = false; }
  renderProgress(res.body.progress);
  renderDependence(res.body.dependence);
  readQuery();
  for (const [id, key] of [["scope", "scope"], ["klass", "klass"], ["decision", "decision"], ["check", "check"]]) {
    $(id).addEventListener("change", () => { state[key] = $(id).value; state.page = 1; load(false); $(id).blur(); });
  }
  $("prev").addEventListener("click", () => { if (state.page > 1) { state.page -= 1; load(false); } });
  $("next").addEventListener("click", () => { if (state.page < state.pages) { state.page += 1; load(false); } });
  $("help-button").addEventListener("click", toggleHelp);
  document.addEventListener("keydown", onKey);
  window.addEventListener("beforeunload", (ev) => {
    if (document.querySelector(".card.unsaved")) { ev.preventDefault(); ev.returnValue = ""; }
  });
  await load(false);
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", init);
