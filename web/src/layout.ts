// The page frame: the main region's title and content, and the navigation (which depends on the route
// and on whether this tab holds a token).
import { getToken, setToken } from './api.js';
import { append, h, type Child } from './dom.js';

/** A page: a title (document title and h1), content; focus moves to the main region for screen readers. */
export function render(title: string, ...children: Child[]): void {
  document.title = `${title} · QueryShield`;
  const m = document.getElementById('main') as HTMLElement;
  m.replaceChildren(h('h1', {}, title));
  append(m, ...children);
  renderNav();
  m.focus({ preventScroll: true });
}

function renderNav(): void {
  const nav = document.getElementById('nav')!;
  const route = location.hash.split('?')[0];
  if (route.startsWith('#/owner/')) {
    nav.replaceChildren(h('ul', {}, h('li', {}, 'Data owner upload')));
    return;
  }
  const link = (href: string, text: string) => h('li', {}, h('a', { href, 'aria-current': route === href || (href === '#/' && route === '') ? 'page' : undefined }, text));
  const items = [link('#/', 'Jobs'), link('#/new', 'New job')];
  const signOut = () => {
    setToken('');
    location.hash = '#/signin';
  };
  items.push(getToken() ? h('li', {}, h('button', { type: 'button', class: 'secondary', onclick: signOut }, 'Sign out')) : link('#/signin', 'Sign in'));
  nav.replaceChildren(h('ul', {}, ...items));
}
