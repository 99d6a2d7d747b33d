// The sign-in page ships without the WebAssembly bundle (a first visit stays small): the form is a
// plain POST whose errors the server renders, and this script gives it the progress state the
// bundle gives every other form. It marks the page interactive as the bundle does.
const form = document.querySelector('form[action$="/login"]');
if (form) {
  const button = form.querySelector('button[type="submit"]');
  form.addEventListener('submit', () => {
    // After the browser has taken the form's data: disabling now cannot cancel the submission.
    setTimeout(() => {
      button.disabled = true;
      form.setAttribute('aria-busy', 'true');
      const spinner = document.createElement('span');
      spinner.className = 'spinner';
      spinner.setAttribute('aria-hidden', 'true');
      button.prepend(spinner);
    });
  });
  // Back to this page from the history: the form is usable again.
  window.addEventListener('pageshow', () => {
    button.disabled = false;
    form.removeAttribute('aria-busy');
    button.querySelector('.spinner')?.remove();
  });
}
// A failed sign-in comes back with the server's error in the address (`__err`, `__path`): keep the
// address the user asked for.
const url = new URL(window.location.href);
if (url.searchParams.has('__err')) {
  url.searchParams.delete('__err');
  url.searchParams.delete('__path');
  window.history.replaceState(window.history.state, '', url);
}
document.body.setAttribute('data-hydrated', 'true');
