// The language links carry the page to come back to. htmx may have changed the address
// (hx-push-url) since the page was rendered, so take it from the address bar at click time.
document.addEventListener("click", function (event) {
  var link = event.target.closest("a[data-keep-location]");
  if (!link) return;
  var url = new URL(link.href, window.location.href);
  url.searchParams.set("next", window.location.pathname + window.location.search);
  link.href = url.pathname + url.search;
});

// Problems after an htmx form is sent (GOV.UK: the error summary is focused). A form sent by
// its button comes back with the problems in an error summary at the top of the swapped part,
// which at phone width is far above the button: focus it, which scrolls it into view and has
// screen readers read it. Only after a submit: a filter applied as it changes keeps the focus.
var submitted = false;
document.addEventListener("htmx:beforeSwap", function (event) {
  var config = event.detail.requestConfig;
  var trigger = config && config.triggeringEvent;
  submitted = !!(trigger && trigger.type === "submit");
});
document.addEventListener("htmx:load", function (event) {
  var elt = event.detail.elt;
  if (!submitted || !elt || elt === document.body || !elt.querySelector) return;
  var summary = elt.matches(".error-summary") ? elt : elt.querySelector(".error-summary");
  if (summary) {
    submitted = false;
    summary.focus();
  }
});
document.addEventListener("htmx:afterSettle", function () {
  submitted = false;
});

// An answer htmx does not swap (a body over the size limit, a stale security token, a server
// error) or no answer at all: said next to the form, in the page's language (the sentences
// are on <body data-problem-…>), never nothing. An error page's own problems are shown where
// it has them.
function requestProblem(elt, status, html) {
  var form = (elt.closest && elt.closest("form")) || elt;
  var body = document.body.dataset;
  var text = status === 413 ? body.problemTooLarge : status === 403 ? body.problemStale
    : status ? body.problem : body.problemSend;
  if (html && status !== 413 && status !== 403) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var said = page.querySelectorAll("main .problems li");
    if (said.length) {
      text = Array.prototype.map.call(said, function (li) { return li.textContent.trim(); })
        .join(" ");
    }
  }
  clearProblem(form);
  var note = document.createElement("p");
  note.className = "error request-problem";
  note.setAttribute("role", "alert");
  note.tabIndex = -1;
  note.textContent = text;
  form.insertAdjacentElement("afterend", note);
  note.focus();
}
function clearProblem(form) {
  var next = form.nextElementSibling;
  if (next && next.classList.contains("request-problem")) next.remove();
}
document.addEventListener("htmx:beforeRequest", function (event) {
  var elt = event.detail.elt;
  clearProblem((elt.closest && elt.closest("form")) || elt);
});
document.addEventListener("htmx:responseError", function (event) {
  var xhr = event.detail.xhr;
  var html = (xhr.getResponseHeader("content-type") || "").indexOf("text/html") === 0;
  requestProblem(event.detail.elt, xhr.status, html ? xhr.responseText : "");
});
document.addEventListener("htmx:sendError", function (event) {
  requestProblem(event.detail.elt, 0, "");
});
