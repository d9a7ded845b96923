"""Duplicate suggestions: which questions of a dialogue ask the same thing.

A ``DuplicateIndex`` holds one dialogue's questions in memory (any state but
rejected; the store refills it with ``rebuild`` when a node starts). Intake asks
it ``similar(text)`` for a new question, then ``add``s the question; the
console shows the suggestions beside the question so a moderator can merge.

How two questions are compared:

1. Each text is cut into clauses at punctuation; a clause that only addresses
   someone ("Kính gửi lãnh đạo thành phố,", "Thưa ông,") is left out. Each
   clause is folded (``folding.fold``: no marks, Telex/VNI undone) and cut into
   syllables; a phrase table (``PHRASES``) maps chat abbreviations and acronyms
   ("ko", "dc", "bhyt", "cmnd", "dvc") and frequent variants of one notion
   ("online"/"qua mạng" → "trực tuyến", "mất tiền"/"tốn phí" → "phí", "bao
   giờ"/"chừng nào" → "khi nào") to one form, undoes the usual spellings of
   chat ("bh", "mk", "r", "z"), and drops the frame of a call-taker's note
   ("gọi đường dây nóng", "qua tổng đài").
2. Question words become class terms ("khi nào" → ``?when``, "bao nhiêu" →
   ``?qty``, "ở đâu"/"cơ quan nào" → ``?where``, "gì"/"nào"/"thế nào" →
   ``?what``...): two questions about the
   same thing that ask when vs how much are different questions.
3. A question's terms are its syllables minus ``folding.STOP_SYLLABLES`` (and
   the pronouns of chat, "em", "mình"), plus
   its class terms. Each syllable weighs ``1 + ln((N+1)/(df+1))``, df being the
   number of indexed questions that contain it, so the words every question of
   the dialogue shares ("Huế", "thành phố") count little and the words that
   tell questions apart count much; class terms weigh ``question_word_weight``.
4. The **focus** of a question, the ``FOCUS_WINDOW`` syllables right before
   each of its question words or its final "không"/"chưa" ("ký túc xá có
   *miễn phí* không", "học phí *mầm non* là bao nhiêu"), weighs
   ``1 + focus_weight`` times as much in that text: two questions on the same
   subject that ask about another thing differ where it counts most.
5. Four signals are combined by a logistic regression whose coefficients
   (``COEFFICIENTS``) ``bench/fit_duplicates.py`` fits on the tuning half of
   tests/data/duplicates.tsv only: the weighted Jaccard of the two texts (the
   sum over terms of the smaller of the two weights, over the sum of the
   larger); the shared weight's share of the smaller text (one text inside
   the other: a shorter or a longer wording, a call-taker's note around the
   question); whether the two are **about different subjects**; and whether
   both ask something with no kind of question in common ("có ... không?" vs
   "bao nhiêu?"). The score is the regression's probability, in (0, 1).
6. Two questions are about different subjects when each names a place, a
   body or a number the other does not mention ("đường Lê Duẩn" vs "đường
   Nguyễn Hoàng", "thôn số 3" vs "thôn số 4"), or when they are one frame with
   another filler ("triển khai *phủ sóng 4G* ở phường Phú Xuân" vs "triển
   khai *hồ sơ sức khỏe điện tử* ở phường Phú Xuân"). Names are the runs of
   capitalised words that do not start a sentence, matched as whole phrases,
   syllable by syllable, with their marks unless the other text was typed
   without them: "Phú Hội" is in "phu hoi" but not in "phủ sóng", and never
   in "xin hỏi". Text typed without capitals has no names. Numbers count
   when they name a thing ("lớp 6", "QL49", "A Lưới 2"), not when they count
   one ("76 tuổi", "30 nghìn", "4G").

A pair whose weighted Jaccard is below ``JACCARD_FLOOR`` scores 0. Finding
candidates: a question can only reach the floor f against the query if their
shared weight is at least f times the query's weight, so it must share one of
the query's terms outside a set of its most frequent terms that weighs less
than f of the total (prefix filtering; exact). Only the posting lists of those
rarer terms are read; each is a bitset of the questions' slots, and how many
of them each question shares is counted on whole bitsets at once (a binary
counter of bitsets), so the search costs a few bitwise operations per term
however many questions share it. Of the questions found, the ``CANDIDATES``
that share the most of those terms are scored (ties by id: the first ids of a
long tie are found by walking the ids in order), and those whose Jaccard and
containment alone cannot reach the threshold are left before the other signals are
computed, as are those where each text names a number the other lacks
(different subjects, told by two set comparisons, with the score bounded
before the other's weight is summed). Each text is analysed once for a
``similar`` and the ``add`` that follows (a small cache of entries), its terms
interned, and each question's weight is kept until the index changes
(``bench/duplicates.py`` measures a query's CPU at 5,000 questions and how
often the cap changes an answer; ``bench/duplicates_speed.py`` compares with
an older version; tests/data/duplicates_golden.json holds the answers a
change made for speed must keep).
Scores change a little as the index grows, since the weights come from it; an
index refilled by ``rebuild`` answers exactly as the same ``add``s and
``remove``s make it answer.

This module is pure: standard library only, no I/O, no Redis, Starlette or
asyncio. It never stores anything and never decides: it suggests, moderators
merge. It knows no meaning beyond its phrase table.
"""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from heapq import heappop, heappush
from itertools import compress, islice

from .folding import STOP_SYLLABLES, fold

# --- phrases -----------------------------------------------------------------

