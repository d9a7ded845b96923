"""Screening at intake (server/domain/screening.py)."""

from __future__ import annotations

import unicodedata

import pytest

from server.domain.model import REJECT_REASONS
from server.domain.screening import (
    BLOCKED_FOLDED,
    BLOCKED_MARKED,
    DEFAULT_POLICY,
    FLAGS,
    Policy,
    ScreeningResult,
    blocked_words,
    screen,
)

#: Flags about the whole text, which quote nothing.
WHOLE_TEXT_FLAGS = {"shouting", "empty_content", "too_short"}

# (label, text, flags raised) — with and without marks, Telex and VNI leftovers.
FLAG_CASES = [
    # blocked words, Vietnamese
    ("abbreviation", "Xin hỏi đm bọn cán bộ phường làm ăn kiểu gì vậy", {"blocked_word"}),
    ("abbreviation without marks", "dm can bo phuong lam an kieu gi vay", {"blocked_word"}),
    ("spaced letters", "đ m cán bộ phường không trả lời dân", {"blocked_word"}),
    ("dotted letters", "d.m sao làm đường mãi không xong", {"blocked_word"}),
    ("repeated letters", "đmmmmm sao làm đường mãi không xong", {"blocked_word", "repeated_chars"}),
    ("marked word", "Đéo ai thèm trả lời câu hỏi của dân", {"blocked_word"}),
    ("marked word in capitals", "ĐÉO AI TRẢ LỜI", {"blocked_word"}),
    ("marked word typed in Telex", "ddeos ai tra loi cau hoi cua dan", {"blocked_word"}),
    ("marked word typed in VNI", "d9eo1 ai tra loi cau hoi cua dan", {"blocked_word"}),
    ("folded word with marks", "Địt mẹ cái cổng dịch vụ công lỗi suốt", {"blocked_word"}),
    ("folded word typed in Telex", "ddits mej cais coongr looix suoots", {"blocked_word"}),
    ("digit for a letter", "d1t me cai cong dich vu cong", {"blocked_word"}),
    ("phrase", "Cán bộ địa chính khốn nạn, hẹn mãi không cấp sổ", {"blocked_word"}),
    ("marked phrase", "Bọn đồ chó ăn tiền của dân", {"blocked_word"}),
    ("buồi is not buổi", "Cán bộ như cái buồi", {"blocked_word"}),
    # blocked words, English
    ("English", "This fucking website never works", {"blocked_word"}),
    ("English spaced", "f u c k the slow service here", {"blocked_word"}),
    ("English leet", "the portal is sh1t, fix it please", {"blocked_word"}),
    # links
    ("URL", "Xem thêm tại https://example.com/bai-viet rồi trả lời giúp", {"link"}),
    ("www", "Mời vào www.kiemtien-online.net để nhận quà", {"link"}),
    ("bare domain", "Đăng ký vay nhanh tại vaynhanh24h.com nhé", {"link"}),
    ("short link", "Xem clip bit.ly/3abcXYZ về vụ này", {"link"}),
    ("Zalo link", "Vào nhóm zalo.me/g/abcdef để trao đổi", {"link"}),
    ("spelled domain", "Truy cập vaytien chấm com để biết thêm", {"link"}),
    ("government site is still a link", "Trên dichvucong.gov.vn báo lỗi thì làm sao?", {"link"}),
    # phones and e-mails
    ("mobile", "Hồ sơ của tôi chưa có kết quả, gọi tôi số 0912 345 678", {"phone"}),
    ("mobile with dots", "Liên hệ 0905.123.456 để được tư vấn", {"phone"}),
    ("international", "Số của tôi là +84 912 345 678, xin gọi lại", {"phone"}),
    ("landline", "Gọi số (0234) 3822 123 mãi không ai nghe máy", {"phone"}),
    ("number after a year", "Tôi nộp hồ sơ năm 2024 0912345678 chưa có kết quả", {"phone"}),
    ("e-mail", "Trả lời giúp tôi qua email nguyenvana@gmail.com với", {"email"}),
    ("spelled e-mail", "Gửi về nguyenvana (at) gmail.com giúp tôi", {"email"}),
    # form
    ("shouting", "TẠI SAO ĐƯỜNG HÙNG VƯƠNG CỨ MƯA LÀ NGẬP, AI CHỊU TRÁCH NHIỆM", {"shouting"}),
    ("shouting without marks", "TAI SAO DUONG HUNG VUONG CU MUA LA NGAP VAY", {"shouting"}),
    ("repeated punctuation", "Khi nào sửa đường Lê Duẩn vậy!!!!!!", {"repeated_chars"}),
    ("repeated letters", "Sao lâu quáaaaaaa vậy cán bộ ơi", {"repeated_chars"}),
    ("repeated emoji", "Khi nào có nước sạch 😡😡😡😡😡", {"repeated_chars"}),
    ("only punctuation", "??????????", {"empty_content", "repeated_chars"}),
    ("only politeness", "Xin cho tôi hỏi ạ", {"empty_content"}),
    ("politeness, then exclamation marks", "Xin hỏi ạ!!!!!", {"empty_content", "repeated_chars"}),
    ("only emoji", "🙏🙏 😀 👍", {"empty_content"}),
    ("too short", "Cảm ơn ạ!", {"too_short"}),
    ("too short without marks", "cam on nhe", {"too_short"}),
    # several at once
    (
        "link, phone and shouting",
        "VAY TIỀN NHANH KHÔNG CẦN THẾ CHẤP, GỌI 0987654321 HOẶC VÀO VAYNHANH.VN",
        {"link", "phone", "shouting"},
    ),
]


