/*
 * Staff page: passage search and full-document view over the staff API.
 *
 * The staff token lives in the `token` variable only (never in storage, a cookie or the URL) and is sent
 * as `Authorization: Bearer`. Server strings are inserted as text; highlights are <mark> elements built
 * from the API's offsets, never from its `highlighted_html`. Offsets from the API count Unicode code
 * points (Python string indices), so text is sliced with Array.from, not with UTF-16 string indices.
 *
 * Routes (location.hash): "#doc=<id>&start=<n>&end=<n>" shows one document with that span highlighted;
 * anything else shows the search view.
 */
(function () {
  "use strict";

  const UNKNOWN = "unknown: staff to fill";
  const $ = (id) => document.getElementById(id);
  let token = "";

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      node.setAttribute(name, String(value));
    }
    for (const child of children || []) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  /** Text with <mark> around each [start, end) code-point span; spans sorted, overlapping ones merged. */
  function marked(parent, text, spans) {
    const chars = Array.from(text);
    const sorted = spans
      .map(([s, e]) => [Math.max(0, s), Math.min(chars.length, e)])
      .filter(([s, e]) => e > s)
      .sort((a, b) => a[0] - b[0]);
    let at = 0;
    const marks = [];
    for (const [s, e] of sorted) {
      if (e <= at) {
        continue;
      }
      const from = Math.max(s, at);
      if (from > at) {
        parent.appendChild(document.createTextNode(chars.slice(at, from).join("")));
      }
      const mark = el("mark", {}, [chars.slice(from, e).join("")]);
      parent.appendChild(mark);
      marks.push(mark);
      at = e;
    }
    if (at < chars.length) {
      parent.appendChild(document.createTextNode(chars.slice(at).join("")));
    }
    return marks;
  }

  function showError(message) {
    $("error").textContent = message;
  }

  /** GET a staff endpoint; returns the JSON body or null after showing what went wrong. */
  async function api(path) {
    showError("");
    const headers = { Accept: "application/json" };
    if (token) {
      headers.Authorization = "Bearer " + token;
    }
    let response;
    try {
      response = await fetch(path, {
        headers: headers,
        credentials: "omit",
        cache: "no-store",
      });
    } catch (err) {
      showError("The service could not be reached. Check the connection and try again.");
      return null;
    }
    let body = null;
    try {
      body = await response.json();
    } catch (err) {
      body = null;
    }
    if (response.ok && body) {
      return body;
    }
    const detail = body && body.error && typeof body.error.message === "string" ? body.error.message : "";
    if (response.status === 401) {
      showError("Staff token missing or wrong. Enter the staff token above and try again.");
    } else if (response.status === 404) {
      showError("Not found: " + (detail || "this document is not in the library."));
    } else if (response.status === 503) {
      showError("The library is not loaded, so nothing can be searched. " + detail);
    } else {
      showError("The request failed (HTTP " + response.status + "). " + detail);
    }
    return null;
  }

  function metaItems(list, items) {
    list.replaceChildren();
    for (const [label, value] of items) {
      const dd = el("dd", {}, []);
      if (value instanceof Node) {
        dd.appendChild(value);
      } else if (value === null || value === undefined || value === "") {
        dd.appendChild(el("span", { class: "st-unknown" }, [UNKNOWN]));
      } else {
        dd.textContent = String(value);
      }
      list.append(el("div", { class: "st-meta-item" }, [el("dt", {}, [label]), dd]));
    }
  }

  function expiredBadge(expired) {
    return expired ? el("span", { class: "st-badge st-badge-expired" }, ["Expired"]) : null;
  }

  function sourceLink(url) {
    if (typeof url !== "string" || !/^https?:\/\//i.test(url)) {
      return url || null;
    }
    return el("a", { href: url, rel: "noopener noreferrer", target: "_blank" }, [url]);
  }

  // ---- token ---------------------------------------------------------------------------------

  function adoptToken() {
    const field = $("token");
    if (field.value.trim()) {
      token = field.value.trim();
      field.value = "";
      $("token-status").textContent = "Token set for this page (in memory only).";
    }
  }

  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    adoptToken();
    if (!token) {
      showError("Staff token missing or wrong. Enter the staff token above and try again.");
      return;
    }
    route();
  });

  // ---- search --------------------------------------------------------------------------------

  $("search-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    adoptToken();
    const q = $("q").value.trim();
    const status = $("search-status");
    const results = $("results");
    if (!q) {
      status.textContent = "Type words to search for.";
      return;
    }
    status.textContent = "Searching…";
    results.replaceChildren();
    const body = await api("/api/v1/search?k=10&q=" + encodeURIComponent(q));
    if (!body) {
      status.textContent = "";
      return;
    }
    status.textContent = body.results.length
      ? body.results.length + " passages found, best first."
      : "No passages found. Try other words.";
    body.results.forEach((r) => results.appendChild(renderResult(r)));
  });

  function renderResult(r) {
    const href = "#doc=" + encodeURIComponent(r.doc_id) + "&start=" + r.start + "&end=" + r.end;
    const heading = el("h3", { class: "st-result-title" }, [el("a", { href: href }, [r.title])]);
    const badge = expiredBadge(r.expired);
    if (badge) {
      heading.append(" ", badge);
    }
    const meta = el("dl", { class: "st-meta" });
    metaItems(meta, [
      ["Publisher", r.publisher],
      ["Published", r.published],
      ["Last reviewed", r.reviewed],
      ["Review due", r.review_due],
      ["Score", Number(r.score).toFixed(3)],
    ]);
    const passage = el("blockquote", { class: "st-passage" });
    marked(passage, r.text, Array.isArray(r.highlights) ? r.highlights : []);
    const open = el("p", { class: "st-open" }, [
      el("a", { href: href }, ["Show this passage in the full document"]),
    ]);
    return el("li", { class: "st-result" }, [heading, meta, passage, open]);
  }

  // ---- document view -------------------------------------------------------------------------

  function parseRoute() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ""));
    const doc = params.get("doc");
    if (!doc) {
      return null;
    }
    const start = parseInt(params.get("start") || "", 10);
    const end = parseInt(params.get("end") || "", 10);
    return { doc: doc, start: Number.isFinite(start) ? start : null, end: Number.isFinite(end) ? end : null };
  }

  async function showDocument(target) {
    $("search-view").hidden = true;
    const view = $("doc-view");
    view.hidden = false;
    $("doc-title").textContent = "Loading the document…";
    $("doc-meta").replaceChildren();
    $("doc-text").replaceChildren();
    const doc = await api("/api/v1/documents/" + encodeURIComponent(target.doc));
    if (!doc) {
      $("doc-title").textContent = "Document not shown";
      return;
    }
    const title = $("doc-title");
    title.textContent = doc.title;
    const badge = expiredBadge(doc.expired);
    if (badge) {
      title.append(" ", badge);
    }
    const missing = Array.isArray(doc.missing_metadata) ? doc.missing_metadata : [];
    metaItems($("doc-meta"), [
      ["Document id", doc.doc_id],
      ["Publisher", doc.publisher],
      ["Type", doc.doc_type],
      ["Address", sourceLink(doc.url)],
      ["Published", doc.published],
      ["Last reviewed", doc.reviewed],
      ["Review due", doc.review_due],
      ["Missing metadata", missing.length ? missing.join(", ") + " (staff to fill)" : "none"],
    ]);
    const spans = target.start !== null && target.end !== null ? [[target.start, target.end]] : [];
    const marks = marked($("doc-text"), doc.text, spans);
    if (marks.length) {
      marks[0].id = "passage";
      marks[0].setAttribute("tabindex", "-1");
      marks[0].scrollIntoView({ block: "center" });
      marks[0].focus({ preventScroll: true });
    } else {
      title.focus();
    }
  }

  function route() {
    const target = parseRoute();
    if (target) {
      showDocument(target);
      return;
    }
    $("doc-view").hidden = true;
    $("search-view").hidden = false;
  }

  window.addEventListener("hashchange", route);
  route();
})();
