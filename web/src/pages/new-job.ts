// Create a job: name, SQL, level, clouds and a schema editor (columns in share-file order, each with a
// unit). The API's 400 is shown next to the field it names, which is marked invalid and focused.
import { api, errorText, needsSignIn, type ApiAnswer } from '../api.js';
import { h, nextId } from '../dom.js';
import { render } from '../layout.js';

const CLOUDS = [['aws', 'AWS'], ['gcp', 'Google Cloud'], ['azure', 'Azure']] as const;

/** The error line of each field the API may name, by the API's field name. */
type FieldErrors = Record<string, HTMLElement>;
const fieldErr = (errs: FieldErrors, name: string) => (errs[name] = h('p', { class: 'error', id: `err-${name}`, 'aria-live': 'polite' }));

function levelsFieldset(errs: FieldErrors): HTMLElement {
  return h(
    'fieldset',
    { 'aria-describedby': 'err-security_level' },
    h('legend', {}, 'Security level'),
    h('label', {}, h('input', { type: 'radio', name: 'level', value: 'semi', checked: true }), 'Semi-honest (3 parties)'),
    h('label', {}, h('input', { type: 'radio', name: 'level', value: 'mal' }), 'Malicious (4 parties)'),
    fieldErr(errs, 'security_level'),
  );
}

function cloudsFieldset(errs: FieldErrors): HTMLElement {
  return h(
    'fieldset',
    { 'aria-describedby': 'hint-clouds err-cloud_providers' },
    h('legend', {}, 'Clouds'),
    ...CLOUDS.map(([v, t]) => h('label', {}, h('input', { type: 'checkbox', name: 'cloud', value: v, checked: true }), t)),
    h('p', { class: 'hint', id: 'hint-clouds' }, 'Party i runs on the i-th cloud, round robin.'),
    fieldErr(errs, 'cloud_providers'),
  );
}

/** The schema editor: one row per column (name, unit), numbered, each removable. */
function schemaEditor(errs: FieldErrors): { fieldset: HTMLElement; schema: () => Record<string, string> } {
  const rows = h('div', { id: 'schema-rows' });
  const renumber = () => {
    [...rows.children].forEach((row, i) => {
      const labels = row.querySelectorAll('label');
      labels[0].textContent = `Column ${i + 1} name`;
      labels[1].textContent = `Column ${i + 1} unit`;
      row.querySelector('button')!.setAttribute('aria-label', `Remove column ${i + 1}`);
    });
  };
  const addRow = () => {
    const n = rows.children.length + 1;
    const cid = nextId('col');
    const uid = nextId('unit');
    const row = h(
      'div',
      { class: 'schema-row' },
      h('div', { class: 'field' }, h('label', { for: cid }, `Column ${n} name`), h('input', { id: cid, class: 'col-name', autocomplete: 'off', spellcheck: 'false' })),
      h('div', { class: 'field' }, h('label', { for: uid }, `Column ${n} unit`), h('input', { id: uid, class: 'col-unit', autocomplete: 'off' })),
    );
    row.append(h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove column ${n}`, onclick: () => { row.remove(); renumber(); } }, 'Remove'));
    rows.append(row);
    return row;
  };
  addRow();
  const fieldset = h(
    'fieldset',
    { 'aria-describedby': 'hint-schema err-schema' },
    h('legend', {}, 'Schema'),
    h('p', { class: 'hint', id: 'hint-schema' }, 'The table’s columns, in the order of the data owners’ CSV files; every value is a 32-bit integer. Names: letters, digits and _.'),
    rows,
    h('button', { type: 'button', class: 'secondary', onclick: () => (addRow().querySelector('input') as HTMLInputElement).focus() }, 'Add column'),
    fieldErr(errs, 'schema'),
  );
  const schema = () => {
    const out: Record<string, string> = {};
    for (const row of rows.children) {
      const name = (row.querySelector('.col-name') as HTMLInputElement).value.trim();
      const unit = (row.querySelector('.col-unit') as HTMLInputElement).value.trim();
      if (name) out[name] = unit || 'value';
    }
    return out;
  };
  return { fieldset, schema };
}

/** The API names the field first ("query_sql: JOIN is not supported (at 1:24)"): show it next to it,
 *  mark the field invalid and focus it; anything else goes above the button. */
function showError(form: HTMLFormElement, errs: FieldErrors, general: HTMLElement, a: ApiAnswer): void {
  const msg = errorText(a);
  const named = Object.keys(errs).find((f) => msg.startsWith(f) || (a.body?.missing_fields ?? []).includes(f));
  const field = named ?? (a.body?.code === 'QS_INVALID_QUERY' ? 'query_sql' : undefined);
  const target = field ? errs[field] : undefined;
  if (!target) {
    general.replaceChildren(h('p', { class: 'notice err' }, h('strong', {}, 'Not created: '), msg));
    return;
  }
  target.textContent = msg;
  const input = field === 'analysis_name' || field === 'query_sql' ? form.querySelector<HTMLElement>(`[name=${field}]`) : null;
  input?.setAttribute('aria-invalid', 'true');
  (input ?? target.closest('fieldset')?.querySelector('input'))?.focus();
}

export function newJobPage(): void {
  const errs: FieldErrors = {};
  const nameIn = h('input', { id: 'f-name', name: 'analysis_name', required: true, maxlength: 200, 'aria-describedby': 'err-analysis_name' });
  const sqlIn = h('textarea', { id: 'f-sql', name: 'query_sql', required: true, rows: 4, spellcheck: 'false', 'aria-describedby': 'hint-sql err-query_sql' });
  const editor = schemaEditor(errs);
  const general = h('div', { role: 'alert' });
  const submit = h('button', { type: 'submit' }, 'Create job');
  const create = async (e: Event) => {
    e.preventDefault();
    for (const el of Object.values(errs)) el.textContent = '';
    general.replaceChildren();
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    const body = {
      analysis_name: nameIn.value.trim(),
      query_sql: sqlIn.value.trim(),
      security_level: form.querySelector<HTMLInputElement>('input[name=level]:checked')?.value ?? 'semi',
      cloud_providers: [...form.querySelectorAll<HTMLInputElement>('input[name=cloud]:checked')].map((c) => c.value),
      schema: editor.schema(),
    };
    submit.disabled = true;
    submit.textContent = 'Creating… (the buckets are made on every cloud)';
    const a = await api<{ job_id: string }>('POST', '/create_job', body);
    submit.disabled = false;
    submit.textContent = 'Create job';
    if (needsSignIn(a)) return;
    if (a.status === 200) location.hash = `#/job/${encodeURIComponent(a.body.job_id)}`;
    else showError(form, errs, general, a);
  };
  const sqlHint = 'One SELECT over one table whose columns are the schema below (aggregates, WHERE, GROUP BY, ORDER BY, LIMIT; no joins).';
  const form = h(
    'form',
    { novalidate: true, onsubmit: create },
    h('div', { class: 'field' }, h('label', { for: 'f-name' }, 'Analysis name'), nameIn, fieldErr(errs, 'analysis_name')),
    h('div', { class: 'field' }, h('label', { for: 'f-sql' }, 'SQL query'), sqlIn, h('p', { class: 'hint', id: 'hint-sql' }, sqlHint), fieldErr(errs, 'query_sql')),
    levelsFieldset(errs),
    cloudsFieldset(errs),
    editor.fieldset,
    general,
    h('div', { class: 'actions' }, submit),
  );
  render('New job', form);
  nameIn.focus();
}