@pytest.mark.parametrize(("label", "text", "flags"), FLAG_CASES, ids=[c[0] for c in FLAG_CASES])
def test_flags(label: str, text: str, flags: set[str]) -> None:
    """Each input raises exactly the expected flags, each with what it found
    in the text (as written: every item is a piece of it), or nothing for a
    flag about the whole text."""
    result = screen(text)
    assert set(result.flags) == flags
    assert set(result.reasons) == flags
    for flag, found in result.reasons.items():
        if flag in WHOLE_TEXT_FLAGS:
            assert found == {}
        else:
            assert list(found) == ["text"] and found["text"]
            assert all(item in unicodedata.normalize("NFKC", text) for item in found["text"])


# Real-looking questions that must raise no flag at all: digital services,
# land, health, schools, markets, tourism in Huế; with and without marks, and
# with words that fold onto blocked ones (đi, má, con, các, lớn, đeo, du, đủ,
# buổi, tháng cho, sức sinh lời).
INNOCENT = [
    "Làm thế nào để nộp hồ sơ cấp giấy phép xây dựng qua Cổng dịch vụ công của thành phố?",
    "Tài khoản định danh điện tử mức độ 2 trên VNeID dùng để làm những thủ tục gì?",
    "Ứng dụng Hue-S có hỗ trợ người cao tuổi phản ánh hiện trường không?",
    "Người già không có điện thoại thông minh thì làm căn cước thế nào?",
    "Nộp lệ phí trực tuyến bằng mã QR rồi nhưng hệ thống báo chưa nhận tiền, xử lý ra sao?",
    "Chữ ký số cá nhân có được cấp miễn phí để làm dịch vụ công không?",
    "Gia đình tôi nộp hồ sơ cấp sổ đỏ từ tháng 3/2024 nhưng đến nay chưa nhận được, vì sao?",
    "Điều kiện tách thửa đất ở tại thành phố Huế hiện nay là gì, diện tích tối thiểu bao nhiêu?",
    "Đất nằm trong quy hoạch treo nhiều năm thì người dân có được xây nhà không?",
    "Khi nào các hộ dân bị ảnh hưởng bởi dự án mở rộng đường Lê Duẩn được nhận tiền đền bù?",
    "Giá đất ở mới ban hành năm 2025 tăng bao nhiêu so với trước, có quá cao không?",
    "Theo Luật Đất đai 2024 và Nghị định 101/2024/NĐ-CP thì hồ sơ cấp đổi gồm những gì?",
    "Học sinh sinh viên có bắt buộc phải mua bảo hiểm y tế không?",
    "Vì sao khám bệnh ở Bệnh viện Trung ương Huế phải chờ đợi quá lâu?",
    "Trạm y tế phường hay thiếu thuốc bảo hiểm, người bệnh phải ra ngoài mua, đề nghị giải quyết.",
    "Trẻ em ở Huế có được tiêm vắc xin sởi miễn phí không, tiêm ở đâu?",
    "Người đồng bào dân tộc thiểu số ở A Lưới khám bệnh có được miễn phí không?",
    "Má tôi 80 tuổi, đi khám bệnh có được ưu tiên không ạ?",
    "Con tôi bị sốt sau khi tiêm, trạm y tế có trực đêm không?",
    "Kỳ thi tuyển sinh vào lớp 10 năm 2025 ở Huế thi mấy môn?",
    "Học phí các trường mầm non công lập năm học 2024-2025 có được miễn không?",
    "Trường tiểu học ở phường An Đông quá tải, mỗi lớp hơn 45 học sinh, bao giờ xây thêm?",
    "Các khoản thu đầu năm ở trường có đúng quy định không, phụ huynh đóng 3,5 triệu đồng.",
    "Buổi sáng con tôi đi học phải qua đoạn đường không có đèn tín hiệu, rất nguy hiểm.",
    "Buồi sáng tôi đưa con đi học thì đường Hùng Vương kẹt xe, có cách nào không?",
    "Học sinh có phải đeo thẻ và đeo khẩu trang khi đến trường không?",
    "Khi nào chợ Đông Ba sửa chữa xong để tiểu thương quay lại buôn bán?",
    "Phí thu gom rác một tháng cho mỗi hộ kinh doanh ở chợ là bao nhiêu?",
    "Tiểu thương chợ Bến Ngự phải đóng những khoản phí nào mỗi tháng?",
    "Từ năm 2026 bỏ thuế khoán thì hộ kinh doanh nhỏ ở chợ kê khai thuế thế nào?",
    "Sức sinh lời của hợp tác xã trồng rau VietGAP có được thành phố hỗ trợ tiêu thụ không?",
    "Các tiểu thương lớn tuổi không biết dùng máy tính thì ai hỗ trợ kê khai thuế?",
    "Người dân thành phố Huế vào tham quan Đại Nội có được miễn phí vé không?",
    "Festival Huế 2026 sẽ diễn ra vào thời gian nào?",
    "Phố đi bộ Nguyễn Đình Chiểu mở cửa vào những ngày nào trong tuần?",
    "Thủ tục đăng ký kinh doanh homestay ở Huế gồm những gì?",
    "Giá vé đi thuyền rồng nghe ca Huế trên sông Hương là bao nhiêu?",
    "Đi du lịch Huế mùa mưa thì có đủ chỗ trú ở các lăng tẩm không?",
    "Lăng Tự Đức đang xuống cấp, khi nào được trùng tu?",
    "Con đường vào lăng Gia Long hẹp và xấu, có kế hoạch nâng cấp không?",
    "Đường dây nóng 1022 của thành phố tiếp nhận những phản ánh gì?",
    "Hộ cận nghèo được hỗ trợ những chính sách gì về y tế và giáo dục?",
    "Người từ đủ 75 tuổi có được hưởng trợ cấp xã hội hằng tháng không?",
    "Mức hỗ trợ cho hộ dân bị bão làm tốc mái nhà là bao nhiêu?",
    "Chó thả rông ngoài đường ở phường Phú Hội có bị xử phạt không?",
    "TP.HCM và Đà Nẵng đã làm thẻ xe buýt điện tử, Huế có làm không, v.v.?",
    "Khi nao cho dong ba sua xong de tieu thuong quay lai buon ban",
    "hoc phi mam non cong lap o tp hue nam nay co dc mien ko",
    "cho tooi hoir thur tucj caaps laij soor ddor",
    "tien dien thang 6 nha toi tang gap doi, de nghi kiem tra lai cong to",
    "Nước máy ở phường Phú Hậu có mùi clo, có an toàn cho trẻ nhỏ không? 🙏",
    "Xe 16 chỗ có được vào đường Lê Lợi lúc 7h30 không?",
]


