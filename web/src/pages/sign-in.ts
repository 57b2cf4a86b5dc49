// Sign in: an analyst or admin token, checked by listing one job, kept in this tab's session storage.
import { afterSignIn, api, errorText, setToken } from '../api.js';
import { h, nextId } from '../dom.js';
import { render } from '../layout.js';

export function signInPage(): void {
  const id = nextId('token');
  const err = h('p', { class: 'error', id: `${id}-err`, role: 'alert' });
  const input = h('input', { id, type: 'password', name: 'token', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': `${id}-hint ${id}-err` });
  const signIn = async (e: Event) => {
    e.preventDefault();
    const token = input.value.trim();
    err.textContent = '';
    const a = await api('GET', '/jobs?limit=1', undefined, token);
    if (a.status === 200) {
      setToken(token);
      location.hash = afterSignIn();
    } else if (a.status === 401) {
      input.setAttribute('aria-invalid', 'true');
      err.textContent = token ? 'This token is not valid here. Check it and try again.' : 'This API needs a token: paste yours above.';
    } else if (a.status === 403) {
      err.textContent = 'This token may not list jobs (a data owner token?). Data owners open the invitation link they were sent instead.';
    } else err.textContent = errorText(a);
  };
  const hint = 'An analyst or admin token (npm run token). It is kept in this tab only (session storage) and never put in an address.';
  const form = h(
    'form',
    { onsubmit: signIn },
    h('div', { class: 'field' }, h('label', { for: id }, 'API token'), input, h('p', { class: 'hint', id: `${id}-hint` }, hint)),
    err,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Sign in')),
  );
  render('Sign in', form);
  input.focus();
}
