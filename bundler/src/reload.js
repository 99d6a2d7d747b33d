// Added by the bundler. A page loaded before an upgrade asks for chunks of its own build, which
// the new build no longer serves: rather than leave the page dead, load the page the user was
// going to afresh, at most once in half a minute so a server that is down does not make a loop.
// The router fetches a page's chunk before it changes the address, so the target is the link the
// user last followed (the address itself when the history moved).
let lastLink = undefined;
document.addEventListener('click', (event) => {
  const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
  if (link) lastLink = { href: link.href, at: Date.now() };
}, true);
function loadAfresh() {
  const last = Number(sessionStorage.getItem('wisp-chunk-reload') || 0);
  if (Date.now() - last < 30000) return;
  sessionStorage.setItem('wisp-chunk-reload', String(Date.now()));
  const recent = lastLink && Date.now() - lastLink.at < 10000;
  window.location.assign(recent ? lastLink.href : window.location.href);
}