def test_innocent_list_is_long_enough() -> None:
    """The innocent list covers at least 40 realistic questions."""
    assert len(INNOCENT) >= 40


@pytest.mark.parametrize("text", INNOCENT)
def test_innocent_questions_raise_no_flag(text: str) -> None:
    """A realistic question raises no flag and goes straight to moderation."""
    result = screen(text, name="Nguyễn Văn An", organization="Hợp tác xã Thủy Thanh")
    assert result == ScreeningResult((), {}, "pending")


FALSE_FRIENDS = [
    "đi",
    "má",
    "con",
    "các",
    "lớn",
    "lon bia",
    "đeo",
    "du lịch",
    "đủ",
    "buổi",
    "deo khau trang",
    "cac ban",
    "di choi",
    "dù mà",
    "tháng cho",
    "mất dây",
    "dụ dỗ",
    "điểm",
    "dich vu",
    "cộng đồng",
    "đồ chơi",
    "con chó nhà tôi",
]


@pytest.mark.parametrize("text", FALSE_FRIENDS)
def test_false_friends_are_not_blocked(text: str) -> None:
    """Everyday words that share letters or a folded form with a blocked word pass."""
    assert blocked_words(text) == []


def test_name_and_organization_are_screened() -> None:
    """Blocked words, links, phones and e-mails in the name or organisation count too."""
    result = screen(
        "Khi nào sửa đường Lê Duẩn?", name="Đm cán bộ", organization="shop.vn 0912345678"
    )
    assert result.flags == ("blocked_word", "link", "phone")
    assert result.reasons == {
        "blocked_word": {"name": ["Đm"]},
        "link": {"organization": ["shop.vn"]},
        "phone": {"organization": ["0912345678"]},
    }


