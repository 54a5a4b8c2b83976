// The language links carry the page to come back to. htmx may have changed the address
// (hx-push-url) since the page was rendered, so take it from the address bar at click time.
document.addEventListener("click", function (event) {
  var link = event.target.closest("a[data-keep-location]");
  if (!link) return;
  var url = new URL(link.href, window.location.href);
  url.searchParams.set("next", window.location.pathname + window.location.search);
  link.href = url.pathname + url.search;
});
