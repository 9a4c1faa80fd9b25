/*
 * Staff page: document search (best passages under each document), answer review and full-document view over the staff API.
 *
 * The staff token lives in the `token` variable only (never in storage, a cookie or the URL) and is sent
 * as `Authorization: Bearer`. Server strings are inserted as text; highlights are <mark> elements built
 * from the API's offsets, never from its `highlighted_html`. Offsets from the API count Unicode code
 * points (Python string indices), so text is sliced with Array.from, not with UTF-16 string indices.
 *
 * Routes (location.hash): "#doc=<id>&start=<n>&end=<n>" shows one document with that span highlighted;
 * anything else shows the search and review sections (and puts focus back on the link that opened the
 * document, if there was one).
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

  const TOKEN_PROBLEM = "Staff token missing or wrong. Enter the staff token above and try again.";

  /** Show `message` in an alert region: the page's (#error) unless another one is given. */
  function showError(message, target) {
    (target || $("error")).textContent = message;
  }

  function clearErrors() {
    $("error").textContent = "";
    $("review-error").textContent = "";
  }

  /**
   * Call a staff endpoint; returns the JSON body or null after showing what went wrong.
   *
   * options: `json` (sent as a POST body), `errorTarget` (the alert region for problems; #error by
   * default) and `failure(status, detail)` (a message for statuses the caller knows better, or "").
   */
  async function api(path, options) {
    const opts = options || {};
    const target = opts.errorTarget || $("error");
    clearErrors();
    const headers = { Accept: "application/json" };
    if (token) {
      headers.Authorization = "Bearer " + token;
    }
    const init = { method: "GET", headers: headers, credentials: "omit", cache: "no-store" };
    if (opts.json !== undefined) {
      init.method = "POST";
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.json);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (err) {
      showError("The service could not be reached. Check the connection and try again.", target);
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
    const special = opts.failure ? opts.failure(response.status, detail) : "";
    if (response.status === 401) {
      showError(TOKEN_PROBLEM, target);
    } else if (special) {
      showError(special, target);
    } else if (response.status === 404) {
      showError("Not found: " + (detail || "this document is not in the library."), target);
    } else if (response.status === 503) {
      showError("The library is not loaded, so nothing can be searched. " + detail, target);
    } else {
      showError("The request failed (HTTP " + response.status + "). " + detail, target);
    }
    return null;
  }

  function docHref(docId, start, end) {
    return "#doc=" + encodeURIComponent(docId) + "&start=" + start + "&end=" + end;
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
      showError(TOKEN_PROBLEM);
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
    const body = await api("/api/v1/search?k=10&group=document&q=" + encodeURIComponent(q));
    if (!body) {
      status.textContent = "";
      return;
    }
    status.textContent = body.documents.length
      ? count(body.documents.length, "document", "documents") + " found, best first."
      : "No passages found. Try other words.";
    body.documents.forEach((d) => results.appendChild(renderDocument(d)));
  });

  /** One document: its title and dates, its best passage, and its other matching passages folded under it. */
  function renderDocument(d) {
    const best = d.passages[0];
    const href = docHref(d.doc_id, best.start, best.end);
    const heading = el("h3", { class: "st-result-title" }, [el("a", { href: href }, [d.title])]);
    const badge = expiredBadge(d.expired);
    if (badge) {
      heading.append(" ", badge);
    }
    const meta = el("dl", { class: "st-meta" });
    metaItems(meta, [
      ["Publisher", d.publisher],
      ["Published", d.published],
      ["Last reviewed", d.reviewed],
      ["Review due", d.review_due],
      ["Score", Number(d.score).toFixed(3)],
    ]);
    const item = el("li", { class: "st-result" }, [heading, meta, ...renderPassage(best)]);
    const others = d.passages.slice(1);
    if (others.length) {
      const list = el("ol", { class: "st-more-list" }, []);
      others.forEach((p) => list.appendChild(el("li", {}, renderPassage(p))));
      const summary = el("summary", {}, [
        count(others.length, "more passage", "more passages") + " from this document",
      ]);
      item.append(el("details", { class: "st-more" }, [summary, list]));
    }
    return item;
  }

  function renderPassage(p) {
    const passage = el("blockquote", { class: "st-passage" });
    marked(passage, p.text, Array.isArray(p.highlights) ? p.highlights : []);
    const open = el("p", { class: "st-open" }, [
      el("a", { href: docHref(p.doc_id, p.start, p.end) }, ["Show this passage in the full document"]),
    ]);
    return [passage, open];
  }

  // ---- answer review -------------------------------------------------------------------------

  const VERDICTS = {
    supported: { label: "Supported", symbol: "\u2713", evidence: "Supporting passage" },
    mismatch: { label: "Mismatch", symbol: "!", evidence: "The passage says otherwise" },
    unsupported: { label: "Unsupported", symbol: "\u2715", evidence: "Closest passage" },
  };
  let reviewRun = 0; // only the latest check's answer is shown

  function count(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }

  function reviewSummary(summary) {
    const total = Number(summary.total) || 0;
    if (!total) {
      return "No sentences found to check.";
    }
    return (
      count(total, "sentence", "sentences") +
      ": " +
      (Number(summary.supported) || 0) +
      " supported, " +
      (Number(summary.mismatch) || 0) +
      " mismatch, " +
      (Number(summary.unsupported) || 0) +
      " unsupported."
    );
  }

  $("review-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    adoptToken();
    const answer = $("answer").value.trim();
    const citations = $("citations")
      .value.split(/[\s,]+/)
      .filter((id) => id !== "");
    const status = $("review-summary");
    const list = $("review-results");
    if (!answer) {
      clearErrors();
      list.replaceChildren();
      status.textContent = "Paste an answer to check.";
      return;
    }
    const run = ++reviewRun;
    status.textContent = "Checking the answer…";
    list.replaceChildren();
    const payload = citations.length ? { answer: answer, citations: citations } : { answer: answer };
    const body = await api("/api/v1/review", {
      json: payload,
      errorTarget: $("review-error"),
      failure: (code, detail) =>
        code === 413 || code === 422 ? "The answer was not checked: " + (detail || "HTTP " + code) : "",
    });
    if (run !== reviewRun) {
      return;
    }
    if (!body || !Array.isArray(body.sentences)) {
      status.textContent = "";
      return;
    }
    body.sentences.forEach((sentence, i) => list.appendChild(renderSentence(sentence, i)));
    status.textContent = reviewSummary(body.summary || { total: body.sentences.length });
  });

  function renderSentence(sentence, i) {
    const known = Object.prototype.hasOwnProperty.call(VERDICTS, sentence.verdict);
    const verdict = known ? VERDICTS[sentence.verdict] : { label: String(sentence.verdict), symbol: "?" };
    const kind = known ? sentence.verdict : "unknown";
    const badge = el("span", { class: "st-verdict-label" }, [
      el("span", { "aria-hidden": "true" }, [verdict.symbol + " "]),
      verdict.label,
      el("span", { class: "st-visually-hidden" }, [":"]),
    ]);
    const item = el("li", { class: "st-verdict st-verdict-" + kind, "data-verdict": kind }, [
      el("p", { class: "st-sentence" }, [badge, " ", el("span", { class: "st-sentence-text" }, [String(sentence.text)])]),
      el("p", { class: "st-reason" }, [el("span", { class: "st-reason-label" }, ["Reason: "]), String(sentence.reason)]),
    ]);
    const ev = sentence.evidence;
    if (ev && typeof ev.quote === "string") {
      const sourceId = "review-source-" + i;
      item.append(
        el("p", { class: "st-evidence-label", id: sourceId }, [
          (verdict.evidence || "Passage") + ", from ",
          el("code", {}, [String(ev.doc_id)]),
          ":",
        ]),
        el("blockquote", { class: "st-passage st-evidence" }, [ev.quote])
      );
      if (Number.isInteger(ev.start) && Number.isInteger(ev.end)) {
        const link = el("a", { href: docHref(ev.doc_id, ev.start, ev.end), "aria-describedby": sourceId }, [
          "Show in the document",
        ]);
        item.append(el("p", { class: "st-open" }, [link]));
      }
    }
    return item;
  }

  // ---- document view -------------------------------------------------------------------------

  let returnFocus = null; // the link that opened the document view

  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[href^="#doc="]') : null;
    if (link) {
      returnFocus = link;
    }
  });

  function showTools(visible) {
    $("search-view").hidden = !visible;
    $("review-view").hidden = !visible;
  }

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
    showTools(false);
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
    showTools(true);
    if (returnFocus && returnFocus.isConnected) {
      returnFocus.focus();
    }
    returnFocus = null;
  }

  window.addEventListener("hashchange", route);
  route();

  // the library console (library*.js) asks for the token here: it stays in this closure, never in storage
  window.clinicStaff = Object.freeze({
    token: function () {
      adoptToken();
      return token;
    },
  });
})();
