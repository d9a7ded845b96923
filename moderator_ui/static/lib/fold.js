// Vietnamese text keys in the browser: server/domain/folding.py's `fold`,
// line for line, so that what a page matches is what the server matches.
// "Chữ ký số", "chu ky so", "chuwx kys soos" (Telex typed with the input
// method off) and "chu74 ky1 so61" (VNI) all fold to "chu ky so".
//
// 1. NFKC, lower case; "đ" becomes "d"; every combining mark goes.
// 2. Anything that is not a letter or a digit becomes a space.
// 3. Each token that is not a Vietnamese syllable but becomes one once a
//    Telex or VNI leftover is undone is replaced by that syllable.
//
// tests/browser/test_fold.py runs both on one corpus and wants the same keys.
// Pure: no DOM, no I/O; it never changes what is shown, keys are for matching.

// Initial consonants and rhymes without their marks (folding.py's _ONSETS, _RHYMES).
const FOLD_ONSETS = "ngh ng gh gi kh ch nh ph th tr qu b c d g h k l m n p r s t v x".split(" ");
const FOLD_RHYMES = (
  "a ac ach ai am an ang anh ao ap at au ay e ec ech em en eng enh eo ep et eu " +
  "i ia ich iec iem ien ieng iep iet ieu im in inh ip it iu " +
  "o oa oac oach oai oam oan oang oanh oao oap oat oay oc oe oen oeo oet oi om on ong op ot " +
  "u ua uan uang uanh uat uay uc ue uech uen uenh ui um un ung uo uoc uoi uom uon uong uop uot uou " +
  "up ut uu uy uya uych uyen uyet uynh uyt uyu y yem yen yet yeu"
).split(" ");

const longestFirst = (words) => [...words].sort((a, b) => b.length - a.length).join("|");
const FOLD_SYLLABLE = new RegExp(`^(?:${longestFirst(FOLD_ONSETS)})?(?:${longestFirst(FOLD_RHYMES)})$`);
// Telex tone keys (no syllable ends in one), the vowels, VNI's 1-9 keys.
const FOLD_TONE_KEYS = new Set("sfrxj");
const FOLD_VOWELS = new Set("aeiouy");
const FOLD_VNI_TOKEN = /^[a-z][a-z1-9]*[1-9][a-z1-9]*$/;
const FOLD_KEEP = new Set(["bus"]);
const FOLD_ASCII = /^[\x00-\x7f]*$/;
// Python's [\W_]+: a run of anything but letters and digits.
const FOLD_NOT_WORD = /[^\p{L}\p{N}]+/gu;
const FOLD_MARKS = /\p{M}/gu;
// The same on the text most questions are (Vietnamese in NFD: Latin letters
// and the combining diacritics U+0300-U+036F, the only marks below U+0370;
// then ASCII once they are gone), without the Unicode property classes.
// With each token's fold kept (foldTokenKept) it saves about a third of the
// time: 63-70 ms of CPU in Node for 10,000 questions, 90-98 ms before.
const FOLD_LATIN = /^[\x00-\u036f]*$/;
const FOLD_LATIN_MARKS = /[\u0300-\u036f]/g;
const FOLD_ASCII_NOT_WORD = /[^a-z0-9]+/g;

/** Whether `token` (lower case, no marks) is a possible Vietnamese syllable. */
function isSyllable(token) {
  return FOLD_SYLLABLE.test(token);
}

function undoTelexMarks(token) {
  let out = token.replace(/^d{2,}/, "d");
  if (out.includes("w")) {
    const vowel = out.search(/[aou]/);
    out = vowel !== -1 && vowel < out.indexOf("w") ? out.replaceAll("w", "") : out.replace("w", "u").replaceAll("w", "");
  }
  for (const double of ["aa", "ee", "oo"]) out = out.replaceAll(double, double[0]);
  return out;
}

function withoutToneKey(token) {
  if (token.length > 1 && FOLD_TONE_KEYS.has(token.at(-1)) && isSyllable(token.slice(0, -1))) return token.slice(0, -1);
  for (let i = token.length - 1; i > 0; i--) {
    if (FOLD_TONE_KEYS.has(token[i]) && FOLD_VOWELS.has(token[i - 1])) {
      const candidate = token.slice(0, i) + token.slice(i + 1);
      if (isSyllable(candidate)) return candidate;
    }
  }
  return null;
}

/** One lower-case, mark-free token with its Telex or VNI leftovers undone (folding.py's fold_token). */
function foldToken(token) {
  if (isSyllable(token) || FOLD_KEEP.has(token) || !FOLD_ASCII.test(token)) return token;
  if (/^[0-9]/.test(token)) return token;
  if (/[0-9]/.test(token)) {
    if (FOLD_VNI_TOKEN.test(token)) {
      const plain = token.replace(/[1-9]/g, "");
      if (isSyllable(plain)) return plain;
    }
    return token;
  }
  const plain = undoTelexMarks(token);
  if (isSyllable(plain)) return plain;
  const toneless = withoutToneKey(plain);
  if (toneless !== null) return toneless;
  return token.replace(/^d{2,}/, "d");
}

/** `compute` (of one string) with its answers kept by argument, `most` of
 * them (then all forgotten at once). */
export function kept(compute, most) {
  const answers = new Map();
  return (value) => {
    let answer = answers.get(value);
    if (answer === undefined) {
      if (answers.size >= most) answers.clear();
      answer = compute(value);
      answers.set(value, answer);
    }
    return answer;
  };
}

// Each token's fold, kept: the same syllables come back in every question.
const foldTokenKept = kept(foldToken, 50000);

/** `text` in NFKC, lower case, without tone and vowel marks, đ → d. */
function stripMarks(text) {
  const split = text.normalize("NFKC").toLowerCase().replaceAll("đ", "d").normalize("NFD");
  return FOLD_LATIN.test(split) ? split.replace(FOLD_LATIN_MARKS, "") : split.replace(FOLD_MARKS, "");
}

/** The matching key of `text`: lower case, no marks, đ → d, Telex and VNI
 * leftovers undone, punctuation and symbols as spaces, single spaces. */
export function fold(text) {
  const plain = stripMarks(String(text || ""));
  // Lower case: an ASCII letter is a-z.
  return (FOLD_ASCII.test(plain) ? plain.replace(FOLD_ASCII_NOT_WORD, " ") : plain.replace(FOLD_NOT_WORD, " "))
    .split(" ")
    .filter(Boolean)
    .map(foldTokenKept)
    .join(" ");
}