#: Folded phrase → its canonical form: chat abbreviations people type on
#: phones, acronyms of public services, and variants of the same notion that
#: are frequent in questions to a province (docs/moderation.md lists them by
#: group). Longest match wins; a replacement is not replaced again. Words that
#: fold to the same key as another word ("sữa"/"sửa", "thuốc"/"thuộc") are left
#: alone.
PHRASES: dict[str, str] = {
    # chat abbreviations
    "ko": "khong",
    "k": "khong",
    "hok": "khong",
    "kg": "khong",
    "dc": "duoc",
    "j": "gi",
    "ntn": "the nao",
    "bn": "bao nhieu",
    "ng": "nguoi",
    "vs": "voi",
    "cx": "cung",
    "bit": "biet",
    "tk": "tai khoan",
    "ck": "chuyen khoan",
    "dk": "dang ky",
    # teencode: how chat on phones spells the everyday words of a question
    # (written from the usual lists of Vietnamese chat spellings, not from the
    # labelled set's errors)
    "bh": "bao gio",
    "bjo": "bao gio",
    "bgio": "bao gio",
    "mk": "minh",
    "mik": "minh",
    "mjk": "minh",
    "mn": "",
    "e": "em",
    "r": "roi",
    "trc": "truoc",
    "trg": "truong",
    "ns": "noi",
    "nhiu": "nhieu",
    "lm": "lam",
    "bik": "biet",
    "bjk": "biet",
    "dag": "dang",
    "ad": "",
    "admin": "",
    "z": "vay",
    "v": "vay",
    "zay": "vay",
    "dzay": "vay",
    "ua": "qua",  # "wá" once Telex is undone
    "ql": "quoc lo",
    # a call-taker's note of a question asked by phone: the frame is not the
    # question ("Người dân gọi đường dây nóng hỏi ...")
    "goi duong day nong": "",
    "qua duong day nong": "",
    "duong day nong": "",
    "qua tong dai": "",
    "goi tong dai": "",
    "goi len tong dai": "",
    "tong dai": "",
    "goi dien hoi": "",
    "qua dien thoai": "",
    "goi dien thoai": "",
    "goi len": "",
    # acronyms and their written-out forms
    "tp": "thanh pho",
    "hs": "hoc sinh",
    "sv": "sinh vien",
    "gv": "giao vien",
    "bs": "bac si",
    "bv": "benh vien",
    "dh": "dai hoc",
    "cd": "cao dang",
    "thcs": "trung hoc co so",
    "thpt": "trung hoc pho thong",
    "ktx": "ky tuc xa",
    "bhyt": "bao hiem y te",
    "bhxh": "bao hiem xa hoi",
    "bhtn": "bao hiem that nghiep",
    "cccd": "can cuoc",
    "can cuoc cong dan": "can cuoc",
    "the can cuoc": "can cuoc",
    "cmnd": "can cuoc",
    "chung minh nhan dan": "can cuoc",
    "chung minh thu": "can cuoc",
    "ubnd": "uy ban",
    "uy ban nhan dan": "uy ban",
    "hdnd": "hoi dong nhan dan",
    "ttyt": "trung tam y te",
    "tyt": "tram y te",
    "csgt": "canh sat giao thong",
    "pccc": "phong chay chua chay",
    "attp": "an toan thuc pham",
    "ve sinh an toan thuc pham": "an toan thuc pham",
    "kcn": "khu cong nghiep",
    "kdc": "khu dan cu",
    "xkld": "xuat khau lao dong",
    "sdt": "so dien thoai",
    "sgk": "sach giao khoa",
    "tngt": "tai nan giao thong",
    "kq": "ket qua",
    "mst": "ma so thue",
    "dvc": "dich vu cong",
    "cong dich vu cong": "dich vu cong truc tuyen",
    "cong dvc": "dich vu cong truc tuyen",
    "tthc": "thu tuc hanh chinh",
    "gpxd": "giay phep xay dung",
    "gpkd": "giay phep kinh doanh",
    "dkkd": "dang ky kinh doanh",
    "gplx": "bang lai",
    "giay phep lai xe": "bang lai",
    "bang lai xe": "bang lai",
    # online
    "online": "truc tuyen",
    "qua mang": "truc tuyen",
    "tren mang": "truc tuyen",
    # paying, cashless, what it costs, free of charge
    "thanh toan": "nop tien",
    "tra tien": "nop tien",
    "dong tien": "nop tien",
    "tra phi": "nop phi",
    "dong phi": "nop phi",
    "le phi": "phi",
    "chi phi": "phi",
    "thu phi": "phi",
    "tinh phi": "phi",
    "mat phi": "phi",
    "ton phi": "phi",
    "mat tien": "phi",
    "ton tien": "phi",
    "bao nhieu tien": "bao nhieu",
    "ma qr": "chuyen khoan",
    "qr": "chuyen khoan",
    "khong dung tien mat": "chuyen khoan",
    "the ngan hang": "chuyen khoan",
    "quet the": "chuyen khoan",
    "vi dien tu": "chuyen khoan",
    "free": "mien phi",
    "khong mat tien": "mien phi",
    "khong ton tien": "mien phi",
    "khong mat phi": "mien phi",
    "khong thu phi": "mien phi",
    "moi thang": "hang thang",
    "hoa don tien dien": "tien dien",
    "hoa don dien": "tien dien",
    "hoa don tien nuoc": "tien nuoc",
    "hoa don nuoc": "tien nuoc",
    # people
    "tre": "tre em",
    "thieu nhi": "tre em",
    "tre nho": "tre em",
    "con nho": "tre em",
    "em be": "tre em",
    "nguoi gia": "nguoi cao tuoi",
    "nguoi lon tuoi": "nguoi cao tuoi",
    "cu ong": "nguoi cao tuoi",
    "cu ba": "nguoi cao tuoi",
    "cac cu": "nguoi cao tuoi",
    "cha me hoc sinh": "phu huynh",
    "bo me": "cha me",
    "hoc tro": "hoc sinh",
    "thay co": "giao vien",
    "co giao": "giao vien",
    "thay giao": "giao vien",
    "nhan dan": "nguoi dan",
    "cu dan": "nguoi dan",
    "tan tat": "khuyet tat",
    "gia dinh ngheo": "ho ngheo",
    "nha ngheo": "ho ngheo",
    "ba con": "nguoi dan",
    "du khach": "khach du lich",
    "khach tham quan": "khach du lich",
    "diem tham quan": "diem du lich",
    "cong ty": "doanh nghiep",
    "nguoi buon ban": "tieu thuong",
    "buon ban": "kinh doanh",
    # apps, documents, land title, compensation, benefits, health care
    "app": "ung dung",
    "tra cuu": "xem",
    "giay to": "ho so",
    "giay chung nhan quyen su dung dat": "so do",
    "so hong": "so do",
    "bia do": "so do",
    "gcn": "so do",
    "boi thuong": "den bu",
    "duoc huong": "duoc nhan",
    "tro giup": "ho tro",
    "giup do": "ho tro",
    "nghi huu": "ve huu",
    "kham chua benh": "kham benh",
    "duoc cap": "duoc nhan",
    "gui ho so": "nop ho so",
    "lay ket qua": "nhan ket qua",
    "tien hoc": "hoc phi",
    "nha truong": "truong",
    "truong hoc": "truong",
    "cong viec": "viec lam",
    "mat viec lam": "that nghiep",
    "mat viec": "that nghiep",
    "di kham": "kham benh",
    "bo phan mot cua": "mot cua",
    "khai bao": "dang ky",
    "bat buoc": "phai",
    "buoc phai": "phai",
    "co can": "co phai",
    "uu dai": "giam gia",
    "re hon": "giam gia",
    "coi": "xem",
    # requests and reports
    "kien nghi": "de nghi",
    "de xuat": "de nghi",
    "yeu cau": "de nghi",
    "mong muon": "de nghi",
    "bao cao": "phan anh",
    "to giac": "phan anh",
    "bao cho": "phan anh",
    "giai quyet": "xu ly",
    "xu phat": "xu ly",
    # traffic, buses, repairs, works, floods, noise, outages, wifi
    "ket xe": "un tac",
    "ach tac": "un tac",
    "den xanh den do": "den tin hieu",
    "den giao thong": "den tin hieu",
    "xe bus": "xe buyt",
    "bus": "buyt",
    "xe gan may": "xe may",
    "xe mo to": "xe may",
    "xe hoi": "o to",
    "tuyen duong": "duong",
    "hem": "kiet",
    "le duong": "via he",
    "den chieu sang": "den duong",
    "bai do xe": "bai xe",
    "bai dau xe": "bai xe",
    "bai giu xe": "bai xe",
    "cho de xe": "bai xe",
    "cho do xe": "bai xe",
    "trong xe": "giu xe",
    "trai lon": "trai heo",
    "nuoi lon": "nuoi heo",
    "chuong lon": "chuong heo",
    "thit lon": "thit heo",
    "don rac": "gom rac",
    "cai tao": "sua chua",
    "nang cap": "sua chua",
    "khac phuc": "sua chua",
    "tu bo": "trung tu",
    "dien ra": "to chuc",
    "hoan thanh": "xong",
    "hoan tat": "xong",
    "ngap ung": "ngap",
    "ngap nuoc": "ngap",
    "ung ngap": "ngap",
    "lu lut": "lu",
    "lut": "lu",
    "xoi lo": "sat lo",
    "hoi thoi": "mui",
    "boc mui": "mui",
    "mui hoi": "mui",
    "mui hoi thoi": "mui",
    "mua to": "mua lon",
    "he thong thoat nuoc": "thoat nuoc",
    "cong thoat nuoc": "thoat nuoc",
    "muong thoat nuoc": "thoat nuoc",
    "rac thai": "rac",
    "on ao": "on",
    "gay on": "on",
    "gay on ao": "on",
    "tieng on": "on",
    "cup nuoc": "mat nuoc",
    "ngung cap nuoc": "mat nuoc",
    "nuoc may": "nuoc sach",
    "cup dien": "mat dien",
    "cat dien": "mat dien",
    "ngat dien": "mat dien",
    "ngung cap dien": "mat dien",
    "dong ho dien": "cong to dien",
    "dong ho nuoc": "cong to nuoc",
    "wi fi": "wifi",
    "internet khong day": "wifi",
    "mang khong day": "wifi",
    # question words with the same meaning
    "bao gio": "khi nao",
    "luc nao": "khi nao",
    "chung nao": "khi nao",
    "hom nao": "khi nao",
    "ngay nao": "khi nao",
    "thang may": "khi nao",
    "may gio": "khi nao",
    "thoi gian nao": "khi nao",
    "thoi diem nao": "khi nao",
    "den bao gio": "khi nao",
    "may ngay": "bao lau",
    "may thang": "bao lau",
    "bao nhieu ngay": "bao lau",
    "bao nhieu thang": "bao lau",
    "mat bao lau": "bao lau",
    "trong bao lau": "bao lau",
    "nhu the nao": "the nao",
    "ra sao": "the nao",
    "lam sao": "the nao",
    "kieu gi": "the nao",
    "cach nao": "the nao",
    "bang cach nao": "the nao",
    "huong dan cach": "the nao",
    "huong dan": "the nao",
    "huong dan vien": "huong dan vien",
    "phai lam gi": "the nao",
    "lam gi": "the nao",
    "tai sao": "vi sao",
    "ly do": "vi sao",
    "vi ly do gi": "vi sao",
    "sao lai": "vi sao",
    "vi sao": "vi sao",
    "sao khong": "vi sao khong",
    "sao chua": "vi sao chua",
    # not questions: "chưa ai sửa" (nobody has), "mấy tháng nay" (for months)
    "chua ai": "chua",
    "khong ai": "khong",
    "may thang nay": "nhieu thang",
    "may ngay nay": "nhieu ngay",
    "may nam nay": "nhieu nam",
    "cho nao": "o dau",
    "noi nao": "o dau",
    "tai dau": "o dau",
    "dia diem nao": "o dau",
    "di dau": "di o dau",
    "nop dau": "nop o dau",
    "don vi nao": "co quan nao",
    "ben nao": "co quan nao",
    "phong nao": "co quan nao",
}

