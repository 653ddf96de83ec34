// GrainServe's operator page: polls api/overview and redraws the tables. Plain DOM, no framework and no build step;
// every value goes in through textContent, never as HTML.

const RefreshMilliseconds = 1500;

const statusLine = document.getElementById("status");
let refreshes = 0;
let lastGood = null;

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) {
      node.setAttribute(name, value);
    }
  }
  node.append(...children.filter(c => c !== null && c !== undefined));
  return node;
}

function cell(field, text, className) {
  return el("td", { "data-field": field, class: className }, text);
}

function number(field, text) {
  return cell(field, text, "num");
}

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function bytes(value) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let scaled = value;
  let unit = 0;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit++;
  }
  return `${unit === 0 ? integer.format(scaled) : decimal.format(scaled)} ${units[unit]}`;
}

function milliseconds(value) {
  return value === null ? "–" : decimal.format(value);
}

function time(date) {
  return date.toLocaleTimeString("en-GB", { hour12: false });
}

function memoryCell(device) {
  const share = device.budget_bytes > 0 ? device.used_bytes / device.budget_bytes : 0;
  const fill = el("div", { class: "fill" });
  // Set through the CSSOM: the Content-Security-Policy forbids inline style attributes, not this.
  fill.style.width = `${Math.min(100, share * 100).toFixed(1)}%`;
  if (share >= 0.9) {
    fill.classList.add("high");
  }
  const bar = el("div", {
    class: "bar", role: "meter", "aria-valuemin": "0", "aria-valuemax": String(device.budget_bytes),
    "aria-valuenow": String(device.used_bytes), "aria-label": `memory of ${device.key}`,
  }, fill);
  const text = el("span", { class: "memory-text" }, `${bytes(device.used_bytes)} of ${bytes(device.budget_bytes)} (${integer.format(share * 100)} %)`);
  return el("td", { "data-field": "memory", "data-used": String(device.used_bytes), "data-budget": String(device.budget_bytes), class: "memory" }, bar, text);
}

function renderDevices(overview) {
  const rows = [];
  for (const silo of overview.silos) {
    silo.devices.forEach((device, i) => {
      const deviceId = device.key.slice(silo.name.length + 1) || device.key;
      rows.push(el("tr", { "data-device": device.key },
        el("td", { "data-field": "silo", class: i === 0 ? null : "repeat" }, silo.name),
        el("td", { "data-field": "device", title: device.name }, deviceId),
        cell("kind", device.kind),
        memoryCell(device),
        device.kind === "CPU"
          ? el("td", { "data-field": "utilization", class: "num muted", title: "not measured on a CPU device" }, "–")
          : number("utilization", `${device.utilization_percent} %`),
        number("instances", integer.format(device.instance_count)),
        number("pending", integer.format(device.pending_requests)),
        cell("state", device.draining ? "draining" : "serving", device.draining ? "warn" : null)));
    });
  }
  if (rows.length === 0) {
    rows.push(el("tr", {}, el("td", { colspan: "8", class: "muted" }, "No device has registered yet.")));
  }
  document.querySelector("#devices tbody").replaceChildren(...rows);
}

function instancesCell(instances, count) {
  const perDevice = new Map();
  for (const instance of instances) {
    perDevice.set(instance.device, (perDevice.get(instance.device) ?? 0) + 1);
  }
  const devices = [...perDevice].map(([device, n]) => (n > 1 ? `${n} × ${device}` : device)).join(", ");
  return el("td", { "data-field": "instances", "data-count": String(count) },
    el("span", { class: "count" }, integer.format(count)),
    devices ? el("span", { class: "muted devices" }, ` on ${devices}`) : null);
}

function stateCell(state, reason) {
  const text = state === "" ? "not loaded" : state.toLowerCase();
  const className = state === "READY" ? "ok" : state === "" ? "muted" : "warn";
  return el("td", { "data-field": "state", class: className, title: reason ?? null }, text);
}

