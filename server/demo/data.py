"""The demo dialogue's data: its settings, officials, topics, localities,
staff accounts and questions (each with the state the demo leaves it in).

Data only: ``seed.py`` brings it to life through the app's own actions. It
follows a real dialogue (the People's Committee of Thừa Thiên Huế, on digital
transformation) told as it would be held in 2026, in today's administration:
Huế is a centrally-run city (thành phố Huế) since 2025; the Department of
Information and Communications has merged into Science and Technology (Sở
Khoa học và Công nghệ), Natural Resources and Environment into Agriculture and
Environment (Sở Nông nghiệp và Môi trường); there are no districts, only
communes and wards (xã, phường), so the localities are the city's new ones.
Officials appear by title only, and answers use no figures beyond that
dialogue's: 2nd of 63 provinces in the digital transformation index in 2020
and 2021, and the targets set for 2025 (100% of the digital-government
criteria, over 90% of public services at level 4, digital economy 15-20% of
GRDP). People, organisations, phone numbers and e-mail addresses are invented.
"""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any

from ..domain.model import Official, Role, Topic

SLUG = "chuyen-doi-so"
TITLE = "Đối thoại trực tuyến: Chuyển đổi số thành phố Huế"
#: Who holds the dialogue: the home page's organiser when DOITHOAI_ORGANISER is unset.
ORGANISER = "Ủy ban nhân dân thành phố Huế"
#: Where it sits: the report's date line when DOITHOAI_PLACE is unset.
PLACE = "Huế"
DESCRIPTION = (
    "Ủy ban nhân dân thành phố Huế đối thoại trực tuyến với người dân và doanh nghiệp về "
    "chuyển đổi số: chính quyền số, kinh tế số, xã hội số, dịch vụ công trực tuyến, hạ "
    "tầng số và đô thị thông minh. Lãnh đạo thành phố và các sở, ngành trả lời trực tiếp "
    "trong chương trình. Câu hỏi chưa kịp trả lời sẽ được trả lời bằng văn bản sau buổi "
    "đối thoại."
)
#: Asia/Ho_Chi_Minh is +07:00 all year (no daylight saving time).
ICT = timezone(timedelta(hours=7), "ICT")
#: How long the demo's broadcast is scheduled for: it started on the quarter
#: hour before it went on air (the seed puts that 35 minutes before the demo's
#: first start), so that "live now" and the schedule agree at any hour.
BROADCAST_LENGTH = timedelta(hours=2)

TOPICS = (
    Topic("chinh-quyen-so", "Chính quyền số"),
    Topic("kinh-te-so", "Kinh tế số"),
    Topic("xa-hoi-so", "Xã hội số"),
    Topic("dich-vu-cong-truc-tuyen", "Dịch vụ công trực tuyến"),
    Topic("ha-tang-so", "Hạ tầng số"),
    Topic("do-thi-thong-minh", "Đô thị thông minh"),
)

# By title only: the name field carries the office, never a person's name.
OFFICIALS = (
    Official(
        "pho-chu-tich-ubnd",
        "Phó Chủ tịch Thường trực UBND thành phố",
        "Ủy ban nhân dân thành phố Huế",
        "official",
    ),
    Official(
        "giam-doc-so-khcn",
        "Giám đốc Sở Khoa học và Công nghệ",
        "Sở Khoa học và Công nghệ thành phố Huế",
        "official2",
    ),
    Official(
        "giam-doc-ioc",
        "Giám đốc Trung tâm Giám sát, điều hành đô thị thông minh (IOC)",
        "Trung tâm Giám sát, điều hành đô thị thông minh thành phố Huế",
        "official3",
    ),
)