#: Question words (after ``PHRASES``) → the class term that stands for them.
#: The "?" keeps class terms apart from syllables. "Ở đâu", "cơ quan nào" and
#: "ai" are one class: to a citizen, where to go, which office and whom to ask
#: are the same question ("phản ánh ở đâu" = "báo cơ quan nào"). So are
#: "gì", "nào" and "thế nào" (``?what``): what, which and how are one request
#: to be told the content ("hỗ trợ những gì" = "có chính sách hỗ trợ nào
#: không" = "hỗ trợ như thế nào"; found on the development set,
#: tests/data/duplicates_dev.tsv).
QUESTION_WORDS: dict[str, str] = {
    "khi nao": "?when",
    "bao nhieu": "?qty",
    "bao lau": "?duration",
    "o dau": "?where",
    "den dau": "?where",
    "co quan nao": "?where",
    "ai": "?where",
    "vi sao": "?why",
    "the nao": "?what",
    "gi": "?what",
    # "nào" after a noun: which one ("những khoản nào", "ngày nào"); the
    # phrases above that contain it are replaced first.
    "nao": "?what",
}

#: Class term of a yes/no question: a clause that ends in "không"/"chưa"
#: ("có được miễn phí không?", "đã có kết quả chưa?"), but not in "sửa chữa",
#: "khám chữa", "cứu chữa" (chữa folds to chua too).
YES_NO = "?yesno"
_YES_NO_ENDINGS = frozenset({"khong", "chua"})
_NOT_YES_NO = frozenset({("sua", "chua"), ("kham", "chua"), ("cuu", "chua")})
#: Particles that may follow the question's last word: "... không ạ", "... chưa vậy".
_FINAL_PARTICLES = frozenset({"a", "ah", "ak", "ha", "nhe", "nha", "vay", "the", "day"})


_Table = dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]]


def _phrase_table(table: dict[str, str]) -> _Table:
    """Phrases by their first syllable, longest first, for ``_replace``."""
    out: _Table = {}
    for phrase, replacement in table.items():
        key = tuple(phrase.split())
        out.setdefault(key[0], []).append((key, tuple(replacement.split())))
    for options in out.values():
        options.sort(key=lambda option: -len(option[0]))
    return out


_PHRASES = _phrase_table(PHRASES)
_QUESTION_WORDS = _phrase_table(QUESTION_WORDS)


def _replace(tokens: list[str], table: _Table) -> list[str]:
    """``tokens`` with every phrase of ``table`` replaced, longest match first."""
    get = table.get
    if not any(map(get, tokens)):  # most clauses hold no phrase at all
        return tokens[:]
    out: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        for phrase, replacement in get(tokens[i], ()):
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                out.extend(replacement)
                i += len(phrase)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


_CLAUSE_END = re.compile(r"[,.;:!?\n]")
_CLAUSE_AND_END = re.compile(r"([,.;:!?\n])")
#: The words that join the two alternatives of a question ("A hay B?").
_OR = frozenset({"hay", "hoac"})


def _choice(asked: list[str]) -> int:
    """Where "hay"/"hoặc" joins two alternatives in a clause that asks, with
    words on both sides ("đóng học phí không *hay* được miễn"), or 0."""
    for i in range(len(asked) - 2, 0, -1):
        if asked[i] in _OR:
            return i
    return 0


#: A clause that starts so addresses someone and asks nothing ("Kính gửi lãnh
#: đạo thành phố,", "Thưa ông chủ tịch,"): its words would only make a long
#: question look less like its short duplicates.
_SALUTATIONS = frozenset({("kinh", "gui"), ("kinh", "thua"), ("thua",), ("chao",)})

#: How many content syllables right before a question word, or before the
#: "không"/"chưa" that ends a yes/no question, make its focus: the thing asked
#: about ("ở ký túc xá có *miễn phí* không", "học phí *mầm non* là bao nhiêu").
#: Two: most Vietnamese words are one or two syllables.
FOCUS_WINDOW = 2


