/**
 * A browsable API reference rendered on the server from the OpenAPI document: plain HTML and
 * one inline style sheet, no scripts and no CDN, so it works offline and under the default
 * Content-Security-Policy.
 */

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function json(value: unknown): string {
  return escapeHtml(JSON.stringify(value, null, 2));
}

function schemaBlock(content: unknown): string {
  const media = asRecord(content);
  return Object.entries(media)
    .map(([type, spec]) => `<details><summary><code>${escapeHtml(type)}</code></summary><pre>${json(asRecord(spec).schema)}</pre></details>`)
    .join('');
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/**
 * Renders the reference page of an OpenAPI document.
 *
 * @param document - the generated OpenAPI 3.1 document (read defensively: any JSON object).
 */
export function renderReferencePage(document: unknown): string {
  const doc = asRecord(document);
  const info = asRecord(doc.info);
  const operations: string[] = [];
  const toc: string[] = [];
  for (const [path, item] of Object.entries(asRecord(doc.paths))) {
    for (const method of METHODS) {
      const op = asRecord(asRecord(item)[method]);
      if (Object.keys(op).length === 0) continue;
      const id = str(op.operationId) || `${method}-${path}`;
      const access = asRecord(op['x-access']);
      const who = access.public === true ? 'public' : `roles: ${(Array.isArray(access.roles) ? access.roles : []).map(String).join(', ')}`;
      toc.push(`<li><a href="#${escapeHtml(id)}"><span class="m ${method}">${method.toUpperCase()}</span> ${escapeHtml(path)}</a></li>`);
      const params = (Array.isArray(op.parameters) ? op.parameters : []).map((p) => {
        const param = asRecord(p);
        return `<tr><td><code>${escapeHtml(str(param.name))}</code></td><td>${escapeHtml(str(param.in))}</td><td>${param.required === true ? 'yes' : 'no'}</td><td><code>${json(param.schema)}</code></td></tr>`;
      });
      const body = asRecord(op.requestBody);
      const responses = Object.entries(asRecord(op.responses)).map(
        ([status, r]) => `<li><strong>${escapeHtml(status)}</strong> ${escapeHtml(str(asRecord(r).description))}${schemaBlock(asRecord(r).content)}</li>`,
      );
      operations.push(`<section id="${escapeHtml(id)}">
<h2><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h2>
<p>${escapeHtml(str(op.summary))}</p>${str(op.description) === '' ? '' : `<p>${escapeHtml(str(op.description))}</p>`}
<p class="who">Access: ${escapeHtml(who)}${op['x-idempotent'] === true ? ' · idempotent: send an <code>Idempotency-Key</code>' : ''} · operationId <code>${escapeHtml(id)}</code></p>
${params.length === 0 ? '' : `<table><thead><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr></thead><tbody>${params.join('')}</tbody></table>`}
${Object.keys(body).length === 0 ? '' : `<h3>Request body</h3>${schemaBlock(body.content)}`}
<h3>Responses</h3><ul>${responses.join('')}</ul>
</section>`);
    }
  }
  const schemas = Object.entries(asRecord(asRecord(doc.components).schemas)).map(
    ([name, schema]) => `<section id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3><pre>${json(schema)}</pre></section>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(str(info.title))} — API reference</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff}
header{padding:1rem 2rem;background:#0b3d5c;color:#fff}main{display:grid;grid-template-columns:minmax(14rem,22rem) 1fr;gap:2rem;padding:1rem 2rem}
nav ul{list-style:none;padding:0}nav a{color:#0b3d5c;text-decoration:none}section{border-bottom:1px solid #ddd;padding-bottom:1rem}
pre{background:#f4f6f8;padding:.75rem;overflow:auto;font-size:.85rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
.m{display:inline-block;min-width:4rem;font-weight:700}.get{color:#0a6e31}.post{color:#8a4b00}.put,.patch{color:#5a2d82}.delete{color:#a40000}.who{color:#444}
@media (max-width:50rem){main{grid-template-columns:1fr}}
</style></head>
<body><header><h1>${escapeHtml(str(info.title))} <small>${escapeHtml(str(info.version))}</small></h1><p>${escapeHtml(str(info.description))}</p>
<p>Machine-readable: <a style="color:#fff" href="/api/openapi.json">/api/openapi.json</a>. Errors are RFC 9457 <code>application/problem+json</code> with a stable <code>code</code>.</p></header>
<main><nav aria-label="Operations"><ul>${toc.join('')}</ul></nav><div>${operations.join('\n')}<h2>Schemas</h2>${schemas.join('\n')}</div></main></body></html>`;
}