def test_reason_names_what_was_found() -> None:
    """A reason quotes what the rule found, and no sentence in any language:
    the console says it in its reader's."""
    result = screen("Xem bit.ly/abc hoặc gọi 0912 345 678!!!!!")
    assert result.reasons == {
        "link": {"text": ["bit.ly/abc"]},
        "phone": {"text": ["0912 345 678"]},
        "repeated_chars": {"text": ["!!!!!"]},
    }


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Xin hỏi đm bọn cán bộ phường", "đm"),
        ("ĐM cán bộ phường", "ĐM"),
        ("d.m sao làm đường mãi không xong", "d.m"),
        ("đ m cán bộ phường không trả lời dân", "đ m"),
        ("đmmmmm sao làm đường mãi không xong", "đmmmmm"),
        ("ĐÉO AI TRẢ LỜI", "ĐÉO"),
        ("ddeos ai tra loi cau hoi cua dan", "ddeos"),
        ("Địt mẹ cái cổng dịch vụ công lỗi suốt", "Địt mẹ"),
        ("the portal is sh1t, fix it please", "sh1t"),
        ("f u c k the slow service here", "f u c k"),
        ("\uff44\uff4d cán bộ", "dm"),  # full-width letters, as NFKC reads them
    ],
)
def test_blocked_words_are_quoted_as_written(text: str, written: str) -> None:
    """A blocked word is quoted as the asker typed it, never as the folded
    key it matched ("dm" for "đm" would put words in their mouth)."""
    assert blocked_words(text) == [written]


# --- policy ------------------------------------------------------------------


def test_default_policy_decisions() -> None:
    """Default: blocked words, links, phones, e-mails hold; empty content is
    turned back as a question not yet written (never as spam); shouting,
    repeats and short texts are only flagged."""
    assert screen("Đéo ai trả lời").decision == "hold"
    assert screen("Xem bit.ly/abc về vụ này").decision == "hold"
    assert screen("Gọi tôi 0912 345 678 về hồ sơ đất").decision == "hold"
    for empty in ("??????", "Xin hỏi ạ!!!!!", "🙏🙏 😀 👍"):
        result = screen(empty)
        assert (result.decision, result.reject_reason) == ("reject", "no_content"), empty
    assert screen("TẠI SAO ĐƯỜNG HÙNG VƯƠNG CỨ MƯA LÀ NGẬP VẬY").decision == "pending"
    assert screen("Cảm ơn!").decision == "pending"