#: Syllables left out besides ``folding.STOP_SYLLABLES``: the pronouns of chat
#: ("cho e hỏi", "nhà mk"), which say who asks, not what, and "sẽ" (will).
_STOP = STOP_SYLLABLES | {"em", "minh", "se"}


#: Units after a number that make it a quantity ("76 tuổi", "30 nghìn", "2
#: tuần"), not the number of a thing ("thôn số 3", "quốc lộ 49", "lớp 6").
_UNITS = frozenset(
    {
        "tuoi",
        "nam",
        "thang",
        "tuan",
        "ngay",
        "gio",
        "phut",
        "nghin",
        "ngan",
        "trieu",
        "ty",
        "dong",
        "k",
        "lan",
        "nguoi",
        "ca",
        "km",
        "m",
        "kg",
        "tan",
        "phan",
    }
)


#: Words before a number that make it the number of a thing, whatever follows
#: ("tháng 10 năm 2026", "lớp 6", "quốc lộ 49", "thôn số 3").
_LABELS = frozenset(
    {
        "so",
        "thon",
        "to",
        "khu",
        "lop",
        "lo",
        "ql",
        "tuyen",
        "duong",
        "kiet",
        "hem",
        "phuong",
        "xa",
        "thang",
        "nam",
        "ngay",
        "khoi",
        "doi",
        "ap",
        "ban",
    }
)
_LABELLED = re.compile(r"[a-z]+(\d+)")
_THOUSANDS = re.compile(r"(?<=\d)[.,](?=\d{3})")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class _Analysis:
    terms: frozenset[str]  # syllables and class terms
    focus: frozenset[str]  # the syllables among terms that are the focus
    numbers: frozenset[str]  # the numbers that tell what it is about
    sequence: tuple[str, ...]  # its terms in order, for ``_one_substitution``
    syllables: tuple[tuple[str, str], ...]  # every syllable as written and folded


def _analyse(text: str) -> _Analysis:
    found: set[str] = set()
    focus: set[str] = set()
    numbers: set[str] = set()
    sequence: list[str] = []
    syllables: list[_Syllable] = []
    parts = _CLAUSE_AND_END.split(_THOUSANDS.sub("", text))
    for clause, mark in zip(parts[::2], [*parts[1::2], ""], strict=True):
        if not clause or clause.isspace():
            continue  # between two marks ("?!", "...", the end): no syllable
        folded = fold(clause).split()
        written = _TOKEN.findall(unicodedata.normalize("NFKC", clause).lower())
        if len(written) == len(folded):
            syllables.extend(zip(written, folded, strict=True))
        else:  # a token folds in two: one at a time
            syllables.extend((t, fold(t)) for t in written)
        if _DIGIT.search(clause):
            _numbers(folded, numbers)
        if tuple(folded[:2]) in _SALUTATIONS or tuple(folded[:1]) in _SALUTATIONS:
            continue
        tokens = _replace(folded, _PHRASES)
        end = len(tokens)
        while end > 1 and tokens[end - 1] in _FINAL_PARTICLES:
            end -= 1
        asked = _replace(tokens[:end], _QUESTION_WORDS)
        anchors = [i for i, t in enumerate(asked) if t[0] == "?"]
        choice = 0
        # "không"/"chưa" is in no question word, so it stays the last of ``asked``.
        if (
            end
            and tokens[end - 1] in _YES_NO_ENDINGS
            and tuple(tokens[end - 2 : end]) not in _NOT_YES_NO
        ):
            found.add(YES_NO)
            anchors.append(len(asked) - 1)
        elif mark == "?" and not anchors and (choice := _choice(asked)):
            # "A hay B?": which of two, a yes/no question about each; both
            # alternatives are its focus.
            found.add(YES_NO)
            anchors.extend((choice, len(asked)))
        content = [i for i, t in enumerate(asked) if t[0] != "?" and t not in _STOP]
        if choice:
            content = [i for i in content if asked[i] not in _OR]
        for anchor in anchors:
            before = [asked[i] for i in content if i < anchor]
            focus.update(before[-FOCUS_WINDOW:])
        sequence.extend(t for t in asked if t not in _STOP)
        found.update(asked)
        found.update(tokens[end:])
    return _Analysis(
        frozenset(found - _STOP),
        frozenset(focus),
        frozenset(numbers),
        tuple(sequence),
        tuple(syllables),
    )


def terms(text: str) -> frozenset[str]:
    """The terms a question is compared by: its folded syllables after the
    phrase table, without stop syllables, with question words as class terms."""
    return _analyse(text).terms


def focus(text: str) -> frozenset[str]:
    """The syllables that weigh more: those right before a question word or
    the final "không"/"chưa" of a clause."""
    return _analyse(text).focus


# --- names and numbers: what a question is about ------------------------------

_WORD = re.compile(r"[^\W\d_]+")
_TOKEN = re.compile(r"[^\W_]+")
_SENTENCE_END = re.compile(r"[.!?:;\n]")
#: Capitalised words that address someone rather than name a place or body.
_TITLES = _STOP | {"ong", "ba", "anh", "chi", "co", "chu", "bac"}

#: A syllable as written (lower case, marks kept) and folded.
_Syllable = tuple[str, str]


@lru_cache(maxsize=65536)
def _word_syllables(word: str) -> tuple[_Syllable, ...]:
    return _syllables(word)


def _syllables(text: str) -> tuple[_Syllable, ...]:
    written = _TOKEN.findall(unicodedata.normalize("NFKC", text).lower())
    folded = fold(" ".join(written)).split()
    if len(folded) != len(written):  # a token fold cuts in two: one at a time
        folded = [fold(t) for t in written]
    return tuple(zip(written, folded, strict=True))


def _name_phrases(text: str) -> frozenset[tuple[_Syllable, ...]]:
    """Runs of capitalised words that do not begin a sentence, each a tuple of
    syllables as written and folded ("chợ An Cựu" → (("an", "an"), ("cựu",
    "cuu"))). None when most words are capitalised (shouting, titles)."""
    found: set[tuple[_Syllable, ...]] = set()
    capitalised = total = 0
    for sentence in _SENTENCE_END.split(text):
        run: list[_Syllable] = []
        last_end = -1
        for position, match in enumerate(_WORD.finditer(sentence)):
            word = match.group()
            total += 1
            if not word[0].isupper():
                continue
            capitalised += 1
            # Acronyms (VNeID, THPT, QR) are not names of places or bodies.
            if position == 0 or not word[1:].islower():
                continue
            if run and not sentence[last_end : match.start()].isspace():
                found.add(tuple(run))
                run = []
            run.extend(_word_syllables(word))
            last_end = match.end()
        if run:
            found.add(tuple(run))
    if total == 0 or capitalised * 2 > total:
        return frozenset()
    return frozenset(p for p in found if not all(f in _TITLES for _, f in p))


def names(text: str) -> frozenset[str]:
    """The folded names of ``text``: runs of capitalised words that do not
    begin a sentence ("Khi nào chợ An Cựu ..." → {"an cuu"}). Empty when the
    text has no capitals, or when most of its words are capitalised."""
    return frozenset(" ".join(f for _, f in phrase) for phrase in _name_phrases(text))


