/*
 * The library console on the staff page: what its screens share (library-docs.js, library-answers.js,
 * library-publish.js build on it through `window.clinicConsole`).
 *
 * - The staff token comes from staff.js (`window.clinicStaff.token()`), which keeps it in memory only; the
 *   staff member's name is read from the "Your name" field when a change is sent, and sent as `actor`.
 * - Every server string is inserted as text (createTextNode / textContent), never as HTML.
 * - The sections are tabs (WAI-ARIA tabs pattern: arrow keys, Home and End move between them); a tab's
 *   data is loaded when it is shown, and again when a token is entered.
 */
(function () {
  "use strict";

  const API = "/api/v1/library";
  const UNKNOWN = "unknown";
  const TOKEN_PROBLEM = "Staff token missing or wrong. Enter the staff token above and try again.";
  const NAME_PROBLEM = "Enter your name in the Sign in section first: it is recorded with every change.";
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === false || value === null || value === undefined) {
        continue;
      }
      node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children || []) {
      if (child !== null && child !== undefined) {
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      }
    }
    return node;
  }

  function count(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }

  function token() {
    return window.clinicStaff ? window.clinicStaff.token() : "";
  }

  /** The name typed in "Your name", or null after saying (in `target`) that it is needed. */
  function actor(target) {
    const name = $("actor").value.trim();
    if (!name) {
      showError(target, NAME_PROBLEM);
      $("actor").focus();
      return null;
    }
    return name;
  }

  function showError(target, message) {
    if (target) {
      target.textContent = message;
    }
  }

  function messageFor(status, detail) {
    switch (status) {
      case 401:
        return TOKEN_PROBLEM;
      case 404:
        return "Not found: " + (detail || "it is not in the library store.");
      case 409:
        return "Not done: " + (detail || "this conflicts with the library's current state.");
      case 413:
        return "The file is too large. " + detail;
      case 415:
        return "This kind of file cannot be added. " + detail;
      case 422:
        return "Not accepted: " + (detail || "the request was not valid.");
      case 429:
        return "Too many requests: wait a minute and try again. " + detail;
      case 503:
        return "The library is not available right now. " + detail;
      default:
        return "The request failed (HTTP " + status + "). " + detail;
    }
  }

  /**
   * Call the library API (`path` below /api/v1/library, or an absolute path); resolves to the JSON body
   * (or {} for an empty success) or null after showing what went wrong in `opts.errorTarget`.
   *
   * opts: `method`, `json` (a JSON body), `form` (a FormData body), `errorTarget` (an alert region, cleared
   * first) and `failure(status, detail, body)`: a message to show instead of the usual one, "" for the usual
   * one, or null to show nothing (the caller handles it).
   */
  async function api(path, opts) {
    const options = opts || {};
    const target = options.errorTarget || null;
    showError(target, "");
    const staffToken = token();
    if (!staffToken) {
      showError(target, TOKEN_PROBLEM);
      return null;
    }
    const headers = { Accept: "application/json", Authorization: "Bearer " + staffToken };
    const init = { method: options.method || "GET", headers: headers, credentials: "omit", cache: "no-store" };
    if (options.json !== undefined) {
      init.method = options.method || "POST";
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.json);
    } else if (options.form !== undefined) {
      init.method = options.method || "POST";
      init.body = options.form; // the browser sets the multipart boundary
    }
    let response;
    try {
      response = await fetch(path.startsWith("/api/") ? path : API + path, init);
    } catch (err) {
      showError(target, "The service could not be reached. Check the connection and try again.");
      return null;
    }
    let body = null;
    try {
      const text = await response.text();
      body = text ? JSON.parse(text) : {};
    } catch (err) {
      body = null;
    }
    if (response.ok && body) {
      return body;
    }
    const error = body && body.error;
    const detail = error && typeof error.message === "string" ? error.message : "";
    const special = options.failure ? options.failure(response.status, detail, body) : "";
    if (special === null) {
      return null;
    }
    showError(target, special || messageFor(response.status, detail));
    return null;
  }

  // ---- formatting ----------------------------------------------------------------------------

  function unknown(text) {
    return el("span", { class: "st-unknown" }, [text || UNKNOWN]);
  }

  /** A date (YYYY-MM-DD) as given, or "unknown". */
  function day(value) {
    return typeof value === "string" && value ? value : unknown();
  }

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  /** An ISO datetime as local "YYYY-MM-DD HH:MM", or the text itself if it does not parse. */
  function when(value) {
    if (typeof value !== "string" || !value) {
      return "";
    }
    // the store keeps UTC; a datetime without an offset is read as UTC, not as the browser's local time
    const zoned = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value) ? value + "Z" : value;
    const date = new Date(zoned);
    if (Number.isNaN(date.getTime())) {
      return value;
    }
    return (
      date.getFullYear() +
      "-" +
      pad(date.getMonth() + 1) +
      "-" +
      pad(date.getDate()) +
      " " +
      pad(date.getHours()) +
      ":" +
      pad(date.getMinutes())
    );
  }

  function today() {
    const now = new Date();
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  const STATUS = {
    current: "Current",
    review_due: "Review due within 30 days",
    expired: "Expired: not cited",
    undated: "Undated: no review date",
  };
  const STATE = {
    draft: "Draft",
    active: "In the library",
    retired: "Retired",
    approved: "Approved",
  };

  function badge(kind, value, labels) {
    const known = Object.prototype.hasOwnProperty.call(labels, value);
    return el("span", { class: "lc-badge lc-" + kind + "-" + (known ? value : "other") }, [
      known ? labels[value] : String(value || UNKNOWN),
    ]);
  }

  function statusBadge(status) {
    return status ? badge("status", status, STATUS) : el("span", { class: "lc-muted" }, ["not applicable"]);
  }

  function stateBadge(state) {
    return badge("state", state, STATE);
  }

  function yesNo(value) {
    return el("span", { class: value ? "lc-yes" : "lc-no" }, [value ? "Yes" : "No"]);
  }

  /** A <dl> of [label, value] pairs; empty values show as "unknown". */
  function metaList(list, items) {
    list.replaceChildren();
    for (const [label, value] of items) {
      const dd = el("dd", {}, []);
      if (value instanceof Node) {
        dd.appendChild(value);
      } else if (value === null || value === undefined || value === "") {
        dd.appendChild(unknown());
      } else {
        dd.textContent = String(value);
      }
      list.append(el("div", { class: "st-meta-item" }, [el("dt", {}, [label]), dd]));
    }
  }

  function cell(content, attrs) {
    const td = el("td", attrs || {}, []);
    if (content instanceof Node) {
      td.appendChild(content);
    } else if (content === null || content === undefined || content === "") {
      td.appendChild(unknown());
    } else {
      td.textContent = String(content);
    }
    return td;
  }

  /** A table body's single row saying there is nothing to list. */
  function emptyRow(body, columns, text) {
    body.replaceChildren(el("tr", {}, [el("td", { colspan: columns, class: "lc-empty" }, [text])]));
  }

  // ---- tabs ----------------------------------------------------------------------------------

  const panels = {}; // name -> { show() } registered by the other console files
  const tabs = Array.from(document.querySelectorAll('.lc-tabs [role="tab"]'));
  let active = "search";

  function tabName(tab) {
    return tab.id.replace(/^tab-/, "");
  }

  function select(name, focusTab) {
    const tab = $("tab-" + name);
    if (!tab) {
      return;
    }
    active = name;
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute("aria-controls")).hidden = !on;
    }
    if (focusTab) {
      tab.focus();
    }
    refresh();
  }

  function refresh() {
    const panel = panels[active];
    if (panel && token()) {
      panel.show();
    }
  }

  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tabName(tab), false));
    tab.addEventListener("keydown", (event) => {
      const moves = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 };
      if (!Object.prototype.hasOwnProperty.call(moves, event.key)) {
        return;
      }
      event.preventDefault();
      const next = tabs[(moves[event.key] + tabs.length) % tabs.length];
      select(tabName(next), true);
    });
  });

  // staff.js adopts the token on this submit first (its listener was added before this one)
  $("token-form").addEventListener("submit", () => refresh());

  // a link to a document passage ("#doc=...") belongs to the search and review tab
  window.addEventListener("hashchange", () => {
    if (location.hash.startsWith("#doc=") && active !== "search") {
      select("search", false);
    }
  });

  window.clinicConsole = Object.freeze({
    $: $,
    el: el,
    api: api,
    actor: actor,
    count: count,
    day: day,
    when: when,
    today: today,
    unknown: unknown,
    statusBadge: statusBadge,
    stateBadge: stateBadge,
    yesNo: yesNo,
    metaList: metaList,
    cell: cell,
    emptyRow: emptyRow,
    register: (name, panel) => {
      panels[name] = panel;
    },
    select: select,
  });
})();