#: Each topic's natural official, suggested for its questions until a moderator
#: routes them: the city's leader for digital government, the IOC for the
#: smart city, the Department of Science and Technology (which took over
#: Information and Communications in 2025) for the rest.
TOPIC_OFFICIALS = {
    "chinh-quyen-so": "pho-chu-tich-ubnd",
    "kinh-te-so": "giam-doc-so-khcn",
    "xa-hoi-so": "giam-doc-so-khcn",
    "dich-vu-cong-truc-tuyen": "giam-doc-so-khcn",
    "ha-tang-so": "giam-doc-so-khcn",
    "do-thi-thong-minh": "giam-doc-ioc",
}

#: Some of the city's communes and wards since July 2025 (no districts any more).
LOCALITIES = (
    "Phường Phú Xuân",
    "Phường Thuận Hóa",
    "Phường Hương Thủy",
    "Phường Phú Bài",
    "Phường Hương Trà",
    "Phường Phong Điền",
    "Phường Thuận An",
    "Xã Quảng Điền",
    "Xã Phú Vang",
    "Xã Phú Lộc",
    "Xã Khe Tre",
    "Xã A Lưới 2",
)

#: username, roles, display name. Official accounts answer as OFFICIALS above.
STAFF: tuple[tuple[str, frozenset[Role], str], ...] = (
    ("admin", frozenset({Role.ADMIN}), "Quản trị viên hệ thống"),
    ("moderator", frozenset({Role.MODERATOR}), "Kiểm duyệt viên (ban tổ chức)"),
    ("producer", frozenset({Role.PRODUCER}), "Đạo diễn chương trình"),
    ("secretary", frozenset({Role.SECRETARY}), "Thư ký chương trình"),
    *((o.username or "", frozenset({Role.OFFICIAL}), o.name) for o in OFFICIALS),
)

#: Channels of questions staff type in for callers and e-mails.
STAFF_CHANNELS = ("hotline", "email", "paper")