def _mentions(syllables: tuple[_Syllable, ...], phrase: tuple[_Syllable, ...]) -> bool:
    """Whether ``syllables`` contain ``phrase``, syllable by syllable: the
    folded forms equal, and the written forms too unless that syllable was
    typed without marks. So "Phú Hội" is in "phu hoi" and in "Phú Hội" but
    not in "phủ sóng" or "xin hỏi" (a folded key alone would collide)."""
    n = len(phrase)
    first = phrase[0][1]
    for i in range(len(syllables) - n + 1):
        if syllables[i][1] != first:
            continue
        for (written, folded), (name_written, name_folded) in zip(
            syllables[i : i + n], phrase, strict=True
        ):
            if folded != name_folded or (written != name_written and not written.isascii()):
                break
        else:
            return True
    return False


# --- the index ---------------------------------------------------------------

#: The learned combination (``bench/fit_duplicates.py`` fits it on the tuning
#: half of tests/data/duplicates.tsv only, and prints these lines): a
#: suggestion's score is the logistic of the intercept plus each feature times
#: its coefficient. The features, in order: the weighted Jaccard; the shared
#: weight's share of the smaller text's (one text inside the other: a shorter
#: or a longer wording, a call-taker's note around the question); "each names
#: a place, body or number the other does not mention"; "both ask, no kind of
#: question in common".
COEFFICIENTS: tuple[float, ...] = (-4.39, 4.741, 5.641, -5.955, -3.38)
#: A pair below this weighted Jaccard scores 0: far from any duplicate of the
#: tuning half, and it keeps the candidate search exact (``_Query.candidates``).
JACCARD_FLOOR = 0.25


@dataclass(frozen=True)
class Scoring:
    """The knobs of the score. The defaults were chosen or fitted on the
    tuning half of tests/data/duplicates.tsv (docs/moderation.md has the numbers)."""

    #: Weight of a question-word class term (?when, ?qty, ...), whatever its df:
    #: about one rare word (6.4 at 460 questions), so asking "when" instead of
    #: "how much" matters.
    question_word_weight: float = 6.0
    #: Extra weight of a focus syllable, as a share of its weight: 1.0 doubles
    #: it, so what two questions on one subject ask about decides.
    focus_weight: float = 1.0
    #: The learned combination of the features (``COEFFICIENTS``).
    coefficients: tuple[float, ...] = COEFFICIENTS


@dataclass(frozen=True)
class _Entry:
    words: frozenset[str]  # the syllables, weighed by idf
    focus: frozenset[str]  # the words that are its focus
    classes: int  # how many question-word class terms it has
    asks: frozenset[str]  # its class terms
    terms: frozenset[str]  # words and class terms
    syllables: tuple[_Syllable, ...]  # every syllable, to look names up in
    names: frozenset[tuple[_Syllable, ...]]
    numbers: frozenset[str]
    sequence: tuple[str, ...]


@lru_cache(maxsize=512)
def _entry(text: str) -> _Entry:
    """What the index keeps of a text. Cached for the last few hundred texts:
    intake asks ``similar`` of a text and then ``add``s the same text, and an
    ``_Entry`` never changes. Terms are interned, so that the set operations
    of the hot loop compare strings by identity."""
    analysis = _analyse(text)
    intern = sys.intern
    found = frozenset(map(intern, analysis.terms))
    words = frozenset(t for t in found if t[0] != "?")
    return _Entry(
        words,
        frozenset(map(intern, analysis.focus)) & words,
        len(found) - len(words),
        found - words,
        found,
        analysis.syllables,
        _name_phrases(text),
        analysis.numbers,
        tuple(map(intern, analysis.sequence)),
    )


def _numbers(folded: list[str], found: set[str]) -> None:
    """Add to ``found`` the numbers of a folded clause that tell what a question
    is about ("thôn số 3", "QL49", "A Lưới 2", "năm 2026"): every number after
    a label word, or not followed by a unit ("76 tuổi", "30 nghìn" are
    quantities, "4G", "30k" are no numbers)."""
    for i, token in enumerate(folded):
        if token.isdigit():
            before = folded[i - 1] if i else ""
            after = folded[i + 1] if i + 1 < len(folded) else ""
            if before in _LABELS or after not in _UNITS:
                found.add(token)
        elif token[0].isalpha() and (labelled := _LABELLED.fullmatch(token)) is not None:
            found.add(labelled.group(1))  # "ql49", "th10"


#: 1.0 in the index's fixed-point weights (about 6 decimal digits).
_ONE = 1 << 20


def _fixed(value: float) -> int:
    return round(value * _ONE)


#: ``_fixed(math.log(n + 1))`` for n = 0, 1, 2...: a term's ``ln(df + 1)``,
#: read on every ``add`` and ``remove`` (grown as document frequencies grow;
#: as long as the largest posting list, so bounded by the largest index).
_LOG1P: list[int] = []


def _log1p_fixed(n: int) -> int:
    """``_fixed(math.log(n + 1))``, from ``_LOG1P``."""
    while len(_LOG1P) <= n:
        _LOG1P.append(_fixed(math.log(len(_LOG1P) + 1)))
    return _LOG1P[n]


#: The score a suggestion must reach: the middle of the range where F1 is
#: best on the tuning half of tests/data/duplicates.tsv (docs/moderation.md).
DEFAULT_THRESHOLD = 0.5

#: At most this many candidates are scored per query: those that share the most
#: rare terms with it. A duplicate shares many; at 5,000 questions the cap keeps
#: a query near a millisecond and changes under 1 % of answers
#: (bench/duplicates.py measures both the time and how often the capped answer
#: differs from scoring every candidate; 100 changed 7 % once focus words
#: weighed more).
CANDIDATES = 200