def test_hold_suggests_a_reason() -> None:
    """A held question preselects the reason a moderator would most likely pick."""
    assert screen("Gọi tôi 0912 345 678 về hồ sơ đất").suggested_reason == "personal_case"
    assert screen("Đéo ai trả lời").suggested_reason == "abusive"
    assert screen("Xem bit.ly/abc về vụ này").suggested_reason == "spam"


def test_reject_wins_over_hold() -> None:
    """A flag that rejects decides, whatever flags hold."""
    policy = Policy(reject={"blocked_word": "abusive", "empty_content": "no_content"})
    result = screen("đm bit.ly/abc", policy=policy)
    assert result.decision == "reject"
    assert result.reject_reason == "abusive"
    assert result.suggested_reason is None


def test_flag_only_policy() -> None:
    """With nothing held or rejected, every question is simply pending, flags kept."""
    policy = Policy(hold=frozenset(), reject={}, hints={})
    result = screen("??????", policy=policy)
    assert result.decision == "pending"
    assert "empty_content" in result.flags


def test_extra_blocked_words() -> None:
    """A dialogue's own blocked words match with or without marks, on whole syllables."""
    policy = Policy(extra_blocked=("tham nhũng", "bán độ"))
    assert screen("Cán bộ tham nhung đất đai ở đâu?", policy=policy).flags == ("blocked_word",)
    assert screen("Ai Tham Nhũng thì xử lý thế nào?", policy=policy).flags == ("blocked_word",)
    assert screen("Cán bộ thamnhung đất đai ở đâu?", policy=policy).flags == ()
    assert screen("Cán bộ tham nhung đất đai ở đâu?").flags == ()


def test_min_syllables_and_shouting_length() -> None:
    """too_short and shouting follow the policy's limits."""
    assert screen("Khi nào có điện?", policy=Policy(min_syllables=5)).flags == ("too_short",)
    assert screen("KHI NÀO CÓ ĐIỆN", policy=Policy(shouting_min_letters=10)).flags == ("shouting",)


@pytest.mark.parametrize(
    "changes",
    [
        {"hold": frozenset({"swearing"})},
        {"reject": {"link": "rude"}},
        {"hints": {"phone": "private"}},
        {"min_syllables": -1},
    ],
)
def test_policy_is_validated(changes: dict[str, object]) -> None:
    """Unknown flags or reason codes, and negative limits, are refused."""
    with pytest.raises(ValueError):
        Policy(**changes)  # type: ignore[arg-type]


def test_policy_round_trips_through_its_doc() -> None:
    """to_doc / from_doc keep every knob; an empty doc is the default policy."""
    policy = Policy(
        hold=frozenset({"link"}),
        reject={"blocked_word": "abusive"},
        hints={},
        extra_blocked=("bán độ",),
        min_syllables=2,
        shouting_min_letters=30,
    )
    assert Policy.from_doc(policy.to_doc()) == policy
    assert Policy.from_doc({}) == DEFAULT_POLICY


def test_default_policy_uses_known_flags_and_reasons() -> None:
    """The default policy names only real flags and reject reasons."""
    assert DEFAULT_POLICY.hold <= set(FLAGS)
    assert set(DEFAULT_POLICY.reject.values()) <= set(REJECT_REASONS)


def test_built_in_lists_are_moderate() -> None:
    """The built-in lists stay short enough to review by eye (docs/moderation.md)."""
    assert len(BLOCKED_FOLDED) + len(BLOCKED_MARKED) <= 60


def test_screening_is_deterministic() -> None:
    """The same input gives the same result, flags in FLAGS order."""
    text = "ĐM!!!!! VÀO VAYNHANH.VN HOẶC GỌI 0912345678 NGAY ĐI CÁC BẠN ƠI"
    first = screen(text)
    assert first == screen(text)
    assert list(first.flags) == [f for f in FLAGS if f in first.flags]