function figureCells(window) {
  return [
    number("rps", decimal.format(window.rps)),
    number("requests", integer.format(window.requests)),
    el("td", { "data-field": "errors", class: window.errors > 0 ? "num warn" : "num" }, integer.format(window.errors)),
    number("p50", milliseconds(window.p50_ms)),
    number("p99", milliseconds(window.p99_ms)),
  ];
}

function detailsCell(model) {
  const base = `api/models/${encodeURIComponent(model.name)}`;
  return el("td", { "data-field": "details" },
    el("a", { href: `${base}/config`, target: "_blank", rel: "noopener" }, "config"), " · ",
    el("a", { href: `${base}/stats`, target: "_blank", rel: "noopener" }, "stats"));
}

function weightText(weight) {
  return weight === null ? "–" : integer.format(weight);
}

function renderModels(overview) {
  const rows = [];
  for (const model of overview.models) {
    const versions = model.versions;
    const single = versions.length === 1 ? versions[0] : null;
    const instances = versions.flatMap(v => v.instances);
    rows.push(el("tr", { class: "model", "data-model": model.name },
      el("th", { scope: "row", "data-field": "name" }, model.name,
        model.problem ? el("span", { class: "warn problem", title: model.problem }, " ⚠") : null),
      cell("versions", versions.length === 0 ? "–" : versions.map(v => v.version).join(", ")),
      stateCell(model.state, single?.reason ?? model.problem),
      number("weight", single ? weightText(single.weight) : ""),
      instancesCell(instances, model.instance_count),
      number("pending", integer.format(model.pending)),
      ...figureCells(model.window),
      detailsCell(model)));

    // A model with several versions gets a row per version under its total.
    if (versions.length > 1) {
      for (const version of versions) {
        rows.push(el("tr", { class: "version", "data-model": model.name, "data-version": version.version },
          el("td", { class: "muted" }, ""),
          cell("version", version.version),
          stateCell(version.state, version.reason ?? version.rolled_back),
          number("weight", weightText(version.weight)),
          instancesCell(version.instances, version.instance_count),
          number("pending", integer.format(version.pending)),
          ...figureCells(version.window),
          el("td", {}, version.rolled_back ? el("span", { class: "warn", title: version.rolled_back }, "rolled back") : "")));
      }
    }
  }
  if (rows.length === 0) {
    rows.push(el("tr", {}, el("td", { colspan: "12", class: "muted" }, "The model repository is empty.")));
  }
  document.querySelector("#models tbody").replaceChildren(...rows);
}

function renderSummary(overview) {
  const devices = overview.silos.flatMap(s => s.devices);
  const set = (field, text) => { document.querySelector(`#summary [data-field="${field}"]`).textContent = text; };
  set("silos", integer.format(overview.silos.length));
  set("devices", integer.format(devices.length));
  set("models", `${overview.models.filter(m => m.state === "READY").length} of ${overview.models.length}`);
  set("instances", integer.format(devices.reduce((n, d) => n + d.instance_count, 0)));
  set("rps", decimal.format(overview.models.reduce((n, m) => n + m.window.rps, 0)));
  document.getElementById("server-version").textContent = `${overview.server.version}`;
}

async function refresh() {
  try {
    const response = await fetch("api/overview", { cache: "no-store", headers: { Accept: "application/json" } });
    if (!response.ok) {
      throw new Error(`api/overview answered ${response.status}`);
    }
    const overview = await response.json();
    renderSummary(overview);
    renderDevices(overview);
    renderModels(overview);
    lastGood = new Date();
    refreshes++;
    document.body.dataset.refreshes = String(refreshes);
    document.body.classList.remove("stale");
    statusLine.textContent = `updated ${time(lastGood)}, every ${RefreshMilliseconds / 1000} s`;
  } catch (error) {
    document.body.classList.add("stale");
    statusLine.textContent = lastGood
      ? `cannot reach the gateway (${error.message}); figures from ${time(lastGood)}`
      : `cannot reach the gateway (${error.message})`;
  } finally {
    setTimeout(refresh, RefreshMilliseconds);
  }
}

refresh();