class DuplicateIndex:
    """One dialogue's questions, searchable by similarity. Not thread-safe;
    one per dialogue per node, owned by the intake worker.

    A word's weight is ``1 + ln(N + 1) - ln(df + 1)``, so the weight of a set
    of words is ``len(words) * (1 + ln(N + 1)) - sum(ln(df + 1))``: the index
    keeps ``ln(df + 1)`` per word up to date on every ``add``/``remove``, and a
    score costs a few C-level sums. A text's focus adds ``focus_weight`` times
    the weight of its focus words, rounded once per set. Weights are
    fixed-point integers (``_ONE`` is 1.0), so sums are exact whatever the
    order of a set, and scores are the same in every process.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, scoring: Scoring | None = None):
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        self.threshold = threshold
        self.scoring = scoring or Scoring()
        self.cap = CANDIDATES
        self._entries: dict[str, _Entry] = {}
        #: Each question's slot: its bit in the posting lists, which are
        #: bitsets (Python ints), so that counting how many of a query's
        #: terms each question shares is a few bitwise operations on whole
        #: lists (``_Query.candidates``). A removed question's slot is reused,
        #: the lowest first, so the bitsets stay as short as the index.
        self._slots: dict[str, int] = {}
        self._ids: list[str | None] = []  # by slot; None: free
        self._free: list[int] = []
        #: Every id in sorted order and, beside each, its slot: candidates
        #: tie by id, and the first ids of a long list are found by walking it.
        self._order: list[str] = []
        self._order_slots: list[int] = []
        #: A term's posting list holds slot s as bit s - offset, its offset
        #: being its lowest slot: a term few questions have is a short int
        #: wherever their slots are, not one as long as the index.
        self._postings: dict[str, int] = {}
        self._offsets: dict[str, int] = {}
        self._df: dict[str, int] = {}
        self._log_df: dict[str, int] = {}
        #: Each number's posting list (as the terms'), and every slot of a
        #: question that names a number: the questions that name only other
        #: numbers than a query's are found on whole bitsets
        #: (``_Query.candidates``).
        self._number_postings: dict[str, int] = {}
        self._number_offsets: dict[str, int] = {}
        self._numbered = 0
        #: Each indexed question's total weight (``_Query.weight_of``), kept
        #: while the index does not change: every weight depends on N and on
        #: the document frequencies, so any ``add`` or ``remove`` clears it.
        self._weights: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, question_id: object) -> bool:
        return question_id in self._entries

    def add(self, question_id: str, text: str) -> None:
        """Index a question (again: a second ``add`` replaces its text)."""
        self.remove(question_id)
        entry = _entry(text)
        self._entries[question_id] = entry
        if self._weights:
            self._weights.clear()
        if self._free:
            slot = heappop(self._free)
            self._ids[slot] = question_id
        else:
            slot = len(self._ids)
            self._ids.append(question_id)
        self._slots[question_id] = slot
        at = bisect_left(self._order, question_id)
        self._order.insert(at, question_id)
        self._order_slots.insert(at, slot)
        df, log_df, table = self._df, self._log_df, _LOG1P
        for term in entry.terms:
            _post(self._postings, self._offsets, term, slot)
            n = df[term] = df.get(term, 0) + 1
            log_df[term] = table[n] if n < len(table) else _log1p_fixed(n)
        if entry.numbers:
            self._numbered |= 1 << slot
            for number in entry.numbers:
                _post(self._number_postings, self._number_offsets, number, slot)

    def remove(self, question_id: str) -> None:
        """Forget a question (rejected, or merged away); unknown ids are ignored."""
        entry = self._entries.pop(question_id, None)
        if entry is None:
            return
        if self._weights:
            self._weights.clear()
        slot = self._slots.pop(question_id)
        self._ids[slot] = None
        heappush(self._free, slot)
        at = bisect_left(self._order, question_id)
        del self._order[at], self._order_slots[at]
        for term in entry.terms:
            _unpost(self._postings, self._offsets, term, slot)
            n = self._df[term] - 1
            if n:
                self._df[term] = n
                self._log_df[term] = _log1p_fixed(n)
            else:
                del self._df[term], self._log_df[term]
        if entry.numbers:
            self._numbered &= ~(1 << slot)
            for number in entry.numbers:
                _unpost(self._number_postings, self._number_offsets, number, slot)

    def rebuild(self, items: Iterable[tuple[str, str]]) -> None:
        """Replace the whole content with ``(question_id, text)`` pairs."""
        self._entries.clear()
        self._slots.clear()
        self._ids.clear()
        self._free.clear()
        self._order.clear()
        self._order_slots.clear()
        self._postings.clear()
        self._offsets.clear()
        self._df.clear()
        self._log_df.clear()
        self._number_postings.clear()
        self._number_offsets.clear()
        self._numbered = 0
        self._weights.clear()
        for question_id, text in items:
            self.add(question_id, text)

    def _ids_at(self, bits: int) -> list[str]:
        """The ids of the slots in ``bits`` (few: found by their binary digits)."""
        digits = format(bits, "b")
        last = len(digits) - 1
        ids = self._ids
        return [ids[last - one.start()] for one in _SET_BIT.finditer(digits)]  # type: ignore[misc]

    def _first_ids(self, bits: int, count: int, n: int) -> list[str]:
        """The ``n`` smallest ids of the ``count`` slots in ``bits``: sorted
        when they are few, else found by walking the ids in order."""
        slots = len(self._ids)
        if count * 16 < slots:
            return sorted(self._ids_at(bits))[:n]
        digits = format(bits, f"0{slots}b")[::-1]  # digits[slot]
        flags = map("1".__eq__, map(digits.__getitem__, self._order_slots))
        return list(islice(compress(self._order, flags), n))

    def similar(self, text: str, limit: int = 5) -> list[tuple[str, float]]:
        """The indexed questions most like ``text``: at most ``limit`` (id,
        score) pairs with score ≥ the threshold, best first, ties by id.
        Scores are rounded to 4 decimals."""
        query = _Query(self, _entry(text))
        if not query.entry.terms or limit <= 0:
            return []
        found = query.candidates(JACCARD_FLOOR, self.cap, self.threshold)
        scored = query.scores(found, self.threshold)
        scored.sort(key=lambda item: (-item[1], item[0]))
        return scored[:limit]

    def score(self, text: str, question_id: str) -> float:
        """The score of ``text`` against one indexed question (0.0 if unknown)."""
        other = self._entries.get(question_id)
        query = _Query(self, _entry(text))
        if other is None or not query.entry.terms:
            return 0.0
        return round(query.score(other), 4)

    def features(self, text: str, question_id: str) -> tuple[float, ...] | None:
        """The features the score combines, for ``text`` against one indexed
        question (None if unknown or below ``JACCARD_FLOOR``): what
        ``bench/fit_duplicates.py`` fits the coefficients on."""
        other = self._entries.get(question_id)
        query = _Query(self, _entry(text))
        if other is None or not query.entry.terms:
            return None
        shared, other_weight = query.shared(other), query.weight_of(other)
        if shared < JACCARD_FLOOR * (query.total + other_weight - shared):
            return None
        return query.features(other, shared, other_weight)


def _post(postings: dict[str, int], offsets: dict[str, int], key: str, slot: int) -> None:
    """Add ``slot`` to ``key``'s posting list: bit ``slot - offset``, the
    offset being its lowest slot."""
    bits = postings.get(key)
    if bits is None:
        postings[key], offsets[key] = 1, slot
    elif slot < (lowest := offsets[key]):
        postings[key], offsets[key] = bits << (lowest - slot) | 1, slot
    else:
        postings[key] = bits | 1 << (slot - lowest)


def _unpost(postings: dict[str, int], offsets: dict[str, int], key: str, slot: int) -> None:
    """Take ``slot`` out of ``key``'s posting list, the list gone with its last slot."""
    bits = postings[key] ^ 1 << (slot - offsets[key])
    if not bits:
        del postings[key], offsets[key]
        return
    if not bits & 1:  # its lowest slot gone: the next one is the offset
        shift = (bits & -bits).bit_length() - 1
        bits >>= shift
        offsets[key] += shift
    postings[key] = bits


def _logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -50 else 0.0


