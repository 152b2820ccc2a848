"""Every string a customer sees, in English, Hebrew, Chinese, Romanian, Georgian and Persian.

Kept in one table so a translator edits one file.  Hebrew and Persian lines get
a right-to-left mark so Slack lays out their punctuation and embedded
numbers/ticket ids in reading order.
"""

from __future__ import annotations

RLM = "\u200f"
LANGUAGES = ("en", "he", "zh", "ro", "ka", "fa")
RTL_LANGUAGES = frozenset({"he", "fa"})

MESSAGES: dict[str, dict[str, str]] = {
    "question_nps": {
        "en": "How likely are you to recommend us to a friend or colleague?",
        "he": "עד כמה סביר שתמליצו עלינו לחבר או לעמית?",
        "zh": "您有多大可能向朋友或同事推荐我们？",
        "ro": "Cât de probabil este să ne recomandați unui prieten sau coleg?",
        "ka": "რამდენად სავარაუდოა, რომ ჩვენ მეგობარს ან კოლეგას გაგვიწევთ რეკომენდაციას?",
        "fa": "چقدر احتمال دارد ما را به یک دوست یا همکار پیشنهاد کنید؟",
    },
    "question_csat": {
        "en": "How satisfied are you with the support you received on ticket {ticket}?",
        "he": "עד כמה הייתם מרוצים מהשירות שקיבלתם בפנייה {ticket}?",
        "zh": "您对工单 {ticket} 获得的支持服务满意吗？",
        "ro": "Cât de mulțumit ați fost de asistența primită pentru solicitarea {ticket}?",
        "ka": "რამდენად კმაყოფილი ხართ მიღებული მხარდაჭერით მოთხოვნაზე {ticket}?",
        "fa": "از پشتیبانی‌ای که برای درخواست {ticket} دریافت کردید چقدر راضی هستید؟",
    },
    "question_ces": {
        "en": "How easy was it to get your issue on ticket {ticket} resolved?",
        "he": "עד כמה היה קל לפתור את הבעיה בפנייה {ticket}?",
        "zh": "解决工单 {ticket} 中的问题有多容易？",
        "ro": "Cât de ușor a fost să vă rezolvați problema din solicitarea {ticket}?",
        "ka": "რამდენად მარტივი იყო თქვენი პრობლემის მოგვარება მოთხოვნაზე {ticket}?",
        "fa": "حل شدن مشکل درخواست {ticket} چقدر آسان بود؟",
    },
    "scale_nps": {
        "en": "0 = not at all likely · 10 = extremely likely",
        "he": "0 = בכלל לא סביר · 10 = סביר מאוד",
        "zh": "0 = 完全不可能 · 10 = 非常可能",
        "ro": "0 = deloc probabil · 10 = foarte probabil",
        "ka": "0 = სრულიად არ არის სავარაუდო · 10 = ძალიან სავარაუდოა",
        "fa": "0 = اصلاً · 10 = خیلی زیاد",
    },
    "scale_csat": {
        "en": "1 = very dissatisfied · 5 = very satisfied",
        "he": "1 = לא מרוצה בכלל · 5 = מרוצה מאוד",
        "zh": "1 = 非常不满意 · 5 = 非常满意",
        "ro": "1 = deloc mulțumit · 5 = foarte mulțumit",
        "ka": "1 = სრულიად უკმაყოფილო · 5 = ძალიან კმაყოფილი",
        "fa": "1 = اصلاً راضی نیستم · 5 = خیلی راضی هستم",
    },
    "scale_ces": {
        "en": "1 = very difficult · 7 = very easy",
        "he": "1 = קשה מאוד · 7 = קל מאוד",
        "zh": "1 = 非常困难 · 7 = 非常容易",
        "ro": "1 = foarte dificil · 7 = foarte ușor",
        "ka": "1 = ძალიან რთული · 7 = ძალიან მარტივი",
        "fa": "1 = خیلی سخت · 7 = خیلی آسان",
    },
    "thanks": {
        "en": "Thanks for your feedback! Your score: {score}",
        "he": "תודה על המשוב! הציון שלך: {score}",
        "zh": "感谢您的反馈！您的评分：{score}",
        "ro": "Vă mulțumim pentru feedback! Scorul dvs.: {score}",
        "ka": "გმადლობთ გამოხმაურებისთვის! თქვენი შეფასება: {score}",
        "fa": "از بازخورد شما ممنونیم! امتیاز شما: {score}",
    },
    "ask_low": {
        "en": "Sorry to hear that. What went wrong? Your words help us fix it.",
        "he": "מצטערים לשמוע. מה השתבש? התשובה שלך תעזור לנו לתקן.",
        "zh": "很抱歉给您带来不好的体验。哪里出了问题？您的意见能帮助我们改进。",
        "ro": "Ne pare rău. Ce nu a mers bine? Răspunsul dvs. ne ajută să reparăm.",
        "ka": "ვწუხვართ. რა წავიდა ცუდად? თქვენი პასუხი დაგვეხმარება გამოსწორებაში.",
        "fa": "متأسفیم. چه چیزی درست پیش نرفت؟ نظر شما به ما کمک می‌کند آن را درست کنیم.",
    },
    "ask_mid": {
        "en": "What could we have done better?",
        "he": "מה היינו יכולים לעשות טוב יותר?",
        "zh": "我们哪些方面可以做得更好？",
        "ro": "Ce am fi putut face mai bine?",
        "ka": "რა შეგვეძლო უკეთესად გაგვეკეთებინა?",
        "fa": "چه کاری را می‌توانستیم بهتر انجام دهیم؟",
    },
    "ask_high": {
        "en": "Great to hear! What did we do well?",
        "he": "שמחים לשמוע! מה עשינו טוב?",
        "zh": "很高兴听到！哪些地方让您满意？",
        "ro": "Ne bucurăm! Ce am făcut bine?",
        "ka": "გვიხარია! რა გავაკეთეთ კარგად?",
        "fa": "خوشحالیم! چه چیزی خوب بود؟",
    },
    "add_comment": {
        "en": "Add a comment",
        "he": "הוספת הערה",
        "zh": "添加评论",
        "ro": "Adăugați un comentariu",
        "ka": "კომენტარის დამატება",
        "fa": "افزودن نظر",
    },
    "reply_hint": {
        "en": "You can also reply in this thread. Click another number to change your score.",
        "he": "אפשר גם להשיב בשרשור הזה. לחיצה על מספר אחר תשנה את הציון.",
        "zh": "您也可以直接在此话题中回复。点击其他数字可修改评分。",
        "ro": "Puteți răspunde și în acest fir. Apăsați alt număr pentru a schimba scorul.",
        "ka": "შეგიძლიათ ამ თემაშიც უპასუხოთ. შეფასების შესაცვლელად დააჭირეთ სხვა ციფრს.",
        "fa": "می‌توانید در همین رشته هم پاسخ دهید. برای تغییر امتیاز، عدد دیگری را بزنید.",
    },
    "reason_slow": {
        "en": "Too slow",
        "he": "איטי מדי",
        "zh": "太慢",
        "ro": "Prea lent",
        "ka": "ძალიან ნელი",
        "fa": "خیلی کند بود",
    },
    "reason_unsolved": {
        "en": "Not solved",
        "he": "לא נפתר",
        "zh": "没有解决",
        "ro": "Nerezolvat",
        "ka": "არ მოგვარდა",
        "fa": "مشکل حل نشد",
    },
    "reason_unfriendly": {
        "en": "Unfriendly",
        "he": "לא אדיב",
        "zh": "态度不好",
        "ro": "Neprietenos",
        "ka": "არათავაზიანი",
        "fa": "برخورد نامناسب",
    },
    "reason_repeat": {
        "en": "Had to repeat myself",
        "he": "נאלצתי לחזור על עצמי",
        "zh": "需要反复说明",
        "ro": "A trebuit să repet",
        "ka": "მომიწია გამეორება",
        "fa": "مجبور شدم تکرار کنم",
    },
    "modal_title": {
        "en": "Your feedback",
        "he": "המשוב שלך",
        "zh": "您的反馈",
        "ro": "Feedbackul dvs.",
        "ka": "გამოხმაურება",
        "fa": "بازخورد شما",
    },
    "modal_label": {
        "en": "Comment (optional)",
        "he": "הערה (לא חובה)",
        "zh": "评论（选填）",
        "ro": "Comentariu (opțional)",
        "ka": "კომენტარი (არასავალდებულო)",
        "fa": "نظر (اختیاری)",
    },
    "modal_submit": {
        "en": "Send",
        "he": "שליחה",
        "zh": "提交",
        "ro": "Trimite",
        "ka": "გაგზავნა",
        "fa": "ارسال",
    },
    "modal_close": {
        "en": "Cancel",
        "he": "ביטול",
        "zh": "取消",
        "ro": "Anulează",
        "ka": "გაუქმება",
        "fa": "انصراف",
    },
    "comment_saved": {
        "en": "Thank you — your comment was saved.",
        "he": "תודה — ההערה שלך נשמרה.",
        "zh": "谢谢——您的评论已保存。",
        "ro": "Mulțumim — comentariul dvs. a fost salvat.",
        "ka": "გმადლობთ — თქვენი კომენტარი შენახულია.",
        "fa": "ممنون — نظر شما ذخیره شد.",
    },
    "reminder": {
        "en": "Reminder: we'd love to hear how we did on ticket {ticket}. One click is enough.",
        "he": "תזכורת: נשמח לדעת איך טיפלנו בפנייה {ticket}. מספיקה לחיצה אחת.",
        "zh": "提醒：我们很想知道您对工单 {ticket} 的处理是否满意，点一下即可。",
        "ro": "Reamintire: ne-ar ajuta să aflăm cum a decurs solicitarea {ticket}. Un singur clic e suficient.",
        "ka": "შეხსენება: გვაინტერესებს, როგორ მოვაგვარეთ მოთხოვნა {ticket}. საკმარისია ერთი დაჭერა.",
        "fa": "یادآوری: دوست داریم بدانیم رسیدگی به درخواست {ticket} چطور بود. یک کلیک کافی است.",
    },
    "expired": {
        "en": "This survey has closed. Thank you!",
        "he": "הסקר הזה נסגר. תודה!",
        "zh": "本次调查已结束，谢谢！",
        "ro": "Acest sondaj s-a încheiat. Mulțumim!",
        "ka": "ეს გამოკითხვა დასრულებულია. გმადლობთ!",
        "fa": "این نظرسنجی بسته شده است. ممنون!",
    },
    "not_for_you": {
        "en": "Only the customer this survey was sent to can answer it.",
        "he": "רק הלקוח שאליו נשלח הסקר יכול לענות עליו.",
        "zh": "只有收到此调查的客户才能作答。",
        "ro": "Doar clientul căruia i-a fost trimis sondajul poate răspunde.",
        "ka": "ამ გამოკითხვას მხოლოდ ის კლიენტი პასუხობს, ვისაც გაეგზავნა.",
        "fa": "فقط مشتری‌ای که این نظرسنجی برایش فرستاده شده می‌تواند پاسخ دهد.",
    },
    "closed_click": {
        "en": "This survey is closed, so that answer was not recorded.",
        "he": "הסקר נסגר, ולכן התשובה לא נשמרה.",
        "zh": "调查已结束，此回答未被记录。",
        "ro": "Sondajul s-a încheiat, așa că răspunsul nu a fost înregistrat.",
        "ka": "გამოკითხვა დასრულებულია, ამიტომ პასუხი არ შეინახა.",
        "fa": "این نظرسنجی بسته شده و پاسخ ثبت نشد.",
    },
}

REASONS = ("slow", "unsolved", "unfriendly", "repeat")


def language_for_locale(locale: str | None) -> str:
    """``he-IL`` → ``he``; anything unsupported falls back to English."""
    language = (locale or "en").replace("_", "-").split("-")[0].lower()
    return language if language in LANGUAGES else "en"


def text(key: str, language: str, **values: object) -> str:
    """The message in ``language`` (English if missing), filled and direction-marked."""
    table = MESSAGES[key]
    message = table.get(language) or table["en"]
    message = message.format(**values) if values else message
    return f"{RLM}{message}" if language in RTL_LANGUAGES else message
