/**
 * For a screenshot only: a browser cannot resolve `cid:` image sources (a mail client takes them
 * from the message's parts), so each `cid:<id>` the HTML names is replaced by a `data:` URL of the
 * attachment with that cid. The email that is sent keeps its cid: references.
 */
import { EdumonError } from '../core/errors.ts';

/** `html` with every `src="cid:<id>"` replaced by the data: URL of the attachment whose cid is `<id>`; throws naming a cid without one. */
export function inlineCidImages(
  html: string,
  attachments: ReadonlyArray<{ cid?: string; contentType: string; content: string; encoding: 'base64' | 'utf8' }>,
): string {
  const byCid = new Map(attachments.filter((a) => a.cid).map((a) => [a.cid!, a]));
  return html.replace(/src="cid:([^"]+)"/g, (_, cid: string) => {
    const a = byCid.get(cid);
    if (!a) throw new EdumonError(`the HTML shows cid:${cid}, which no attachment has`);
    const base64 = a.encoding === 'base64' ? a.content : Buffer.from(a.content, 'utf8').toString('base64');
    return `src="data:${a.contentType};base64,${base64}"`;
  });
}