class _Query:
    """One text being compared with the index's questions, its weights fixed.

    For a term in both texts, the smaller of its two weights is its idf weight,
    plus its focus bonus only when it is the focus of both; so the shared
    weight is the shared terms' weight plus the bonus of the focus they share,
    and the sum of the larger weights is both totals minus the shared weight.
    """

    def __init__(self, index: DuplicateIndex, entry: _Entry) -> None:
        self.index = index
        self.entry = entry
        self.base = _fixed(1.0 + math.log(len(index._entries) + 1))
        self.class_weight = _fixed(index.scoring.question_word_weight)
        self.focus_weight = index.scoring.focus_weight
        self.coefficients = index.scoring.coefficients
        log_df = index._log_df
        #: Each term's weight without focus bonus (the bonus counts per set).
        self.weights = {t: self.base - log_df.get(t, 0) for t in entry.words}
        self.weights.update((t, self.class_weight) for t in entry.terms - entry.words)
        bonus = sum(map(self.weights.__getitem__, entry.focus))
        self.total = sum(self.weights.values()) + round(self.focus_weight * bonus)
        #: Each term's largest possible share of the shared weight, for ``candidates``.
        self.bounds = {
            t: w + math.ceil(self.focus_weight * w) if t in entry.focus else w
            for t, w in self.weights.items()
        }
        self._differ_need: dict[float, tuple[int, int]] = {}

    def weight_of(self, other: _Entry) -> int:
        log_df = self.index._log_df.__getitem__
        focus = len(other.focus) * self.base - sum(map(log_df, other.focus))
        return (
            len(other.words) * self.base
            - sum(map(log_df, other.words))
            + round(self.focus_weight * focus)
            + other.classes * self.class_weight
        )

    def shared(self, other: _Entry) -> int:
        weight = self.weights.__getitem__
        both = self.entry.focus & other.focus
        shared = sum(map(weight, self.entry.terms & other.terms))
        return shared + round(self.focus_weight * sum(map(weight, both))) if both else shared

    def score(self, other: _Entry) -> float:
        shared = self.shared(other)
        other_weight = self.weight_of(other)
        if shared < JACCARD_FLOOR * (self.total + other_weight - shared):
            return 0.0
        return self.combine(self.features(other, shared, other_weight))

    def combine(self, features: tuple[float, ...]) -> float:
        intercept, *coefficients = self.coefficients
        z = intercept + sum(c * f for c, f in zip(coefficients, features, strict=True))
        return _logistic(z)

    def features(self, other: _Entry, shared: int, other_weight: int) -> tuple[float, ...]:
        jaccard = shared / (self.total + other_weight - shared)
        inside = shared / min(self.total, other_weight)
        return (
            jaccard,
            inside,
            float(self.subjects_differ(other)),
            float(self.asks_differ(other)),
        )

    def asks_differ(self, other: _Entry) -> bool:
        """Whether both texts ask something and no kind of question is common."""
        mine, theirs = self.entry.asks, other.asks
        return bool(mine and theirs and mine.isdisjoint(theirs))

    def subjects_differ(self, other: _Entry) -> bool:
        """Whether each text names a place, a body or a number that the other
        does not mention ("đường Lê Duẩn" vs "đường Nguyễn Hoàng", "thôn số 3"
        vs "thôn số 4"): the same question about another subject."""
        mine = self.entry
        if not mine.numbers <= other.numbers and not other.numbers <= mine.numbers:
            return True  # each has a number the other lacks: the cheap, common case
        if _one_substitution(mine.sequence, other.sequence):
            return True
        return _names_other(mine, other) and _names_other(other, mine)

    def differ_need(self, threshold: float) -> tuple[int, int]:
        """The least shared weight with which a question that names a number
        this one lacks, and lacks one this one names, can reach ``threshold``:
        for two questions that ask no common kind of thing, and for the rest.

        Each names a number the other lacks: about different subjects
        (``subjects_differ``), known before the other's weight is. As that
        weight is at least ``shared``, the Jaccard is at most shared / total
        and the containment at most 1: a bound on the score that grows with
        ``shared``, so a pair is left when its shared weight is below the
        least one that can reach the threshold (found once per query, for
        either kind of question)."""
        found = self._differ_need.get(threshold)
        if found is not None:
            return found
        total = self.total
        intercept, w_jaccard, w_inside, w_subjects, w_asks = self.coefficients
        need_z = math.log(threshold / (1 - threshold)) if threshold < 1 else math.inf
        inside_at_most = max(0.0, w_inside)

        def hopeless(shared: int, ask: float) -> bool:
            most = max(0.0, w_jaccard * shared / total) + inside_at_most
            return intercept + most + w_subjects + w_asks * ask < need_z - 1e-9

        def guess(ask: float) -> float:
            rest = need_z - intercept - inside_at_most - w_subjects - w_asks * ask
            return rest * total / w_jaccard if w_jaccard > 0 else 0.0

        no, yes = (_least(hopeless, a, total, guess(a)) for a in (0.0, 1.0))
        found = self._differ_need[threshold] = (no, yes)
        return found

    def scores(self, question_ids: Iterable[str], threshold: float) -> list[tuple[str, float]]:
        """(id, score rounded) for each of ``question_ids`` that reaches
        ``threshold``: the weights' sums inlined, as this is the hot loop."""
        entries = self.index._entries
        known = self.index._weights
        terms, focus = self.entry.terms, self.entry.focus
        weight = self.weights.__getitem__
        log_df = self.index._log_df.__getitem__
        base, class_weight, total = self.base, self.class_weight, self.total
        focus_weight = self.focus_weight
        need = JACCARD_FLOOR * total  # the Jaccard is at most shared / total
        intercept, w_jaccard, w_inside, *others = self.coefficients
        bound = intercept + sum(max(0.0, c) for c in others)
        need_z = math.log(threshold / (1 - threshold)) if threshold < 1 else math.inf
        w_subjects, w_asks = others
        subjects_at_most = max(0.0, w_subjects)
        asks, numbers = self.entry.asks, self.entry.numbers
        if numbers:
            differ_need = self.differ_need(threshold)
        out = []
        for question_id in question_ids:
            other = entries[question_id]
            shared = sum(map(weight, terms & other.terms))
            if focus and (both := focus & other.focus):
                shared += round(focus_weight * sum(map(weight, both)))
            if shared < need:
                continue
            if (
                numbers
                and other.numbers
                and not numbers <= other.numbers
                and not other.numbers <= numbers
                and shared < differ_need[bool(asks and other.asks and asks.isdisjoint(other.asks))]
            ):
                continue
            other_weight = known.get(question_id)
            if other_weight is None:
                other_focus = len(other.focus) * base - sum(map(log_df, other.focus))
                other_weight = known[question_id] = (
                    len(other.words) * base
                    - sum(map(log_df, other.words))
                    + round(focus_weight * other_focus)
                    + other.classes * class_weight
                )
            if shared < JACCARD_FLOOR * (total + other_weight - shared):
                continue
            # Skip the pairs that cannot reach the threshold whatever the
            # other signals (``bound`` holds the most they can add).
            jaccard = shared / (total + other_weight - shared)
            if bound + w_jaccard * jaccard + w_inside * shared / min(total, other_weight) < need_z:
                continue
            # ``combine(features(...))`` inlined, the same floats summed in
            # the same order; the kind of question (a few set operations)
            # first, and the subjects (names looked up) only when they can
            # still decide (the 1e-9 keeps float rounding on the safe side).
            inside = shared / min(total, other_weight)
            ask = float(bool(asks and other.asks and asks.isdisjoint(other.asks)))
            z = intercept + w_jaccard * jaccard + w_inside * inside + w_asks * ask
            if z + subjects_at_most < need_z - 1e-9:
                continue
            subjects = float(self.subjects_differ(other))
            z = intercept + sum(
                (w_jaccard * jaccard, w_inside * inside, w_subjects * subjects, w_asks * ask)
            )
            score = _logistic(z)
            if score >= threshold:
                out.append((question_id, round(score, 4)))
        return out

    def candidates(self, threshold: float, cap: int, scored_at: float | None = None) -> list[str]:
        """The indexed questions worth scoring, their weighted Jaccard at
        least ``threshold`` (``JACCARD_FLOOR``).

        The Jaccard is at most shared / total, so a question reaching the
        threshold t shares at least t * total with the query: it cannot share
        only terms of a set whose largest possible shares (``bounds``) sum to
        less than that. That set is filled with the query's most frequent
        terms (their posting lists are the long ones); every question that
        shares one of the other, rarer terms is a candidate (prefix filtering,
        exact). Of those, the ``cap`` that share the most rare terms are
        returned (a focus term counting twice), ties by id.

        The counting is done on whole posting lists at once: each is a bitset
        of slots, added into a binary counter held as one bitset per bit of
        the count (``_BitCounter``); the questions sharing exactly c terms
        are then a few bitwise operations away, whatever their number.

        Given the threshold the candidates will be scored at (``scored_at``),
        a query that names numbers leaves out, before the cap, the questions
        that name only other numbers and cannot share enough to reach it
        (``differ_need``): the same prefix filtering with that higher bar,
        for that group alone. They would score 0 (``scores`` leaves them by
        the same bound), so this changes no score; it keeps them from
        filling the cap, and from being scored, when many questions are one
        template with another number ("hồ sơ số 5000", "thôn số 3").
        """
        index = self.index
        postings, offsets, df = index._postings, index._offsets, index._df
        budget = threshold * self.total
        by_frequency = sorted(self.bounds, key=lambda t: (-df.get(t, 0), t))
        counter = _BitCounter()
        for term in self._rarer(by_frequency, budget):
            if term in postings:
                bits = postings[term] << offsets[term]
                counter.add(bits, 2 if term in self.entry.focus else 1)
        if scored_at is not None and self.entry.numbers and index._numbered:
            counter.any &= ~self._naming_others(scored_at, by_frequency)
        if counter.any.bit_count() <= cap:
            return index._ids_at(counter.any)
        # The count at which the cap falls: all above it, the first ids at it.
        above = 0
        higher = 0
        for count in range(counter.most(), 0, -1):
            exactly = counter.exactly(count)
            n = exactly.bit_count()
            if above + n >= cap:
                break
            above += n
            higher |= exactly
        return index._ids_at(higher) + index._first_ids(exactly, n, cap - above)

    def _naming_others(self, threshold: float, by_frequency: list[str]) -> int:
        """The slots of the questions that name numbers, none of this one's
        (so each names one the other lacks: ``subjects_differ``), and share
        too little with it to reach ``threshold`` all the same: none of the
        rarer terms left when the most frequent ones, up to ``differ_need``,
        are set aside."""
        index = self.index
        postings, offsets = index._number_postings, index._number_offsets
        same = 0
        for number in self.entry.numbers:
            if number in postings:
                same |= postings[number] << offsets[number]
        others = index._numbered & ~same
        if not others:
            return 0
        reach = 0
        for term in self._rarer(by_frequency, min(self.differ_need(threshold))):
            if term in index._postings:
                reach |= index._postings[term] << index._offsets[term]
        return others & ~reach

    def _rarer(self, by_frequency: list[str], budget: float) -> Iterator[str]:
        """The terms left when the most frequent ones are set aside while
        their largest possible shares (``bounds``) sum to less than
        ``budget``: a question sharing none of them shares less than that."""
        skipped = 0
        for term in by_frequency:
            weight = self.bounds[term]
            if skipped + weight < budget:
                skipped += weight
            else:
                yield term


