// The fleet page: an installer's edges (list, search, state, a link to each edge's own UI),
// and one edge's held setpoints through edgeRpc. Credentials stay in this page's memory only.
let auth = null;
const $ = (id) => document.getElementById(id);

async function rpc(method, params) {
  const response = await fetch("jsonrpc", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: auth },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = await response.json();
  if (body.error) throw new Error(body.error.message);
  return body.result;
}

function cell(row, text, cls) {
  const td = row.insertCell();
  td.textContent = text;
  if (cls) td.className = cls;
}

async function listEdges() {
  const { edges } = await rpc("getEdges", { search: $("search").value });
  const body = $("edges");
  body.replaceChildren();
  for (const edge of edges) {
    const row = body.insertRow();
    const link = document.createElement("a");
    link.href = "#" + edge.id;
    link.textContent = edge.id;
    row.insertCell().append(link);
    cell(row, edge.comment);
    cell(row, edge.role);
    cell(row, edge.online ? "online" : "offline", edge.online ? "on" : "off");
    cell(row, edge.lastSeen ? new Date(edge.lastSeen).toLocaleString() : "never");
    // the edge's own monitoring UI, served by this backend (sign in there with the same user)
    const open = document.createElement("a");
    open.href = `edges/${encodeURIComponent(edge.id)}/`;
    open.textContent = "Open";
    open.className = "open";
    row.insertCell().append(open);
  }
}

async function showEdge(id) {
  $("fleet").hidden = true;
  $("edge").hidden = false;
  $("edge-title").textContent = id;
  $("edge-error").textContent = "";
  const values = $("edge-values");
  values.replaceChildren();
  try {
    const result = await rpc("edgeRpc", { edgeId: id, payload: { method: "getOverrides", params: {} } });
    for (const item of result.overrides) {
      const row = values.insertRow();
      cell(row, item.address);
      cell(row, String(item.value));
      cell(row, `held since ${item.since} by ${item.role}`);
    }
    const row = values.insertRow();
    cell(row, "write access");
    cell(row, result.writable ? "installed" : "not installed");
  } catch (error) {
    $("edge-error").textContent = error.message;
  }
}

function route() {
  const id = decodeURIComponent(location.hash.slice(1));
  if (id) return showEdge(id);
  $("edge").hidden = true;
  $("fleet").hidden = false;
  return listEdges();
}

$("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  auth = "Basic " + btoa(`${$("user").value}:${$("password").value}`);
  try {
    await listEdges();
    $("login").hidden = true;
    await route();
  } catch (error) {
    $("login-error").textContent = error.message;
  }
});
$("search").addEventListener("input", () => listEdges());
$("back").addEventListener("click", () => { location.hash = ""; });
window.addEventListener("hashchange", () => auth && route());
