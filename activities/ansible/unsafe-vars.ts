// The runner's extra variables as YAML whose every string is `!unsafe`: ansible-core 2.19 renders templates in
// extra vars read from a file, so a value read back from a cloud (a tag, a report) must never be a template.

/**
 * `value` as YAML in flow style (JSON with tags) where every string value is tagged `!unsafe`. Keys
 * stay plain (ansible does not render keys); what JSON.stringify would drop or turn into null is
 * dropped or null here too.
 */
export function toUnsafeYaml(value: unknown): string {
  const plain: unknown = JSON.parse(JSON.stringify(value) ?? 'null');
  const render = (v: unknown): string => {
    // ansible-core 2.19 reads `!unsafe ""` as None (a `| length` on it then fails); "" is no template
    if (typeof v === 'string') return v === '' ? '""' : `!unsafe ${yamlString(v)}`;
    if (Array.isArray(v)) return `[${v.map(render).join(', ')}]`;
    if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${yamlString(k)}: ${render(x)}`).join(', ')}}`;
    const json = JSON.stringify(v); // number, boolean, null
    // YAML 1.1 reads 1e+21 as a string: its floats need a dot
    return typeof v === 'number' && /^-?\d+e/.test(json) ? json.replace('e', '.0e') : json;
  };
  return `${render(plain)}\n`;
}

/** A YAML double-quoted scalar that is plain ASCII: anything else is escaped (YAML folds raw line
 *  breaks such as U+2028 and refuses raw control characters; a lone surrogate is no character at all,
 *  so it becomes U+FFFD). */
function yamlString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (cp >= 0x20 && cp <= 0x7e) out += ch;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (cp > 0xffff) out += `\\U${cp.toString(16).padStart(8, '0')}`;
    else out += `\\u${cp.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}
