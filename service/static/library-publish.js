/*
 * Publish tab (start a publish, follow its stage and progress every 500 ms, show the result or the error)
 * and the "What patients could not find" tab (daily counts, groups of scrubbed unanswered questions, and
 * the audit trail) of the staff console.
 */
(function () {
  "use strict";

  const C = window.clinicConsole;
  const { $, el } = C;
  const POLL_MS = 500;
  let polling = null; // job id being followed
  let timer = 0;

  // ---- publish -------------------------------------------------------------------------------

  function stageText(job) {
    const stage = job.stage ? String(job.stage) : "";
    const percent = Math.round(Math.max(0, Math.min(1, Number(job.progress) || 0)) * 100);
    if (job.state === "queued") {
      return "Publish queued: waiting to start.";
    }
    if (job.state === "running") {
      return "Publishing: " + (stage || "working") + " (" + percent + "%).";
    }
    if (job.state === "done") {
      return "Publish done: the new index is being served.";
    }
    if (job.state === "failed") {
      return "Publish failed" + (stage ? " while " + stage : "") + ".";
    }
    return String(job.state);
  }

  function showProgress(job) {
    $("publish-progress-box").hidden = false;
    const bar = $("publish-progress");
    const value = Math.max(0, Math.min(1, Number(job.progress) || 0));
    bar.value = job.state === "done" ? 1 : value;
    bar.setAttribute("aria-valuetext", stageText(job));
    $("publish-status").textContent = stageText(job);
  }

  function showJob(job, focus) {
    const running = job.state === "queued" || job.state === "running";
    $("publish-start").disabled = running;
    showProgress(job);
    if (running) {
      $("publish-result").hidden = true;
      follow(job.job_id);
      return;
    }
    renderResult(job);
    if (focus) {
      $("publish-result-heading").focus();
    }
  }

  function renderResult(job) {
    const box = $("publish-result");
    box.hidden = false;
    const started = job.started_at ? C.when(job.started_at) : "";
    const by = job.actor ? " by " + job.actor : "";
    if (job.state === "failed") {
      $("publish-result-heading").textContent = "Publish failed";
      $("publish-error").textContent = "The publish failed: " + (job.error || "no reason given") + ". The index served before keeps serving.";
      C.metaList($("publish-result-meta"), [
        ["Started", started + by],
        ["Finished", C.when(job.finished_at)],
        ["Error", job.error || "no reason given"],
      ]);
      $("publish-warnings").replaceChildren(el("li", { class: "lc-muted" }, ["None."]));
      return;
    }
    const r = job.result || {};
    $("publish-result-heading").textContent = "Publish result";
    C.metaList($("publish-result-meta"), [
      ["Started", started + by],
      ["Finished", C.when(job.finished_at)],
      ["Documents", r.documents === undefined ? null : String(r.documents)],
      ["Passages", r.chunks === undefined ? null : String(r.chunks)],
      ["Time", typeof r.seconds === "number" ? r.seconds.toFixed(1) + " seconds" : null],
      ["Approved answers served", r.answers_served === undefined ? null : String(r.answers_served)],
    ]);
    const warnings = Array.isArray(r.warnings) ? r.warnings : [];
    $("publish-warnings").replaceChildren(
      ...(warnings.length
        ? warnings.map((w) => el("li", { class: "lc-warning" }, [String(w)]))
        : [el("li", { class: "lc-muted" }, ["None."])])
    );
  }

  function follow(jobId) {
    if (polling === jobId) {
      return;
    }
    polling = jobId;
    window.clearTimeout(timer);
    const tick = async () => {
      const job = await C.api("/publish/" + encodeURIComponent(jobId), { errorTarget: $("publish-error") });
      if (polling !== jobId) {
        return;
      }
      if (!job) {
        polling = null;
        $("publish-start").disabled = false;
        return;
      }
      if (job.state === "queued" || job.state === "running") {
        showProgress(job);
        timer = window.setTimeout(tick, POLL_MS);
        return;
      }
      polling = null;
      showJob(job, true);
    };
    timer = window.setTimeout(tick, POLL_MS);
  }

  $("publish-start").addEventListener("click", async () => {
    const error = $("publish-error");
    const name = C.actor(error);
    if (!name) {
      return;
    }
    let running = null;
    $("publish-start").disabled = true;
    $("publish-result").hidden = true;
    $("publish-status").textContent = "Starting the publish…";
    const job = await C.api("/publish", {
      json: { actor: name },
      errorTarget: error,
      failure: (status, detail, body) => {
        if (status !== 409) {
          return "";
        }
        // a publish is already running: the reply names it (as the body or inside the error)
        const named = body && (body.job_id ? body : body.error && (body.error.job || body.error.publish));
        running = named && named.job_id ? named : { job_id: "latest" };
        return null;
      },
    });
    if (job) {
      showJob(job, false);
      return;
    }
    if (running) {
      $("publish-status").textContent = "A publish is already running: following it.";
      const latest = running.state ? running : await C.api("/publish/latest", { errorTarget: error });
      if (latest) {
        showJob(latest, false);
        return;
      }
    }
    $("publish-start").disabled = false;
    $("publish-status").textContent = "";
  });

  async function showLatest() {
    if (polling) {
      return;
    }
    const job = await C.api("/publish/latest", {
      errorTarget: $("publish-error"),
      failure: (status) => (status === 404 ? null : ""),
    });
    if (job && job.job_id) {
      showJob(job, false);
    } else if (!$("publish-error").textContent) {
      $("publish-status").textContent = "Nothing has been published from the console yet.";
    }
  }

  C.register("publish", { show: showLatest });

  // ---- what patients could not find, and the audit trail -------------------------------------

  function number(value) {
    return String(Number(value) || 0);
  }

  function renderDaily(days) {
    const tbody = $("daily-body");
    if (!days.length) {
      C.emptyRow(tbody, 5, "No days recorded.");
      return;
    }
    tbody.replaceChildren(
      ...days.map((d) =>
        el("tr", {}, [
          el("th", { scope: "row" }, [String(d.day)]),
          C.cell(number(d.no_answer)),
          C.cell(number(d.personal_advice)),
          C.cell(number(d.helpful)),
          C.cell(number(d.not_helpful)),
        ])
      )
    );
  }

  function renderUnanswered(body) {
    const retention = Number(body.retention_days) || 0;
    const groups = Array.isArray(body.groups) ? body.groups : [];
    $("unanswered-retention").textContent = retention
      ? "Questions that got no answer are kept for " +
        C.count(retention, "day", "days") +
        ", with names, dates, numbers and contact details removed, then deleted. Similar questions are grouped, largest group first."
      : "Questions that got no answer are not kept (retention is 0 days), so none can be shown.";
    const list = $("unanswered-groups");
    if (!groups.length) {
      list.replaceChildren(
        el("li", { class: "lc-muted lc-no-marker" }, [
          retention ? "No unanswered questions in the last " + C.count(retention, "day", "days") + "." : "Nothing kept.",
        ])
      );
      return;
    }
    list.replaceChildren(
      ...groups.map((g, i) => {
        const headingId = "group-" + i;
        const questions = Array.isArray(g.questions) ? g.questions : [];
        const size = Number(g.size) || questions.length;
        return el("li", { class: "lc-group" }, [
          el("p", { class: "lc-group-size", id: headingId }, [C.count(size, "question", "questions")]),
          el(
            "ul",
            { class: "lc-group-questions" },
            questions.map((q) =>
              el("li", {}, [
                el("span", { class: "lc-question" }, [String(q.text)]),
                q.day ? el("span", { class: "lc-muted" }, [" (" + q.day + ")"]) : null,
              ])
            )
          ),
        ]);
      })
    );
  }

  function renderAudit(events) {
    const tbody = $("audit-body");
    if (!events.length) {
      C.emptyRow(tbody, 5, "No events recorded yet.");
      return;
    }
    tbody.replaceChildren(
      ...events.map((e) =>
        el("tr", {}, [
          C.cell(C.when(e.at)),
          C.cell(e.actor),
          C.cell(e.action),
          C.cell(e.target ? el("code", { class: "lc-id" }, [String(e.target)]) : ""),
          C.cell(e.detail ? String(e.detail) : el("span", { class: "lc-muted" }, ["none"])),
        ])
      )
    );
  }

  async function loadInsights() {
    const error = $("insights-error");
    const status = $("insights-status");
    status.textContent = "Loading…";
    const [daily, unanswered, audit] = await Promise.all([
      C.api("/insights/daily?days=30", { errorTarget: error }),
      C.api("/insights/unanswered", { errorTarget: error }),
      C.api("/audit?limit=100", { errorTarget: error }),
    ]);
    if (daily) {
      renderDaily(Array.isArray(daily.days) ? daily.days : []);
    }
    if (unanswered) {
      renderUnanswered(unanswered);
    }
    if (audit) {
      renderAudit(Array.isArray(audit.events) ? audit.events : []);
    }
    status.textContent = daily && unanswered && audit ? "Updated " + C.when(new Date().toISOString()) + "." : "";
  }

  $("insights-refresh").addEventListener("click", loadInsights);
  C.register("insights", { show: loadInsights });
})();
