/*
 * Library tab of the staff console: upload a leaflet as a draft, the table of documents (filters by status,
 * state and text), and one document's detail: its cleaned text and passages, warnings, description form,
 * and the library actions (add to the library, retire, upload a new version).
 */
(function () {
  "use strict";

  const C = window.clinicConsole;
  const { $, el } = C;
  const META_FIELDS = ["title", "publisher", "doc_type", "url", "published", "reviewed", "review_due"];
  const DATE_FIELDS = new Set(["published", "reviewed", "review_due"]);
  let shown = null; // the DocumentDetail on screen
  let openedFrom = null; // the doc id whose row opened the detail, to put focus back

  function grade(value) {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      return C.unknown();
    }
    const text = value.toFixed(1);
    if (value > 8) {
      return el("span", {}, [text + " ", el("span", { class: "lc-note" }, ["(harder than grade 8)"])]);
    }
    return text;
  }

  function updated(row) {
    const at = C.when(row.updated_at);
    if (!at && !row.updated_by) {
      return C.unknown();
    }
    return (at || "unknown time") + (row.updated_by ? " by " + row.updated_by : "");
  }

  function passageCount(d) {
    if (typeof d.chunks === "number") {
      return String(d.chunks);
    }
    return Array.isArray(d.passages) ? String(d.passages.length) : C.unknown();
  }

  function titleOf(d) {
    return d.title || "Untitled: " + (d.filename || d.doc_id);
  }

  // ---- the table -----------------------------------------------------------------------------

  async function loadDocuments() {
    const params = new URLSearchParams();
    for (const [name, id] of [
      ["status", "filter-status"],
      ["state", "filter-state"],
      ["q", "filter-q"],
    ]) {
      const value = $(id).value.trim();
      if (value) {
        params.set(name, value);
      }
    }
    const query = params.toString();
    const status = $("documents-status");
    status.textContent = "Loading the documents…";
    const body = await C.api("/documents" + (query ? "?" + query : ""), { errorTarget: $("library-error") });
    if (!body || !Array.isArray(body.documents)) {
      status.textContent = "";
      return;
    }
    renderTable(body.documents, Boolean(query));
    status.textContent = C.count(body.documents.length, "document", "documents") + (query ? " match the filters." : ".");
  }

  function renderTable(documents, filtered) {
    const tbody = $("documents-body");
    $("documents-caption").textContent =
      "Documents in the library store" + (filtered ? " (filtered)" : "") + ": " + documents.length;
    if (!documents.length) {
      C.emptyRow(tbody, 7, filtered ? "No document matches these filters." : "No documents yet.");
      return;
    }
    tbody.replaceChildren(...documents.map(renderRow));
  }

  function renderRow(d) {
    const open = el("button", { type: "button", class: "lc-link-button", "data-doc-id": d.doc_id }, [titleOf(d)]);
    open.addEventListener("click", (event) => {
      event.stopPropagation();
      openDocument(d.doc_id);
    });
    const title = el("td", {}, [open, el("br"), el("code", { class: "lc-id" }, [String(d.doc_id)])]);
    const row = el("tr", { class: "lc-row" }, [
      title,
      C.cell(d.state === "retired" ? el("span", { class: "lc-muted" }, ["not applicable"]) : C.statusBadge(d.status)),
      C.cell(C.stateBadge(d.state)),
      C.cell(grade(d.readability_grade)),
      C.cell(passageCount(d)),
      C.cell(updated(d)),
      C.cell(C.yesNo(d.published_in_index)),
    ]);
    // the whole row opens the document for a mouse; the title button is the keyboard's way in
    row.addEventListener("click", () => openDocument(d.doc_id));
    return row;
  }

  $("doc-filters").addEventListener("submit", (event) => {
    event.preventDefault();
    loadDocuments();
  });
  for (const id of ["filter-status", "filter-state"]) {
    $(id).addEventListener("change", () => loadDocuments());
  }

  // ---- upload --------------------------------------------------------------------------------

  $("upload-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("library-error");
    const status = $("upload-status");
    const input = $("upload-file");
    const file = input.files && input.files[0];
    status.textContent = "";
    if (!file) {
      error.textContent = "Choose a file to upload first.";
      input.focus();
      return;
    }
    const name = C.actor(error);
    if (!name) {
      return;
    }
    const form = new FormData();
    form.append("file", file, file.name);
    form.append("actor", name);
    status.textContent = "Uploading and cleaning " + file.name + "…";
    const detail = await C.api("/documents", { form: form, errorTarget: error });
    if (!detail) {
      status.textContent = "";
      return;
    }
    input.value = "";
    status.textContent = "";
    openedFrom = detail.doc_id;
    showDetail(
      detail,
      "Uploaded as a draft. Check the cleaned text and the passages below, describe the document, then add it to the library."
    );
  });

  // ---- one document --------------------------------------------------------------------------

  async function openDocument(docId) {
    openedFrom = docId;
    $("documents-status").textContent = "Opening the document…";
    const detail = await C.api("/documents/" + encodeURIComponent(docId), { errorTarget: $("library-error") });
    $("documents-status").textContent = "";
    if (detail) {
      showDetail(detail, "");
    }
  }

  function showDetail(detail, message) {
    shown = detail;
    $("lib-list-view").hidden = true;
    $("lib-detail-view").hidden = false;
    $("detail-error").textContent = "";
    $("library-error").textContent = "";
    renderDetail(detail);
    $("detail-status").textContent = message;
    $("detail-title").focus();
  }

  function backToList() {
    shown = null;
    $("lib-detail-view").hidden = true;
    $("lib-list-view").hidden = false;
    const target = openedFrom;
    loadDocuments().then(() => {
      const buttons = Array.from($("documents-body").querySelectorAll("button[data-doc-id]"));
      const button = buttons.find((b) => b.getAttribute("data-doc-id") === target);
      (button || $("documents-heading")).focus();
    });
  }

  $("detail-back").addEventListener("click", backToList);
  $("documents-heading").setAttribute("tabindex", "-1");

  function renderDetail(d) {
    $("detail-title").textContent = titleOf(d);
    $("detail-badges").replaceChildren(
      C.stateBadge(d.state),
      " ",
      d.state === "retired" ? "" : C.statusBadge(d.status),
      " ",
      el("span", { class: "lc-muted" }, ["Version " + d.version])
    );
    C.metaList($("detail-meta"), [
      ["Document id", el("code", {}, [String(d.doc_id)])],
      ["File", d.filename ? d.filename + (d.format ? " (" + d.format + ")" : "") : null],
      ["Source", d.source === "corpus" ? "corpus files" : d.source === "upload" ? "uploaded here" : d.source],
      ["Readability grade", grade(d.readability_grade)],
      ["Passages", passageCount(d)],
      ["Updated", updated(d)],
      ["In served index", C.yesNo(d.published_in_index)],
      ["Publisher", d.publisher],
      ["Type", d.doc_type],
      ["Address", d.url],
      ["Published", C.day(d.published)],
      ["Last reviewed", C.day(d.reviewed)],
      ["Review due", C.day(d.review_due)],
    ]);
    renderWarnings(Array.isArray(d.warnings) ? d.warnings : []);
    fillForm(d);
    renderActions(d);
    $("detail-text").textContent = typeof d.text === "string" ? d.text : "";
    renderPassages(Array.isArray(d.passages) ? d.passages : []);
    renderVersions(Array.isArray(d.versions) ? d.versions : []);
  }

  function renderWarnings(warnings) {
    const list = $("detail-warnings");
    if (!warnings.length) {
      list.replaceChildren(el("li", { class: "lc-muted" }, ["No warnings."]));
      return;
    }
    list.replaceChildren(...warnings.map((w) => el("li", { class: "lc-warning" }, [String(w)])));
  }

  function fillForm(d) {
    for (const name of META_FIELDS) {
      const value = d[name];
      $("meta-" + name).value = typeof value === "string" ? value : "";
      const now = $("meta-" + name + "-now");
      if (now) {
        now.textContent = "Now: " + (typeof value === "string" && value ? value : "unknown");
      }
    }
  }

  function renderActions(d) {
    const versions = Array.isArray(d.versions) ? d.versions : [];
    const hasDraft = d.state === "draft" || versions.some((v) => v.state === "draft");
    $("detail-activate").disabled = d.state === "retired" || !hasDraft;
    $("detail-retire").disabled = d.state === "retired";
    $("replace-file").disabled = d.state === "retired";
    $("replace-form").querySelector('button[type="submit"]').disabled = d.state === "retired";
  }

  function renderPassages(passages) {
    $("passages-heading").textContent = "Passages (" + passages.length + ")";
    const list = $("detail-passages");
    if (!passages.length) {
      list.replaceChildren(el("li", { class: "lc-muted" }, ["No passages: the document has no text to quote."]));
      return;
    }
    list.replaceChildren(
      ...passages.map((p, i) =>
        el("li", { class: "lc-passage" }, [
          el("p", { class: "lc-passage-head" }, [
            el("span", { class: "lc-passage-section" }, [
              "Section: ",
              p.section ? String(p.section) : C.unknown("no section"),
            ]),
            " · characters " + p.start + "–" + p.end + " · ",
            el("code", { class: "lc-id" }, [String(p.chunk_id || "passage " + (i + 1))]),
          ]),
          el("blockquote", { class: "st-passage" }, [String(p.text)]),
        ])
      )
    );
  }

  function renderVersions(versions) {
    const tbody = $("detail-versions");
    if (!versions.length) {
      C.emptyRow(tbody, 5, "No versions recorded.");
      return;
    }
    tbody.replaceChildren(
      ...versions.map((v) =>
        el("tr", {}, [
          C.cell(String(v.version)),
          C.cell(C.stateBadge(v.state)),
          C.cell(C.when(v.uploaded_at)),
          C.cell(v.uploaded_by),
          C.cell(v.filename),
        ])
      )
    );
  }

  // ---- changes -------------------------------------------------------------------------------

  async function change(path, payload, message) {
    const error = $("detail-error");
    const status = $("detail-status");
    const name = C.actor(error);
    if (!name || !shown) {
      return;
    }
    const docId = shown.doc_id;
    status.textContent = "Saving…";
    const opts = { json: Object.assign({ actor: name }, payload), errorTarget: error };
    if (path === "") {
      opts.method = "PATCH";
    }
    const result = await C.api("/documents/" + encodeURIComponent(docId) + path, opts);
    if (!result) {
      status.textContent = "";
      return;
    }
    // the actions' replies are not all full details: read the document again
    const detail =
      result && Array.isArray(result.passages)
        ? result
        : await C.api("/documents/" + encodeURIComponent(docId), { errorTarget: error });
    if (detail) {
      shown = detail;
      renderDetail(detail);
    }
    status.textContent = message;
  }

  $("meta-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!shown) {
      return;
    }
    const payload = {};
    for (const name of META_FIELDS) {
      const value = $("meta-" + name).value.trim();
      const before = typeof shown[name] === "string" ? shown[name] : "";
      if (value !== before) {
        payload[name] = value === "" && DATE_FIELDS.has(name) ? null : value;
      }
    }
    if (!Object.keys(payload).length) {
      $("detail-status").textContent = "Nothing changed in the description.";
      return;
    }
    change("", payload, "Description saved.");
  });

  $("detail-activate").addEventListener("click", () =>
    change("/activate", {}, "Added to the library. Patients see it after the next publish (Publish tab).")
  );

  $("detail-retire").addEventListener("click", () =>
    change("/retire", {}, "Retired. It is left out of the next publish and kept for the audit trail.")
  );

  $("replace-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("detail-error");
    const input = $("replace-file");
    const file = input.files && input.files[0];
    if (!shown) {
      return;
    }
    if (!file) {
      error.textContent = "Choose the file of the new version first.";
      input.focus();
      return;
    }
    const name = C.actor(error);
    if (!name) {
      return;
    }
    const form = new FormData();
    form.append("file", file, file.name);
    form.append("actor", name);
    $("detail-status").textContent = "Uploading and cleaning " + file.name + "…";
    const detail = await C.api("/documents/" + encodeURIComponent(shown.doc_id) + "/replace", {
      form: form,
      errorTarget: error,
    });
    if (!detail) {
      $("detail-status").textContent = "";
      return;
    }
    input.value = "";
    showDetail(
      detail,
      "New version uploaded as a draft. The version now served keeps serving until you add this one to the library and publish."
    );
  });

  C.register("library", {
    show: () => {
      if (shown) {
        const docId = shown.doc_id;
        C.api("/documents/" + encodeURIComponent(docId), { errorTarget: $("detail-error") }).then((detail) => {
          if (detail && shown && shown.doc_id === docId) {
            shown = detail;
            renderDetail(detail);
          }
        });
      } else {
        loadDocuments();
      }
    },
  });
})();