# The questions, in the order they arrive, each with the state the demo leaves
# it in. ``official`` routes it (an OFFICIALS id); ``votes`` are viewers'
# upvotes; ``answer`` is the live summary (none yet: the public page points to
# the moment in the recording until the official or the secretary writes it);
# ``due`` owes a deferred question in writing by the day the wrap-up would
# give it (without: promised in writing, dated at the wrap-up); ``note`` is a
# staff-only note; ``edit`` is the moderator's corrected text (the original is
# kept); ``into`` names the question a duplicate is merged into; ``reason`` is
# a reject code.
QUESTIONS: list[dict[str, Any]] = [
    # -- answered live ------------------------------------------------------
    {
        "key": "muc-tieu-chuyen-doi-so",
        "state": "answered",
        "name": "Nguyễn Văn Hùng",
        "locality": "Phường Phú Xuân",
        "topic": "chinh-quyen-so",
        "text": "Huế được đánh giá là một trong những địa phương đi đầu về chuyển đổi số. "
        "Nay Huế đã là thành phố trực thuộc Trung ương, xin lãnh đạo thành phố cho biết "
        "chặng tiếp theo là gì, và người dân bình thường sẽ được hưởng lợi cụ thể ra sao?",
        "official": "pho-chu-tich-ubnd",
        "votes": 14,
        "answer": "Cảm ơn anh Hùng. Hai năm 2020 và 2021, Thừa Thiên Huế xếp thứ 2/63 tỉnh, "
        "thành về chỉ số chuyển đổi số cấp tỉnh, và giai đoạn đến năm 2025 đặt mục tiêu đạt "
        "100% tiêu chí chính quyền số, hơn 90% dịch vụ công đạt cấp độ 4, kinh tế số chiếm "
        "15-20% GRDP. Là thành phố trực thuộc Trung ương, Huế tiếp tục lấy người dân, doanh "
        "nghiệp làm trung tâm: chuyển đổi số phải giúp bà con làm thủ tục, dùng dịch vụ công "
        "và tiện ích xã hội thuận tiện hơn, nhanh hơn, hiệu quả hơn.",
    },
    {
        "key": "dvc-muc-do-4",
        "state": "answered",
        "name": "Trần Thị Mai",
        "organization": "Công ty TNHH Thương mại Hương Giang Xanh",
        "locality": "Phường Hương Thủy",
        "topic": "dich-vu-cong-truc-tuyen",
        "text": "Doanh nghiệp chúng tôi đã nộp hồ sơ trực tuyến toàn trình nhưng một số thủ "
        "tục vẫn yêu cầu mang bản giấy đến đối chiếu. Khi nào thì nộp trực tuyến được "
        "trọn vẹn, không phải đi lại nữa?",
        "contact": {"email": "mai.tran@example.com"},
        "official": "giam-doc-so-khcn",
        "votes": 9,
        "answer": "Cảm ơn chị Mai đã phản ánh. Mục tiêu thành phố đặt ra là hơn 90% dịch vụ "
        "công đạt cấp độ 4, nay gọi là dịch vụ công trực tuyến toàn trình, tức là người dân, "
        "doanh nghiệp làm trọn vẹn trên môi trường mạng mà không phải nộp lại bản giấy. Sở "
        "sẽ cùng các sở, ngành rà soát những thủ tục còn đòi bản giấy, chị gửi giúp tên thủ "
        "tục cụ thể qua Hue-S để chúng tôi kiểm tra và trả lời doanh nghiệp.",
    },
    {
        "key": "hue-s-phan-anh",
        "state": "answered",
        "name": "Lê Quang Minh",
        "locality": "Phường Thuận Hóa",
        "topic": "do-thi-thong-minh",
        "text": "Tôi gửi phản ánh về ổ gà trên đường qua Hue-S, được tiếp nhận rất nhanh "
        "nhưng không biết khi nào sửa xong. Trung tâm IOC có thể cho người dân theo dõi "
        "tiến độ xử lý từng phản ánh không?",
        "official": "giam-doc-ioc",
        "votes": 7,
        "answer": "Cảm ơn anh Minh. Mỗi phản ánh trên Hue-S được Trung tâm chuyển ngay đến "
        "đơn vị có trách nhiệm, và kết quả xử lý được trả lại cho người gửi trên ứng dụng. "
        "Chúng tôi sẽ yêu cầu các đơn vị cập nhật tiến độ thường xuyên hơn, kèm hình ảnh "
        "sau khi khắc phục, để anh và bà con thấy rõ phản ánh của mình đã được giải quyết "
        "đến đâu.",
    },
    {
        "key": "song-4g-a-luoi",
        "state": "answered",
        "name": "Hồ Văn Thạnh",
        "locality": "Xã A Lưới 2",
        "topic": "ha-tang-so",
        "text": "Ở thôn tôi trên A Lưới sóng 4G rất yếu, nhiều chỗ mất sóng hẳn, học sinh học "
        "trực tuyến và bà con dùng Hue-S đều khó. Thành phố có kế hoạch gì để phủ sóng di "
        "động và kéo cáp quang về các thôn vùng cao không?",
        "official": "giam-doc-so-khcn",
        "votes": 11,
        "answer": "Cảm ơn anh Thạnh. Hạ tầng số là nền móng của chuyển đổi số, và thành phố "
        "xác định không để vùng cao đứng ngoài. Sở đang cùng các doanh nghiệp viễn thông và "
        "UBND các xã rà soát những thôn còn lõm sóng ở các xã vùng cao A Lưới, Khe Tre để ưu "
        "tiên phủ sóng di động và kéo cáp quang. Bà con báo vị trí cụ thể qua UBND xã hoặc "
        "Hue-S để được đưa vào danh sách ưu tiên.",
    },
    {
        "key": "hue-s-nguoi-cao-tuoi",
        "state": "answered",
        "name": "Trương Thị Lài",
        "locality": "Phường Hương Thủy",
        "topic": "xa-hoi-so",
        "text": "Bố mẹ tôi đã ngoài 70 tuổi, muốn dùng Hue-S để đặt lịch khám bệnh và nhận "
        "thông báo của phường nhưng thấy ứng dụng khó dùng. Thành phố có hướng dẫn riêng "
        "hoặc chế độ đơn giản cho người cao tuổi không?",
        "official": "giam-doc-so-khcn",
        "votes": 5,
    },
    # -- on air, with a duplicate merged into it ----------------------------
    {
        "key": "cho-dong-ba-qr",
        "state": "on_air",
        "name": "Phan Thị Ngọc Anh",
        "organization": "Tiểu thương chợ Đông Ba",
        "locality": "Phường Phú Xuân",
        "topic": "kinh-te-so",
        "text": "Tiểu thương chợ Đông Ba đã được hướng dẫn treo mã QR để khách chuyển khoản, "
        "nhưng nhiều cô chú lớn tuổi chưa quen dùng điện thoại thông minh. Thành phố có tập "
        "huấn ngay tại chợ không, và thanh toán không dùng tiền mặt có làm phát sinh thêm "
        "phí cho tiểu thương không?",
        "official": "giam-doc-so-khcn",
        "votes": 18,
    },
    {
        "key": "cho-dong-ba-qr-2",
        "state": "merged",
        "into": "cho-dong-ba-qr",
        "name": "Dương Thị Hoa",
        "locality": "Phường Phú Xuân",
        "topic": "kinh-te-so",
        "text": "cho hoi tieu thuong cho Dong Ba dung ma QR thanh toan co bi mat phi khong, "
        "ai se huong dan cho nguoi lon tuoi a",
    },
    # -- in the on-air queue ------------------------------------------------
    {
        "key": "camera-giao-thong",
        "state": "queued",
        "name": "Đặng Minh Tuấn",
        "locality": "Phường Thuận Hóa",
        "topic": "do-thi-thong-minh",
        "text": "Camera giám sát của Trung tâm IOC đã được dùng để điều tiết giao thông ở các "
        "nút hay ùn tắc giờ cao điểm chưa? Người dân có thể xem tình hình giao thông trực "
        "tiếp trên Hue-S trước khi ra đường không?",
        "official": "giam-doc-ioc",
        "votes": 6,
    },
    {
        "key": "ve-dien-tu-dai-noi",
        "state": "queued",
        "name": "Tôn Nữ Thanh Tâm",
        "organization": "Homestay Vườn Nhà Tâm",
        "locality": "Phường Phú Xuân",
        "topic": "kinh-te-so",
        "text": "Tôi kinh doanh homestay gần Đại Nội, khách nước ngoài thường hỏi mua vé tham "
        "quan Đại Nội và các lăng trên mạng. Thành phố có kế hoạch bán vé điện tử, quét mã "
        "QR tại cổng và cho các cơ sở lưu trú giới thiệu, đặt vé giúp khách không?",
        "contact": {"phone": "0900 000 102", "email": "vuonnhatam@example.com"},
        "official": "pho-chu-tich-ubnd",
        "votes": 8,
    },
    {
        "key": "ky-nang-so-nguoi-gia",
        "state": "queued",
        "channel": "hotline",
        "name": "Trần Văn Lợi",
        "locality": "Xã Quảng Điền",
        "topic": "xa-hoi-so",
        "text": "Tôi năm nay 68 tuổi, con cháu đi làm xa, muốn tự làm thủ tục trên điện thoại "
        "mà không biết bắt đầu từ đâu. Ở xã có ai hướng dẫn người già cài Hue-S và dùng "
        "dịch vụ công không?",
        "contact": {"phone": "0900 000 103"},
        "official": "giam-doc-so-khcn",
        "votes": 5,
    },
    {
        "key": "den-duong-thong-minh",
        "state": "queued",
        "name": "Ngô Đức Thắng",
        "locality": "Phường Hương Thủy",
        "topic": "do-thi-thong-minh",
        "text": "Nhiều tuyến đường ở Hương Thủy đèn vẫn sáng đến gần trưa, có đoạn lại tắt cả "
        "tuần không ai sửa. Thành phố có mở rộng chiếu sáng thông minh, tự điều chỉnh theo "
        "giờ và báo hỏng về trung tâm điều hành không?",
        "official": "giam-doc-ioc",
        "votes": 3,
    },
    # -- approved (on the public feed), some routed to an official ----------
    {
        "key": "ngu-dan-phu-vang",
        "state": "approved",
        "name": "Huỳnh Văn Phúc",
        "organization": "Tổ hợp tác khai thác hải sản Thuận An",
        "locality": "Phường Thuận An",
        "topic": "kinh-te-so",
        "text": "Ngư dân Thuận An đánh bắt về thường phải bán cho thương lái với giá thấp. "
        "Thành phố có hỗ trợ đưa hải sản của bà con lên sàn thương mại điện tử, hướng dẫn "
        "đóng gói, giao hàng và thanh toán trực tuyến không?",
        "official": "giam-doc-so-khcn",
        "votes": 8,
    },
    {
        "key": "bao-ve-du-lieu",
        "state": "approved",
        "name": "Phạm Thị Thu Hà",
        "locality": "Phường Thuận Hóa",
        "topic": "chinh-quyen-so",
        "text": "Khi dùng Hue-S và cổng dịch vụ công, người dân phải khai rất nhiều thông tin "
        "cá nhân. Thành phố bảo vệ dữ liệu này thế nào, ai được quyền xem, và nếu bị lộ thì "
        "người dân khiếu nại ở đâu?",
        "official": "giam-doc-so-khcn",
        "votes": 10,
    },
    {
        "key": "truong-mien-nui",
        "state": "approved",
        "name": "Võ Thị Lan",
        "organization": "Trường Tiểu học Khe Tre",
        "locality": "Xã Khe Tre",
        "topic": "xa-hoi-so",
        "text": "Trường chúng tôi đã dùng sổ liên lạc điện tử và học bạ số nhưng đường truyền "
        "chập chờn, máy tính của giáo viên đã cũ. Thành phố có hỗ trợ thiết bị và đường "
        "truyền cho các trường miền núi không?",
        "votes": 4,
    },
    {
        "key": "ocop-phong-dien",
        "state": "approved",
        "name": "Mai Xuân Thịnh",
        "organization": "Hợp tác xã dịch vụ nông nghiệp Phong Hòa Xanh",
        "locality": "Phường Phong Điền",
        "topic": "kinh-te-so",
        "text": "Hợp tác xã chúng tôi có sản phẩm OCOP nhưng chưa biết bán trên sàn thương "
        "mại điện tử và làm tem truy xuất nguồn gốc bằng mã QR. Thành phố có chương trình "
        "hỗ trợ chi phí và hướng dẫn cho hợp tác xã không?",
        "votes": 3,
    },
    {
        "key": "doanh-nghiep-nho",
        "state": "approved",
        "name": "Trương Công Danh",
        "organization": "Công ty TNHH Cơ khí Phú Bài",
        "locality": "Phường Phú Bài",
        "topic": "kinh-te-so",
        "text": "Doanh nghiệp nhỏ như chúng tôi muốn dùng hóa đơn điện tử, chữ ký số và phần "
        "mềm quản lý trên nền tảng số, nhưng chi phí hằng năm khá cao. Thành phố có chính "
        "sách hỗ trợ doanh nghiệp nhỏ và vừa chuyển đổi số không?",
        "contact": {"email": "congdanh.cokhi@example.com"},
        "votes": 2,
    },
    {
        "key": "khai-sinh-truc-tuyen",
        "state": "approved",
        "name": "Nguyen Thi Hanh",
        "locality": "Xã Phú Lộc",
        "topic": "dich-vu-cong-truc-tuyen",
        "text": "toi muon dang ky khai sinh cho con tren mang thi lam the nao, co phai ra uy "
        "ban xa nua khong",
        "edit": "Tôi muốn đăng ký khai sinh cho con trên mạng thì làm thế nào, có phải ra ủy "
        "ban xã nữa không?",
        "votes": 1,
    },
    {
        "key": "canh-bao-lu",
        "state": "approved",
        "name": "Châu Ngọc Sơn",
        "locality": "Phường Hương Trà",
        "topic": "do-thi-thong-minh",
        "text": "Mùa mưa lũ năm nào vùng trũng Hương Trà cũng bị ngập. Hue-S có thể gửi cảnh "
        "báo mực nước và thông báo xả lũ của các hồ chứa đến điện thoại người dân sớm hơn "
        "không?",
        "official": "giam-doc-ioc",
        "votes": 9,
    },
    # -- deferred: to be answered in writing after the broadcast ------------
    {
        "key": "so-hoa-dia-chinh",
        "state": "deferred",
        "name": "Bùi Thị Hương",
        "locality": "Phường Hương Trà",
        "topic": "chinh-quyen-so",
        "text": "Giấy chứng nhận quyền sử dụng đất của gia đình tôi cấp từ những năm 1990, mỗi "
        "lần làm thủ tục phải chờ tra cứu hồ sơ giấy rất lâu. Việc số hóa hồ sơ địa chính "
        "của thành phố đến đâu, khi nào người dân tra cứu được trên mạng?",
        "official": "pho-chu-tich-ubnd",
        "note": "Đề nghị Sở Nông nghiệp và Môi trường chuẩn bị nội dung trả lời bằng văn bản.",
        "votes": 6,
    },
    {
        "key": "ho-so-suc-khoe",
        "state": "deferred",
        "channel": "email",
        "name": "Hoàng Văn Nam",
        "locality": "Phường Phong Điền",
        "topic": "xa-hoi-so",
        "text": "Tôi nghe nói mỗi người dân sẽ có hồ sơ sức khỏe điện tử. Khi khám ở trạm y "
        "tế xã rồi chuyển lên bệnh viện tuyến trên, bác sĩ có xem được lịch sử khám của "
        "tôi không, và tôi tự xem hồ sơ của mình ở đâu?",
        "contact": {"email": "hoangnam.pd@example.com"},
        "official": "giam-doc-so-khcn",
        "note": "Đề nghị Sở Y tế phối hợp trả lời bằng văn bản.",
        "due": True,
        "votes": 4,
    },
    # -- rejected, with the reason the asker sees ---------------------------
    {
        "key": "tranh-chap-dat",
        "state": "rejected",
        "reason": "personal_case",
        "name": "Lê Thị Kim Oanh",
        "locality": "Xã Phú Vang",
        "topic": "chinh-quyen-so",
        "text": "Nhà hàng xóm xây tường lấn sang đất nhà tôi gần nửa mét, tôi làm đơn gửi xã "
        "từ năm ngoái mà chưa được giải quyết. Đề nghị lãnh đạo thành phố can thiệp.",
        "contact": {"phone": "0900 000 104"},
    },
    {
        "key": "luong-giao-vien",
        "state": "rejected",
        "reason": "off_topic",
        "name": "Phạm Văn Khánh",
        "locality": "Phường Hương Thủy",
        "text": "Xin hỏi năm nay giáo viên hợp đồng có được tăng lương không, bao giờ thì có "
        "quyết định?",
    },
    {
        "key": "quang-cao-sim",
        "state": "rejected",
        "reason": "spam",
        "name": "Sim số đẹp Huế",
        "locality": "Phường Thuận Hóa",
        "text": "Bán sim số đẹp, sim 4G data không giới hạn giá rẻ, giao tận nơi toàn thành phố, "
        "nhắn tin ngay để nhận ưu đãi!!!",
    },
    # -- pending: waiting for the moderator ---------------------------------
    {
        "key": "thue-dat-the-ngan-hang",
        "state": "pending",
        "name": "Tran Van Long",
        "locality": "Xã Quảng Điền",
        "topic": "dich-vu-cong-truc-tuyen",
        "text": "cho em hoi nop thue dat qua dich vu cong truc tuyen thi thanh toan bang the "
        "ngan hang duoc chua a",
    },
    {
        # The same question in other words: intake suggests the one above.
        "key": "thue-dat-the-ngan-hang-2",
        "state": "pending",
        "name": "Nguyễn Thị Mai",
        "locality": "Xã Quảng Điền",
        "topic": "dich-vu-cong-truc-tuyen",
        "text": "Nộp thuế đất trên cổng dịch vụ công trực tuyến có thanh toán được bằng thẻ "
        "ngân hàng không ạ?",
    },
    {
        "key": "wifi-cong-cong",
        "state": "pending",
        "name": "Nguyễn Phước Bảo",
        "locality": "Phường Phú Xuân",
        "topic": "ha-tang-so",
        "text": "Ở Đại Nội, phố đi bộ và chợ Đông Ba du khách hay hỏi wifi công cộng miễn phí. "
        "Thành phố có kế hoạch mở rộng và nâng tốc độ wifi công cộng ở các khu vực này "
        "không?",
    },
    {
        "key": "lua-dao-qua-mang",
        "state": "pending",
        "name": "Đỗ Thị Thanh Thủy",
        "locality": "Phường Hương Trà",
        "topic": "xa-hoi-so",
        "text": "Bố mẹ tôi vừa bị gọi điện giả danh công an, bảo cài một ứng dụng lạ. Thành "
        "phố có thể gửi cảnh báo lừa đảo qua Hue-S và hướng dẫn người cao tuổi cách nhận "
        "biết không?",
    },
    {
        "key": "to-cong-nghe-so",
        "state": "pending",
        "channel": "hotline",
        "name": "Trần Thị Liên",
        "locality": "Xã Khe Tre",
        "topic": "xa-hoi-so",
        "text": "Tổ công nghệ số cộng đồng ở thôn tôi có người nhưng ít khi đến từng nhà hướng "
        "dẫn. Các tổ này có được hỗ trợ kinh phí, điện thoại hay tập huấn gì không?",
        "contact": {"phone": "0900 000 105"},
    },
    {
        "key": "bai-do-xe",
        "state": "pending",
        "name": "Lê Hoàng Việt",
        "locality": "Phường Thuận Hóa",
        "topic": "do-thi-thong-minh",
        "text": "Xe du lịch đưa khách vào trung tâm thành phố Huế rất khó tìm chỗ đỗ. Có ứng "
        "dụng nào cho biết bãi đỗ còn trống và trả phí đỗ xe không dùng tiền mặt không?",
    },
    {
        "key": "lua-huu-co-qr",
        "state": "pending",
        "channel": "email",
        "name": "Huỳnh Thị Bích",
        "organization": "Tổ hợp tác lúa hữu cơ Tam Giang",
        "locality": "Xã Quảng Điền",
        "topic": "kinh-te-so",
        "text": "Tổ hợp tác chúng tôi trồng lúa hữu cơ, muốn gắn mã QR truy xuất nguồn gốc và "
        "nhận đặt hàng trực tuyến. Thành phố có nền tảng dùng chung nào để đăng ký miễn phí "
        "không?",
        "contact": {"email": "luahuuco.tamgiang@example.com"},
    },
    {
        "key": "nong-san-a-luoi",
        "state": "pending",
        "name": "Ho Thi Nga",
        "locality": "Xã A Lưới 2",
        "topic": "kinh-te-so",
        "text": "minh o A Luoi muon ban mang rung, mat ong len mang ma it shipper chiu vao, "
        "thanh pho co ho tro van chuyen nong san cho ba con vung cao khong",
    },
    {
        "key": "hoc-phi-vien-phi",
        "state": "pending",
        "name": "Phan Văn Đức",
        "locality": "Xã Phú Vang",
        "topic": "xa-hoi-so",
        "text": "Trường của con tôi thu học phí không dùng tiền mặt, nhưng mỗi nơi dùng một "
        "ngân hàng, một ứng dụng khác nhau. Thành phố có thể thống nhất cách nộp học phí, "
        "viện phí qua Hue-S cho tiện không?",
    },
]
