/*
 * Approved answers tab of the staff console: the list of answers with their state and whether patients are
 * served them; the editor (questions one per line, the answer, cited document ids); the check, with each
 * sentence's verdict; approval (name and date, enabled only after a passing check of the answer as saved);
 * and retiring.
 */
(function () {
  "use strict";

  const C = window.clinicConsole;
  const { $, el } = C;
  const VERDICTS = {
    supported: { label: "Supported", symbol: "\u2713", evidence: "Supporting passage" },
    mismatch: { label: "Mismatch", symbol: "!", evidence: "The passage says otherwise" },
    unsupported: { label: "Unsupported", symbol: "\u2715", evidence: "Closest passage" },
  };
  let current = null; // the AnswerRow in the editor, or null for a new answer
  let dirty = false; // the form differs from `current`

  // ---- the list ------------------------------------------------------------------------------

  async function loadAnswers() {
    const state = $("answers-state").value;
    const status = $("answers-status");
    status.textContent = "Loading the answers…";
    const body = await C.api("/answers" + (state ? "?state=" + encodeURIComponent(state) : ""), {
      errorTarget: $("answers-error"),
    });
    if (!body || !Array.isArray(body.answers)) {
      status.textContent = "";
      return;
    }
    const tbody = $("answers-body");
    if (!body.answers.length) {
      C.emptyRow(tbody, 6, state ? "No answers in this state." : "No answers yet.");
    } else {
      tbody.replaceChildren(...body.answers.map(renderRow));
    }
    const served = body.answers.filter((a) => a.served).length;
    status.textContent =
      C.count(body.answers.length, "answer", "answers") + ", " + served + " served to patients.";
  }

  function approval(a) {
    if (!a.approved_by) {
      return el("span", { class: "lc-muted" }, ["not approved"]);
    }
    return "by " + a.approved_by + (a.approved_on ? " on " + a.approved_on : "");
  }

  function renderRow(a) {
    const open = el("button", { type: "button", class: "lc-link-button", "data-answer-id": a.answer_id }, [
      String(a.answer_id),
    ]);
    open.addEventListener("click", () => edit(a, true));
    const questions = Array.isArray(a.questions) ? a.questions : [];
    return el("tr", {}, [
      el("td", {}, [open]),
      C.cell(questions.length ? String(questions[0]) : null),
      C.cell(C.stateBadge(a.state)),
      C.cell(approval(a)),
      C.cell(C.yesNo(a.served)),
      C.cell(C.when(a.updated_at) + (a.updated_by ? " by " + a.updated_by : "")),
    ]);
  }

  $("answers-state").addEventListener("change", loadAnswers);

  // ---- the editor ----------------------------------------------------------------------------

  function lines(text) {
    return text
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean);
  }

  function ids(text) {
    return text.split(/[\s,]+/).filter(Boolean);
  }

  function clearCheck() {
    $("check-summary").textContent = "";
    $("check-results").replaceChildren();
  }

  function newAnswer(focus) {
    current = null;
    dirty = false;
    $("answer-form").reset();
    $("answer-id").readOnly = false;
    $("editor-heading").textContent = "Draft a new answer";
    $("editor-state").replaceChildren();
    $("answer-retire").hidden = true;
    $("approve-form").hidden = true;
    $("editor-status").textContent = "";
    $("editor-error").textContent = "";
    clearCheck();
    if (focus) {
      $("editor-heading").focus();
    }
  }

  function edit(a, focus) {
    current = a;
    dirty = false;
    $("answer-id").value = String(a.answer_id);
    $("answer-id").readOnly = true;
    $("answer-questions").value = (Array.isArray(a.questions) ? a.questions : []).join("\n");
    $("answer-text").value = typeof a.answer === "string" ? a.answer : "";
    $("answer-citations").value = (Array.isArray(a.citations) ? a.citations : []).join(", ");
    $("editor-heading").textContent = "Answer " + a.answer_id;
    $("editor-state").replaceChildren(
      C.stateBadge(a.state),
      " ",
      el("span", {}, ["Served to patients: ", C.yesNo(a.served)]),
      " ",
      el("span", {}, ["Approved: ", approval(a)])
    );
    $("answer-retire").hidden = a.state === "retired";
    $("approve-form").hidden = a.state === "retired";
    if (!$("approver").value.trim()) {
      $("approver").value = $("actor").value.trim();
    }
    if (!$("approved-on").value) {
      $("approved-on").value = C.today();
    }
    clearCheck();
    if (a.check) {
      renderCheck(a.check);
    }
    updateApprove();
    if (focus) {
      $("editor-status").textContent = "";
      $("editor-error").textContent = "";
      $("editor-heading").focus();
    }
  }

  /** Approve is on only for a draft whose last check passed and that has not been edited since. */
  function updateApprove() {
    const ready = Boolean(current && current.state === "draft" && current.check && current.check.passed && !dirty);
    $("answer-approve").disabled = !ready;
    let help = "Approval needs a passing check of the answer exactly as saved: run the check again after any change.";
    if (current && current.state === "approved") {
      help = "This answer is approved. Editing it makes it a draft again and withdraws the approval.";
    } else if (ready) {
      help = "The last check passed: the answer can be approved.";
    }
    $("approve-help").textContent = help;
  }

  $("answer-form").addEventListener("input", () => {
    dirty = true;
    updateApprove();
  });

  $("answer-new").addEventListener("click", () => newAnswer(true));

  /** Save the form (create or edit); resolves to the saved AnswerRow or null. */
  async function save() {
    const error = $("editor-error");
    const name = C.actor(error);
    if (!name) {
      return null;
    }
    const payload = {
      actor: name,
      questions: lines($("answer-questions").value),
      answer: $("answer-text").value.trim(),
      citations: ids($("answer-citations").value),
    };
    if (!payload.questions.length || !payload.answer) {
      error.textContent = "Write at least one patient question and the answer text.";
      return null;
    }
    const wasApproved = Boolean(current && current.state === "approved");
    let saved;
    if (current) {
      saved = await C.api("/answers/" + encodeURIComponent(current.answer_id), {
        method: "PATCH",
        json: payload,
        errorTarget: error,
      });
    } else {
      const wanted = $("answer-id").value.trim();
      if (wanted) {
        payload.answer_id = wanted;
      }
      saved = await C.api("/answers", { json: payload, errorTarget: error });
    }
    if (!saved) {
      return null;
    }
    edit(saved, false);
    $("editor-status").textContent = wasApproved
      ? "Saved. The answer is a draft again: its approval was withdrawn. Check and approve it again."
      : "Saved as a draft.";
    loadAnswers();
    return saved;
  }

  $("answer-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("editor-status").textContent = "Saving…";
    if (!(await save())) {
      $("editor-status").textContent = "";
    }
  });

  $("answer-check").addEventListener("click", async () => {
    const error = $("editor-error");
    const status = $("editor-status");
    let answer = current;
    if (!answer || dirty) {
      status.textContent = "Saving…";
      answer = await save();
      if (!answer) {
        status.textContent = "";
        return;
      }
    }
    const name = C.actor(error);
    if (!name) {
      return;
    }
    clearCheck();
    status.textContent = "Checking the answer against the library…";
    const checked = await C.api("/answers/" + encodeURIComponent(answer.answer_id) + "/check", {
      json: { actor: name },
      errorTarget: error,
    });
    status.textContent = "";
    if (!checked) {
      return;
    }
    edit(checked, false);
    if (!checked.check) {
      error.textContent = "The check returned no result.";
    }
    loadAnswers();
  });

  function renderCheck(check) {
    const sentences = Array.isArray(check.sentences) ? check.sentences : [];
    const tally = { supported: 0, mismatch: 0, unsupported: 0 };
    sentences.forEach((s) => {
      if (Object.prototype.hasOwnProperty.call(tally, s.verdict)) {
        tally[s.verdict] += 1;
      }
    });
    $("check-results").replaceChildren(...sentences.map(renderSentence));
    $("check-summary").textContent =
      (check.passed ? "The check passed. " : "The check did not pass. ") +
      C.count(sentences.length, "sentence", "sentences") +
      ": " +
      tally.supported +
      " supported, " +
      tally.mismatch +
      " mismatch, " +
      tally.unsupported +
      " unsupported." +
      (check.checked_at ? " Checked " + C.when(check.checked_at) + "." : "");
  }

  function renderSentence(sentence) {
    const known = Object.prototype.hasOwnProperty.call(VERDICTS, sentence.verdict);
    const verdict = known ? VERDICTS[sentence.verdict] : { label: String(sentence.verdict), symbol: "?" };
    const kind = known ? sentence.verdict : "unknown";
    const label = el("span", { class: "st-verdict-label" }, [
      el("span", { "aria-hidden": "true" }, [verdict.symbol + " "]),
      verdict.label,
      el("span", { class: "st-visually-hidden" }, [":"]),
    ]);
    const item = el("li", { class: "st-verdict st-verdict-" + kind, "data-verdict": kind }, [
      el("p", { class: "st-sentence" }, [label, " ", el("span", { class: "st-sentence-text" }, [String(sentence.text)])]),
    ]);
    if (typeof sentence.quote === "string" && sentence.quote) {
      item.append(
        el("p", { class: "st-evidence-label" }, [
          (verdict.evidence || "Passage") + (sentence.doc_id ? ", from " : ":"),
          sentence.doc_id ? el("code", {}, [String(sentence.doc_id)]) : null,
          sentence.doc_id ? ":" : null,
        ]),
        el("blockquote", { class: "st-passage st-evidence" }, [sentence.quote])
      );
    }
    return item;
  }

  $("approve-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("editor-error");
    if (!current) {
      return;
    }
    const approver = $("approver").value.trim();
    if (!approver) {
      error.textContent = "Enter the approver's name.";
      $("approver").focus();
      return;
    }
    const payload = { approver: approver };
    if ($("approved-on").value) {
      payload.approved_on = $("approved-on").value;
    }
    $("editor-status").textContent = "Approving…";
    const approved = await C.api("/answers/" + encodeURIComponent(current.answer_id) + "/approve", {
      json: payload,
      errorTarget: error,
    });
    if (!approved) {
      $("editor-status").textContent = "";
      return;
    }
    edit(approved, false);
    $("editor-status").textContent =
      "Approved by " + approver + ". Patients get it after the next publish, if its cited documents are current.";
    loadAnswers();
  });

  $("answer-retire").addEventListener("click", async () => {
    const error = $("editor-error");
    const name = C.actor(error);
    if (!name || !current) {
      return;
    }
    const retired = await C.api("/answers/" + encodeURIComponent(current.answer_id) + "/retire", {
      json: { actor: name },
      errorTarget: error,
    });
    if (!retired) {
      return;
    }
    if (retired.answer_id) {
      edit(retired, false);
    }
    $("editor-status").textContent = "Retired: patients no longer get this answer after the next publish.";
    loadAnswers();
  });

  C.register("answers", {
    show: () => {
      loadAnswers();
      if (!$("approved-on").value) {
        $("approved-on").value = C.today();
      }
    },
  });
})();