class _BitCounter:
    """How many times each slot was added, for all slots at once: bit j of
    a slot's count is its bit in ``bits[j]`` (a ripple-carry adder on whole
    bitsets)."""

    def __init__(self) -> None:
        self.bits: list[int] = []
        #: Every slot added at least once.
        self.any = 0

    def add(self, slots: int, times: int) -> None:
        """Add 1 (``times`` 1) or 2 (``times`` 2) to the count of every slot of ``slots``."""
        self.any |= slots
        bits = self.bits
        carry = slots
        j = times - 1
        while len(bits) < j:
            bits.append(0)
        while carry:
            if j == len(bits):
                bits.append(carry)
                return
            bits[j], carry = bits[j] ^ carry, bits[j] & carry
            j += 1

    def most(self) -> int:
        """A bound on any slot's count."""
        return (1 << len(self.bits)) - 1

    def exactly(self, count: int) -> int:
        """The slots added exactly ``count`` times (``count`` ≥ 1)."""
        found = self.any
        for j, bits in enumerate(self.bits):
            found &= bits if count >> j & 1 else ~bits
        return found


#: A set bit in a bitset's binary digits.
_SET_BIT = re.compile("1")


def _least(hopeless: Callable[[int, float], bool], ask: float, total: int, guess: float) -> int:
    """The least shared weight in [0, total] for which ``hopeless`` is false
    (total + 1 if none): ``hopeless`` must only turn false as the weight grows.
    Walked to from ``guess`` (where the bound's real-valued equation is solved),
    so it is exact whatever the float rounding, in a step or two."""
    if not hopeless(total, ask):
        least = min(max(0, math.floor(guess)) if guess == guess else 0, total)
        while least > 0 and not hopeless(least - 1, ask):
            least -= 1
        while hopeless(least, ask):
            least += 1
        return least
    return total + 1


def _names_other(entry: _Entry, other: _Entry) -> bool:
    """Whether ``entry`` names something (a name, a number) ``other`` does not mention."""
    if not entry.names and not entry.numbers:
        return False
    if not entry.numbers <= other.numbers:
        return True
    return any(not _mentions(other.syllables, phrase) for phrase in entry.names)


def _one_substitution(mine: tuple[str, ...], theirs: tuple[str, ...]) -> bool:
    """Whether two term sequences are one frame with another filler: the same
    terms in the same order but for one span on each side, not next to a
    question word, of two terms or more on each side and none in common, the
    frame at least a third of each ("triển khai *phủ sóng 4G* ở phường Phú
    Xuân" vs "triển khai *hồ sơ sức khỏe điện tử* ở phường Phú Xuân"). A
    rewording moves and changes words all along; a shorter or longer one
    leaves one side's span empty."""
    start = 0
    end = min(len(mine), len(theirs))
    while start < end and mine[start] == theirs[start]:
        start += 1
    tail = 0
    while tail < end - start and mine[-1 - tail] == theirs[-1 - tail]:
        tail += 1
    frame = start + tail
    # What differs right next to a question word is how it is asked ("*tổ
    # chức* khi nào" vs "*diễn ra vào* thời gian nào"), not what about.
    if (start and mine[start - 1][0] == "?") or (tail and mine[len(mine) - tail][0] == "?"):
        return False
    mine_span = set(mine[start : len(mine) - tail])
    their_span = set(theirs[start : len(theirs) - tail])
    return (
        len(mine_span) >= 2
        and len(their_span) >= 2
        and mine_span.isdisjoint(their_span)
        and 3 * frame >= len(mine)
        and 3 * frame >= len(theirs)
    )
