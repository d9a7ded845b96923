// What the broadcast pages put on air (the overlay and the presenter view):
// the text read out and shown, and the dialogue's phase as a word key.
//
// Pure: no DOM, no state. A link is never shown raw on air: it becomes its
// host ("dichvucong.gov.vn"), which a viewer can still read and type.

// A link: with a scheme, from "www.", or a bare host followed by a path.
const LINK = /\b(?:[a-z][a-z0-9+.-]*:\/\/|www\.)[^\s<>"]+|\b(?:[a-z0-9-]+\.)+[a-z]{2,}\/[^\s<>"]*/giu;
// Punctuation that ends a sentence after a link rather than belonging to it.
const TRAILING = /[.,;:!?)\]}»"'’”]+$/u;

/** The host a link names ("www." dropped), or "" if it names none. */
function hostOf(link) {
  const rest = link.replace(/^[a-z][a-z0-9+.-]*:\/\//iu, "");
  const authority = rest.split(/[/?#]/u)[0];
  const host = authority.slice(authority.lastIndexOf("@") + 1).replace(/:\d*$/u, "");
  return host.replace(/^www\./iu, "");
}

/** `text` with every link replaced by its host (or by nothing, if it has none). */
export function withoutLinks(text) {
  return String(text || "")
    .replace(LINK, (match) => {
      const trail = (match.match(TRAILING) || [""])[0];
      return hostOf(match.slice(0, match.length - trail.length)) + trail;
    })
    .replace(/[ \t]{2,}/gu, " ")
    .trim();
}

/** What goes on air for question `q`: its on-air text if staff set one, else its text; links shortened. */
export function airText(q) {
  return withoutLinks((q && (q.air_text || q.text)) || "");
}

/** The key of a dialogue's phase in words: before, live, ended or archived. */
export function phaseKey(dialogue) {
  const status = dialogue && dialogue.status;
  if (status === "live") return "phase_live";
  if (status === "closed") return "phase_closed";
  if (status === "archived") return "phase_archived";
  return "phase_before";
}

/** mm:ss (or h:mm:ss) since `iso`, at `now` (ms); "00:00" without a time. */
export function clock(iso, now) {
  const start = Date.parse(iso || "");
  if (Number.isNaN(start)) return "00:00";
  const seconds = Math.max(0, Math.floor((now - start) / 1000));
  const hours = Math.floor(seconds / 3600);
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
  const ss = String(seconds % 60).padStart(2, "0");
  return hours ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

const COLOUR = /^#[0-9a-f]{6}$/iu;
const LOGO = /^data:image\/(png|jpeg|webp|svg\+xml);base64,[A-Za-z0-9+/]+=*$/u;

/** The dialogue's look, checked again here: {name, color, accent, logo}, each null when unset or not valid. */
export function brandOf(dialogue) {
  const brand = (dialogue && dialogue.brand) || {};
  const colour = (value) => (typeof value === "string" && COLOUR.test(value) ? value : null);
  return {
    name: (typeof brand.name === "string" && brand.name.trim()) || (dialogue && dialogue.title) || "",
    color: colour(brand.color),
    accent: colour(brand.accent),
    logo: typeof brand.logo === "string" && LOGO.test(brand.logo) ? brand.logo : null,
  };
}
