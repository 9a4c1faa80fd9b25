/*
 * Clinic patient-education assistant: the embeddable chat widget.
 *
 *   <script src="https://clinic.example/widget.js" data-clinic-name="..." data-primary-color="#0b5cad"
 *           data-greeting="..." data-emergency-number="911" data-api-base="(optional)" defer></script>
 *
 * Everything lives in an open Shadow DOM, styled only by widget.css (loaded next to this script).
 * Safety rules kept throughout this file:
 *   - every string from the server or the user is inserted as text (createTextNode / textContent);
 *     innerHTML is never used and the response's `html` field is ignored;
 *   - no cookies, localStorage or sessionStorage; no request to anywhere but the API base;
 *   - the emergency number is on screen in every state, including loading, errors and "unavailable".
 */
(function () {
  "use strict";

  const script = document.currentScript;
  if (!script || !script.src || document.querySelector("clinic-assistant")) {
    return; // not loaded by a classic <script src>, or already on the page
  }

  const scriptUrl = new URL(script.src, document.baseURI);
  const data = script.dataset;
  const DEFAULT_PRIMARY = "#0b5cad";
  const config = {
    clinicName: clean(data.clinicName, 120) || "the clinic",
    greeting: clean(data.greeting, 300),
    apiBase: apiBase(data.apiBase),
    emergencyNumber: clean(data.emergencyNumber, 20) || "911",
    primary: parseHex(data.primaryColor) || parseHex(DEFAULT_PRIMARY),
  };
  const TEXT = {
    launcher: "Ask the clinic's library",
    title: "Ask " + config.clinicName + "'s library",
    greeting:
      config.greeting ||
      "Ask a question about a treatment or condition. I answer only with quotes from documents " +
        config.clinicName +
        " has approved.",
    privacy: "Please do not type personal details such as names or dates of birth.",
    label: "Your question",
    send: "Ask",
    close: "Close chat",
    loading: "Searching the clinic's library…",
    youAsked: "You asked:",
    sources: "Sources",
    newTab: " (opens in a new tab)",
    rateQuestion: "Was this answer helpful?",
    helpful: "Helpful",
    notHelpful: "Not helpful",
    thanks: "Thank you for your feedback.",
  };

  // ---- small helpers -------------------------------------------------------------------------

  function clean(value, max) {
    return typeof value === "string" ? value.trim().slice(0, max) : "";
  }

  function apiBase(value) {
    const raw = clean(value, 500);
    if (raw) {
      try {
        const url = new URL(raw, scriptUrl);
        if (url.protocol === "https:" || url.protocol === "http:") {
          return url.href.replace(/\/+$/, "");
        }
      } catch (err) {
        /* fall through to the script's own origin */
      }
    }
    return scriptUrl.origin;
  }

  function parseHex(value) {
    const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(clean(value, 7));
    if (!match) {
      return null;
    }
    let hex = match[1];
    if (hex.length === 3) {
      hex = hex.replace(/./g, "$&$&");
    }
    return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  }

  function toHex(rgb) {
    return "#" + rgb.map((c) => Math.round(c).toString(16).padStart(2, "0")).join("");
  }

  function luminance(rgb) {
    const [r, g, b] = rgb.map((c) => {
      const s = c / 255;
      return s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  function contrast(a, b) {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  }

  /** Theme colours that keep WCAG AA contrast whatever data-primary-color is. */
  function theme(primary) {
    const white = [255, 255, 255];
    const black = [0, 0, 0];
    const onPrimary = contrast(primary, white) >= contrast(primary, black) ? white : black;
    // text, links and focus rings on the white panel: the primary, darkened until it reads on white
    let accent = primary;
    for (let step = 0; step < 40 && contrast(accent, white) < 4.6; step += 1) {
      accent = accent.map((c) => c * 0.9);
    }
    return { "--wg-primary": toHex(primary), "--wg-on-primary": toHex(onPrimary), "--wg-accent": toHex(accent) };
  }

  /** Build an element. Children that are strings become text nodes; attributes never include style. */
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

  /** A paragraph of plain text with every occurrence of the emergency number in <strong>. */
  function withNumber(tag, className, text) {
    const node = el(tag, className ? { class: className } : {});
    const number = state.emergencyNumber;
    const parts = String(text).split(number);
    parts.forEach((part, i) => {
      if (i > 0) {
        node.appendChild(el("strong", { class: "wg-number" }, [number]));
      }
      if (part) {
        node.appendChild(document.createTextNode(part));
      }
    });
    return node;
  }

  function paragraphs(text) {
    return String(text || "")
      .replace(/\r\n/g, "\n")
      .split(/\n{2,}/)
      .map((p) => p.trim())
      .filter(Boolean);
  }

  function safeHttpUrl(value) {
    if (typeof value !== "string" || !value) {
      return null;
    }
    try {
      const url = new URL(value);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (err) {
      return null;
    }
  }

  // ---- the DOM -------------------------------------------------------------------------------

  const state = { open: false, busy: false, emergencyNumber: config.emergencyNumber, disclaimer: "" };

  const host = document.createElement("clinic-assistant");
  for (const [name, value] of Object.entries(theme(config.primary))) {
    host.style.setProperty(name, value); // CSSOM, allowed under a strict style-src
  }
  const shadow = host.attachShadow({ mode: "open" });

  const stylesheet = el("link", { rel: "stylesheet", href: new URL("widget.css", scriptUrl).href });
  const launcher = el(
    "button",
    { type: "button", class: "wg-launcher", "aria-expanded": "false", "aria-controls": "wg-panel" },
    [el("span", { class: "wg-launcher-icon", "aria-hidden": "true" }), TEXT.launcher]
  );
  const closeButton = el("button", { type: "button", class: "wg-close", "aria-label": TEXT.close }, ["×"]);
  const strip = el("p", { class: "wg-strip" });
  const log = el("div", {
    class: "wg-log",
    role: "log",
    "aria-live": "polite",
    "aria-label": "Conversation",
    tabindex: "0",
  });
  const input = el("input", {
    id: "wg-input",
    class: "wg-input",
    type: "text",
    name: "question",
    autocomplete: "off",
    maxlength: "1000",
    "aria-describedby": "wg-privacy",
  });
  const sendButton = el("button", { type: "submit", class: "wg-send" }, [TEXT.send]);
  const form = el("form", { class: "wg-form" }, [
    el("label", { for: "wg-input", class: "wg-label" }, [TEXT.label]),
    el("p", { id: "wg-privacy", class: "wg-privacy" }, [TEXT.privacy]),
    el("div", { class: "wg-row" }, [input, sendButton]),
  ]);
  const disclaimer = el("p", { class: "wg-disclaimer" });
  const panelAttrs = { id: "wg-panel", class: "wg-panel", role: "dialog", "aria-label": TEXT.title, hidden: true };
  const panel = el("div", panelAttrs, [
    el("div", { class: "wg-header" }, [el("h2", { class: "wg-title" }, [TEXT.title]), closeButton]),
    strip,
    log,
    form,
    disclaimer,
  ]);
  const root = el("div", { class: "wg-root", hidden: true }, [panel, launcher]);

  // stay hidden until widget.css is in, so the host page never sees an unstyled flash
  stylesheet.addEventListener("load", () => (root.hidden = false));
  stylesheet.addEventListener("error", () => (root.hidden = false));
  shadow.append(stylesheet, root);
  log.appendChild(el("p", { class: "wg-msg wg-greeting" }, [TEXT.greeting]));
  renderChrome();

  function renderChrome() {
    strip.replaceChildren(
      withNumber(
        "span",
        "",
        "Emergency? Call " + state.emergencyNumber + " now. This chat cannot help in an emergency."
      )
    );
    disclaimer.textContent =
      state.disclaimer ||
      "This chat quotes documents approved by " +
        config.clinicName +
        ". It is not medical advice for you. In an emergency, call " +
        state.emergencyNumber +
        ".";
  }

  // ---- open, close, keyboard -----------------------------------------------------------------

  function setOpen(open) {
    state.open = open;
    panel.hidden = !open;
    root.classList.toggle("wg-open", open);
    launcher.setAttribute("aria-expanded", String(open));
    if (open) {
      input.focus();
    } else {
      launcher.focus();
    }
  }

  launcher.addEventListener("click", () => setOpen(!state.open));
  closeButton.addEventListener("click", () => setOpen(false));
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && state.open) {
      event.preventDefault();
      setOpen(false);
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question || state.busy) {
      return;
    }
    input.value = "";
    ask(question);
  });

  // ---- talking to the service ----------------------------------------------------------------

  async function ask(question) {
    state.busy = true;
    log.setAttribute("aria-busy", "true");
    sendButton.disabled = true;
    const youAsked = el("span", { class: "wg-visually-hidden" }, [TEXT.youAsked + " "]);
    const asked = append(el("div", { class: "wg-msg wg-user" }, [youAsked, question]));
    const loading = append(
      el("div", { class: "wg-msg wg-status" }, [
        el("p", {}, [TEXT.loading]),
        withNumber("p", "", "If this is an emergency, call " + state.emergencyNumber + " now."),
      ])
    );
    let reply;
    try {
      const response = await fetch(config.apiBase + "/api/v1/ask", {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        cache: "no-store",
        referrerPolicy: "no-referrer",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ question: question }),
      });
      reply = render(response.status, await readJson(response));
    } catch (err) {
      reply = renderProblem(
        "The chat could not reach the clinic's library. Please check your connection and try again."
      );
    }
    loading.remove();
    log.removeAttribute("aria-busy");
    state.busy = false;
    sendButton.disabled = false;
    append(reply);
    scrollTo(asked); // the question, then the start of its reply (an emergency alert comes first)
  }

  async function readJson(response) {
    try {
      return await response.json();
    } catch (err) {
      return null;
    }
  }

  function isAnswer(body) {
    return (
      Boolean(body) &&
      typeof body.type === "string" &&
      typeof body.text === "string" &&
      Array.isArray(body.citations)
    );
  }

  function render(status, body) {
    if (isAnswer(body)) {
      if (typeof body.emergency_number === "string" && body.emergency_number) {
        state.emergencyNumber = body.emergency_number;
      }
      if (typeof body.disclaimer === "string" && body.disclaimer) {
        state.disclaimer = body.disclaimer;
      }
      renderChrome();
      if (body.available === false || status === 503) {
        return renderUnavailable(body.text);
      }
      const article = renderAnswer(body);
      if ((body.type === "answer" || body.type === "no_answer") && typeof body.request_id === "string") {
        article.appendChild(renderRating(body.request_id));
      }
      return article;
    }
    if (status === 503 || status === 502 || status === 504) {
      return renderUnavailable("");
    }
    if (status === 413) {
      return renderProblem("Your question is too long. Please make it shorter and try again.");
    }
    if (status === 422) {
      return renderProblem("The chat could not read this question. Please type it again in your own words.");
    }
    return renderProblem("Something went wrong and the chat could not answer. Please try again later.");
  }

  function renderProblem(message) {
    return el("div", { class: "wg-msg wg-reply wg-problem" }, [
      el("p", {}, [message]),
      withNumber("p", "", "If this is an emergency, call " + state.emergencyNumber + " now."),
    ]);
  }

  function renderUnavailable(text) {
    const box = el("div", { class: "wg-msg wg-reply wg-problem wg-unavailable" }, [
      el("p", { class: "wg-problem-title" }, ["The service is unavailable right now."]),
    ]);
    const body = withoutDisclaimer(text);
    const lines = body.length ? body : ["The clinic's library is not available, so this chat cannot answer."];
    lines.forEach((p) => box.appendChild(withNumber("p", "", p)));
    if (!lines.some((p) => p.includes(state.emergencyNumber))) {
      box.appendChild(withNumber("p", "", "If this is an emergency, call " + state.emergencyNumber + " now."));
    }
    return box;
  }

  function withoutDisclaimer(text) {
    const known = (state.disclaimer || "").trim();
    return paragraphs(text).filter((p) => p !== known);
  }

  function renderAnswer(body) {
    const article = el("div", { class: "wg-msg wg-reply wg-answer wg-answer-" + body.type });
    if (body.type === "emergency") {
      article.appendChild(renderEmergency(body));
    } else if (body.type === "answer" && body.citations.length) {
      renderPassages(article, body);
    } else {
      renderText(article, body);
    }
    return article;
  }

  function renderEmergency(body) {
    const number = state.emergencyNumber;
    const alert = el("div", { class: "wg-alert", role: "alert" });
    const lines = withoutDisclaimer(body.text);
    lines.forEach((p, i) => alert.appendChild(withNumber("p", i === 0 ? "wg-alert-lead" : "", p)));
    if (!lines.some((p) => p.includes(number))) {
      alert.insertBefore(withNumber("p", "wg-alert-lead", "Call " + number + " now."), alert.firstChild);
    }
    const dial = "tel:" + number.replace(/[^0-9+]/g, "");
    alert.appendChild(el("a", { class: "wg-call", href: dial }, ["Call " + number]));
    return alert;
  }

  /** Intro sentence, each passage as a quote, then the numbered sources. */
  function renderPassages(article, body) {
    const first = body.citations[0];
    const cut = body.text.indexOf('\n\n[1] "' + String(first.quote));
    if (cut > 0) {
      article.appendChild(el("p", { class: "wg-intro" }, [body.text.slice(0, cut).trim()]));
    }
    const sources = el("ol", { class: "wg-sources" });
    for (const c of body.citations) {
      const quote = el("blockquote", { class: "wg-quote" });
      paragraphs(c.quote).forEach((p) => quote.appendChild(el("p", {}, [p])));
      article.appendChild(
        el("figure", { class: "wg-figure" }, [
          quote,
          el("figcaption", { class: "wg-figcaption" }, ["[" + c.n + "] " + c.title]),
        ])
      );
      sources.appendChild(renderSource(c));
    }
    article.append(el("p", { class: "wg-sources-title" }, [TEXT.sources]), sources);
  }

  function renderSource(c) {
    const url = safeHttpUrl(c.url);
    const title = url
      ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, [
          c.title,
          el("span", { class: "wg-visually-hidden" }, [TEXT.newTab]),
        ])
      : el("span", { class: "wg-source-title" }, [c.title]);
    const details = [c.publisher || "Publisher unknown", c.published || "Date unknown"];
    if (c.reviewed) {
      details.push("Last reviewed " + c.reviewed);
    }
    if (!c.url) {
      details.push("Source address unknown");
    } else if (!url) {
      details.push(String(c.url));
    }
    const number = el("span", { class: "wg-source-n" }, ["[" + c.n + "] "]);
    return el("li", {}, [number, title, ". " + details.join(". ") + "."]);
  }

  /** no_answer and personal_advice: the template's plain text, with related documents as a list. */
  function renderText(article, body) {
    const related = Array.isArray(body.related_documents) ? body.related_documents : [];
    for (const p of withoutDisclaimer(body.text)) {
      const lines = p.split("\n");
      const listed = lines.filter((line) => line.startsWith("- "));
      const rest = lines.filter((line) => !line.startsWith("- ")).join("\n");
      if (rest) {
        article.appendChild(withNumber("p", "", rest));
      }
      if (listed.length) {
        const list = el("ul", { class: "wg-related" });
        if (related.length) {
          related.forEach((d) => list.appendChild(renderRelated(d)));
        } else {
          listed.forEach((line) => list.appendChild(el("li", {}, [line.slice(2)])));
        }
        article.appendChild(list);
      }
    }
  }

  function renderRelated(d) {
    const url = safeHttpUrl(d.url);
    const title = url
      ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, [
          d.title,
          el("span", { class: "wg-visually-hidden" }, [TEXT.newTab]),
        ])
      : el("span", { class: "wg-source-title" }, [d.title]);
    const details = [d.publisher || "Publisher unknown"];
    if (!d.url) {
      details.push("Source address unknown");
    }
    return el("li", {}, [title, ". " + details.join(". ") + "."]);
  }

  /** "Helpful" / "Not helpful" under an answer: POST /api/v1/feedback; a failure is not shown to the patient. */
  function renderRating(requestId) {
    const thanks = el("p", { class: "wg-rating-status", role: "status" });
    const buttons = [
      ["helpful", TEXT.helpful],
      ["not_helpful", TEXT.notHelpful],
    ].map(([rating, label]) => {
      const button = el("button", { type: "button", class: "wg-rate", "aria-pressed": "false" }, [label]);
      button.addEventListener("click", () => rate(requestId, rating, button, buttons, thanks));
      return button;
    });
    const question = el("p", { class: "wg-rating-question" }, [TEXT.rateQuestion]);
    return el("div", { class: "wg-rating", role: "group", "aria-label": TEXT.rateQuestion }, [
      question,
      el("div", { class: "wg-rating-buttons" }, buttons),
      thanks,
    ]);
  }

  async function rate(requestId, rating, pressed, buttons, thanks) {
    buttons.forEach((b) => b.setAttribute("aria-pressed", String(b === pressed)));
    thanks.textContent = "";
    try {
      const response = await fetch(config.apiBase + "/api/v1/feedback", {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        cache: "no-store",
        referrerPolicy: "no-referrer",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ request_id: requestId, rating: rating }),
      });
      if (response.ok) {
        thanks.textContent = TEXT.thanks;
      }
    } catch (err) {
      /* silent: the rating is optional and the patient can carry on */
    }
  }

  function append(node) {
    log.appendChild(node);
    scrollTo(node);
    return node;
  }

  /** Scroll the log (never the host page) so that `node` starts at its top. */
  function scrollTo(node) {
    log.scrollTop = Math.max(0, node.offsetTop - 8); // .wg-log is the offsetParent (position: relative)
  }

  if (document.body) {
    document.body.appendChild(host);
  } else {
    document.addEventListener("DOMContentLoaded", () => document.body.appendChild(host));
  }
})();
