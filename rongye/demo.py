"""A deterministic, bilingual synthetic population for demonstrations: `flask --app app demo`.

Everything is drawn from one `random.Random(seed)` and every date from `today`, so the same seed
and day give the same database. Nobody here is real; names are common Chinese names.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.catalogue import BUILTIN_ACCOMMODATIONS, DOMAINS
from rongye.models import (
    Accommodation,
    Account,
    AuditEvent,
    ConsentEvent,
    FollowUp,
    Organisation,
    Placement,
    Position,
    SeekerProfile,
)
from rongye.services.accounts import password_hasher

PASSWORD = "rongye-demo"
DOMAIN = "demo.rongye"
N_SEEKERS = 320
N_PLACEMENTS = 150
SEEKER_ACCOUNT_SHARE = 0.1
FOLLOW_UP_OFFSETS = (30, 90, 180, 365, 730)
NEW_FORM = ("data_annotation", "customer_service", "ecommerce", "content_review", "livestream")

#: Agency name, region, the regions its caseload comes from (repeated = more often).
AGENCIES = (
    ("北京融业残疾人就业服务中心", "北京", ("北京", "北京", "兰州", "天水", "成都")),
    ("江苏省融业助残社会工作服务社", "南京", ("南京", "苏州", "上海")),
)
NGO = ("融合就业研究促进会 Inclusive Employment Research Network", "北京")
REGIONS = ("北京", "南京", "苏州", "兰州", "天水", "上海", "成都")

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋"
    "唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = {
    "female": ("芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "婷", "雪", "慧", "玲", "欣怡",
               "雨涵", "晓燕", "秀英", "桂兰", "佳琪", "梦瑶", "思彤"),
    "male": ("伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "刚", "辉", "鹏",
             "浩然", "子轩", "建国", "志强", "宇航", "俊杰", "文博"),
}


class Brand(NamedTuple):
    name: str
    trade: str
    work_types: tuple[str, ...]
    blurb: str


#: Employer brands; each appears in up to three cities ("{city}{name}{trade}有限公司").
BRANDS = (
    Brand("融智", "数据科技", NEW_FORM, "AI 数据服务与远程运营 / AI data services, remote ops"),
    Brand("智标", "信息技术", ("data_annotation", "content_review"), "图像与语音标注 / Annotation"),
    Brand("声云", "网络科技", ("customer_service",), "云客服外包 / Cloud contact centre"),
    Brand("优品汇", "电子商务", ("ecommerce", "livestream"), "农产品电商 / Rural e-commerce"),
    Brand("清朗", "网络服务", ("content_review",), "内容安全服务 / Trust and safety"),
    Brand("星播", "文化传媒", ("livestream", "ecommerce"), "直播电商 / Livestream commerce"),
    Brand("数联", "科技服务", ("data_annotation", "customer_service"), "数据众包 / Crowd work"),
    Brand("暖阳", "电商服务", ("ecommerce", "customer_service"), "网店代运营 / Store operations"),
    Brand("知行", "信息服务", ("content_review", "data_annotation"), "文本审核 / Text review"),
    Brand("同心", "企业管理", ("office",), "人力资源外包 / HR outsourcing"),
    Brand("恒信", "包装制品", ("manufacturing",), "纸箱包装 / Packaging"),
    Brand("启明", "精密电子", ("manufacturing", "office"), "电子元件组装 / Assembly"),
    Brand("拾光", "餐饮管理", ("services",), "融合咖啡馆 / Inclusive cafés"),
    Brand("巧手", "工艺品", ("crafts",), "非遗手工 / Heritage crafts"),
)


class WorkSpec(NamedTuple):
    titles: tuple[str, ...]
    skills: tuple[str, ...]
    demands: dict[str, int]
    automation: tuple[float, float]
    pay: tuple[int, int]
    hours: tuple[int, ...]
    accommodations: tuple[str, ...]
    contracts: tuple[str, ...]
    volatility: float


POSITION_STATUSES = ("open", "paused", "closed", "draft")
#: employer@demo.rongye's positions: the second annotation one was automated away (closed).
DEMO_EMPLOYER_STATUSES = ("open", "open", "open", "open", "draft", "closed")
REMOTE_ACCS = ("screen_reader", "screen_magnifier", "text_communication", "captioning",
               "flexible_pace", "adapted_input", "easy_read", "job_coach", "quiet_space")
SITE_ACCS = ("step_free", "accessible_toilet", "quiet_space", "sign_language", "captioning",
             "text_communication", "job_coach", "easy_read", "flexible_pace",
             "personal_assistant", "screen_magnifier")
#: Share of its work type's accommodations an employer offers: the demo employers joined an
#: inclusive-hiring programme, so most say yes to most of them.
OFFER_RATE = 0.7
WORK_TYPES: dict[str, WorkSpec] = {
    "data_annotation": WorkSpec(
        ("数据标注员", "语音数据标注员", "图像标注质检员", "文本分类标注员"),
        ("数据标注", "data annotation", "图像标注", "语音转写", "文本分类"),
        {"seeing": 2, "cognition": 1, "upper_body": 1}, (0.75, 0.92), (1800, 4200),
        (20, 30, 40), REMOTE_ACCS, ("platform", "part_time", "fixed_term"), 0.18),
    "customer_service": WorkSpec(
        ("在线客服", "在线客服专员", "售后客服", "电话回访专员"),
        ("客服", "在线客服", "customer service", "售后处理", "打字"),
        {"communication": 2, "hearing": 1, "cognition": 1, "psychosocial": 1}, (0.5, 0.7),
        (2500, 5000), (20, 30, 40, 44), REMOTE_ACCS, ("fixed_term", "part_time", "permanent"),
        0.1),
    "ecommerce": WorkSpec(
        ("电商运营助理", "网店客服与上架专员", "商品详情页编辑", "电商数据分析助理"),
        ("电商运营", "商品上架", "淘宝店铺管理", "product listing", "数据分析", "Excel"),
        {"seeing": 1, "cognition": 2, "communication": 1}, (0.3, 0.5), (2800, 6500),
        (20, 30, 40), REMOTE_ACCS, ("fixed_term", "part_time", "permanent"), 0.25),
    "content_review": WorkSpec(
        ("内容审核员", "短视频审核员", "评论审核专员", "文字校对员"),
        ("内容审核", "content moderation", "短视频审核", "文字校对"),
        {"seeing": 2, "cognition": 2, "psychosocial": 1}, (0.4, 0.6), (2600, 5200),
        (30, 40, 44), REMOTE_ACCS, ("fixed_term", "platform", "permanent"), 0.1),
    "livestream": WorkSpec(
        ("直播场控", "直播助理", "短视频剪辑助理", "直播间运营"),
        ("直播助理", "直播场控", "短视频剪辑", "文案撰写", "livestream support"),
        {"seeing": 2, "hearing": 1, "communication": 2, "cognition": 1}, (0.2, 0.4),
        (2500, 8000), (10, 20, 30, 40), REMOTE_ACCS, ("platform", "part_time", "fixed_term"),
        0.35),
    "office": WorkSpec(
        ("行政助理", "档案整理员", "前台接待", "数据录入员"),
        ("行政助理", "文档录入", "Excel", "档案管理", "前台接待"),
        {"seeing": 1, "communication": 1, "cognition": 1, "walking": 1}, (0.4, 0.65),
        (3000, 5500), (30, 40), SITE_ACCS, ("permanent", "fixed_term"), 0.05),
    "manufacturing": WorkSpec(
        ("包装工", "质检员", "电子元件组装工", "流水线操作员"),
        ("包装", "质检", "组装", "流水线操作"),
        {"upper_body": 2, "walking": 1, "seeing": 1, "self_care": 1}, (0.45, 0.7),
        (3000, 5000), (40, 44), SITE_ACCS, ("permanent", "fixed_term"), 0.08),
    "services": WorkSpec(
        ("咖啡师", "烘焙助理", "盲人按摩师", "洗车店员工"),
        ("咖啡制作", "烘焙", "盲人按摩", "保洁", "普通话"),
        {"walking": 2, "upper_body": 2, "communication": 1, "self_care": 1}, (0.1, 0.3),
        (2600, 5500), (30, 40, 44), SITE_ACCS, ("permanent", "fixed_term", "part_time"), 0.15),
    "crafts": WorkSpec(
        ("手工艺品制作", "刺绣工", "手工编织师", "剪纸艺人"),
        ("手工编织", "剪纸", "刺绣", "陶艺", "串珠"),
        {"upper_body": 2, "seeing": 1}, (0.05, 0.15), (1800, 4000), (10, 20, 30),
        SITE_ACCS, ("part_time", "fixed_term", "platform"), 0.3),
}
COMMON_SKILLS = ("打字", "Excel", "Word", "微信沟通", "data entry", "普通话", "记账", "手工编织")
INTERESTS = ("远程工作", "remote work", "手工艺", "电商", "音乐", "阅读", "摄影", "photography",
             "烹饪", "写作", "短视频", "与人交流", "学习新技能", "稳定工作")


class Archetype(NamedTuple):
    category: str | None
    weight: int
    levels: dict[str, tuple[int, int]]
    needs: tuple[str, ...]
    tech: tuple[str, ...]
    affinity: tuple[str, ...]


ARCHETYPES = (
    Archetype("vision", 8, {"seeing": (3, 3)}, ("screen_reader",),
              ("读屏软件 NVDA", "争渡读屏", "iPhone VoiceOver", "盲杖"),
              ("customer_service", "services", "data_annotation")),
    Archetype("vision", 6, {"seeing": (2, 2)}, ("screen_magnifier",),
              ("屏幕放大软件", "大字体手机", "放大镜"), ("customer_service", "office", "crafts")),
    Archetype("hearing", 10, {"hearing": (3, 3), "communication": (1, 2)},
              ("sign_language", "captioning", "text_communication"),
              ("助听器", "人工耳蜗", "手语", "语音转文字 App"),
              ("data_annotation", "content_review", "ecommerce", "crafts")),
    Archetype("hearing", 6, {"hearing": (2, 2), "communication": (0, 1)}, ("captioning",),
              ("助听器", "语音转文字 App"), ("content_review", "office", "ecommerce")),
    Archetype("speech", 4, {"communication": (2, 3)}, ("text_communication",),
              ("文字沟通板", "输入法"), ("data_annotation", "ecommerce", "manufacturing")),
    Archetype("physical", 12, {"walking": (3, 3), "self_care": (0, 1)},
              ("step_free", "accessible_toilet"), ("手动轮椅", "电动轮椅"),
              ("customer_service", "ecommerce", "livestream", "office")),
    Archetype("physical", 8, {"walking": (1, 2)}, ("step_free",), ("拐杖", "假肢"),
              ("ecommerce", "livestream", "services", "office")),
    Archetype("physical", 5, {"upper_body": (2, 3), "self_care": (1, 3)},
              ("adapted_input", "personal_assistant"), ("语音输入", "单手键盘", "头控鼠标"),
              ("customer_service", "content_review", "livestream")),
    Archetype("intellectual", 9, {"cognition": (2, 3), "communication": (1, 1)},
              ("easy_read", "job_coach", "flexible_pace"), ("图示工作清单",),
              ("manufacturing", "services", "crafts")),
    Archetype("mental", 9, {"psychosocial": (2, 3), "cognition": (0, 1)},
              ("quiet_space", "flexible_pace"), ("降噪耳机",),
              ("data_annotation", "crafts", "ecommerce", "content_review")),
    Archetype("multiple", 4, {"seeing": (2, 2), "walking": (2, 2)},
              ("screen_magnifier", "step_free"), ("屏幕放大软件", "轮椅"),
              ("customer_service", "crafts")),
    Archetype("multiple", 3, {"cognition": (2, 2), "communication": (2, 2), "self_care": (1, 1)},
              ("job_coach", "personal_assistant", "easy_read"), ("图示工作清单",),
              ("crafts", "manufacturing")),
    Archetype(None, 3, {"psychosocial": (1, 1)}, ("flexible_pace",), (),
              ("ecommerce", "office")),
)
#: seeker@demo.rongye: a complete profile (every level known) whatever the seed.
DEMO_SEEKER: dict[str, Any] = {
    "display_name": "李娜", "gender": "female", "birth_year": 1992, "disability_grade": 1,
    **{domain: 3 if domain == "seeing" else 0 for domain in DOMAINS},
    "skills": ["数据标注", "data annotation", "客服", "打字", "Excel"],
    "interests": ["远程工作", "音乐"], "education": "vocational",
    "work_history": "在盲人按摩店工作四年，后转为远程语音标注",
    "assistive_technology": "读屏软件 NVDA, iPhone VoiceOver", "work_modes": ["remote", "hybrid"],
    "hours_min": 20, "hours_max": 40, "household_size": 3, "carer_duties": False,
    "dibao_monthly": 900, "disability_allowance_monthly": 150, "social_insurance": "resident",
}
#: Most severe known level -> plausible certificate grades (1 most severe).
GRADES = {3: (1, 2), 2: (2, 3), 1: (3, 4), 0: (4,)}
EXIT_WEIGHTS = {"contract_end": 4, "health": 3, "own_choice": 4, "accommodation_failure": 2,
                "discrimination": 1, "other": 1}
FAMILY_CHANGES = ("家庭收入增加，孩子学费有了着落", "搬到离单位更近的地方", "结婚了",
                  "父母对工作更支持了", "家人生病，需要照顾", "Bought a phone for the family")
WORK_HISTORIES = (None, "无正式工作经历", "曾在福利企业做包装 3 年", "兼职网店客服一年",
                  "Worked two years in a call centre", "社区手工坊学员")
EDUCATION = (("none", 3), ("primary", 8), ("junior", 25), ("senior", 18), ("vocational", 22),
             ("college", 16), ("university", 8))
INSURANCE = (("none", 25), ("resident", 50), ("employee", 15), ("unknown", 10))


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    """Return an aware office-hours timestamp on `day`."""
    return dt.datetime.combine(day, dt.time(rng.randint(1, 9), rng.randint(0, 59)), dt.UTC)


class _Builder:
    """Holds the generator state while the population is built."""

    def __init__(self, session: Session, rng: random.Random, today: dt.date) -> None:
        self.session, self.rng, self.today = session, rng, today
        self.hash = password_hasher().hash(PASSWORD)
        self.catalogue = {a.code: a for a in session.scalars(select(Accommodation))}
        self.used_names = {"王芳", "陈静", "赵敏", "刘洋", "李娜"}
        self.workers: dict[int, list[Account]] = {}
        self.wellbeing: dict[int, int] = {}  # seeker id -> WHO-5 item level carried over time
        self.n_accounts = 0

    def days_ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def name(self, gender: str | None = None) -> str:
        """Return a fresh Chinese name (unique within the demo, for readable lists)."""
        while True:
            given = GIVEN[gender or self.rng.choice(("female", "male"))]
            name = self.rng.choice(SURNAMES) + self.rng.choice(given)
            if name not in self.used_names or len(self.used_names) > 1500:
                self.used_names.add(name)
                return name

    def account(self, role: str, email: str | None, org: Organisation | None, *,
                name: str | None = None, since: int = 800) -> Account:
        """Return an account with the shared demo password and a unique mobile number."""
        self.n_accounts += 1
        n = self.n_accounts
        return Account(
            email=email, role=role, display_name=name or self.name(),
            phone=f"139{(n * 7919 + 10_000_000) % 10**8:08d}",
            password_hash=self.hash, organisation=org,
            locale=self.rng.choice(("zh_CN", "zh_CN", "zh_CN", "en", None)),
            created_at=_at(self.days_ago(since), self.rng),
        )

    # -- organisations and staff ------------------------------------------------------------

    def organisations(self) -> tuple[list[Organisation], Organisation, list[Organisation]]:
        since = _at(self.days_ago(900), self.rng)
        agencies = [Organisation(name=n, kind="agency", region=r, created_at=since,
                                 description="残疾人就业支持与个案管理 / Employment support",
                                 contact_email=f"agency{i}@{DOMAIN}")
                    for i, (n, r, _) in enumerate(AGENCIES, 1)]
        ngo = Organisation(name=NGO[0], kind="ngo", region=NGO[1], created_at=since,
                           description="长期就业成效研究 / Long-term outcome research")
        employers = []
        for i in range(3 * len(BRANDS)):
            brand = BRANDS[i % len(BRANDS)]
            region = REGIONS[(i + i // len(BRANDS)) % len(REGIONS)]
            employers.append(Organisation(
                name=f"{region}{brand.name}{brand.trade}有限公司", kind="employer", region=region,
                description=brand.blurb, contact_email=f"hr{i}@{DOMAIN}", created_at=since))
        self.session.add_all([*agencies, ngo, *employers])
        return agencies, ngo, employers

    def staff(self, agencies: list[Organisation], ngo: Organisation,
              employers: list[Organisation]) -> None:
        """Add the staff and employer accounts; social workers go to `self.workers`."""
        a1, a2 = agencies
        workers = [
            self.account("social_worker", f"worker@{DOMAIN}", a1, name="王芳"),
            self.account("social_worker", f"worker2@{DOMAIN}", a1),
            self.account("social_worker", f"worker3@{DOMAIN}", a2),
            self.account("social_worker", f"worker4@{DOMAIN}", a2),
        ]
        others = [
            self.account("admin", f"admin@{DOMAIN}", None, name="陈静"),
            self.account("admin", f"orgadmin@{DOMAIN}", a1),
            self.account("analyst", f"analyst@{DOMAIN}", ngo, name="赵敏"),
            self.account("employer", f"employer@{DOMAIN}", employers[0], name="刘洋"),
            *(self.account("employer", f"employer{n}@{DOMAIN}", org)
              for n, org in enumerate(employers[1:], 1)),
        ]
        self.session.add_all([*workers, *others])
        self.workers = {a1.id: workers[:2], a2.id: workers[2:]}

    # -- positions --------------------------------------------------------------------------

    def positions(self, employers: list[Organisation]) -> list[tuple[Position, dt.date]]:
        """Return the positions with the day each was posted."""
        rng, out = self.rng, []
        for i, org in enumerate(employers):
            brand = BRANDS[i % len(BRANDS)]
            if i == 0:  # employer@demo.rongye: one position of each new form, two annotation
                kinds = [*brand.work_types, "data_annotation"]
            else:
                kinds = [rng.choice(brand.work_types) for _ in range(rng.randint(3, 4))]
            for k, work_type in enumerate(kinds):
                spec = WORK_TYPES[work_type]
                posted = self.days_ago(760 if i == 0 else rng.randint(5, 760))
                demands = {d: max(0, min(3, spec.demands.get(d, 0) + rng.choice((-1, 0, 0, 0))))
                           for d in DOMAINS}
                new_form = work_type in NEW_FORM
                mode = rng.choices(("remote", "hybrid", "onsite"),
                                   (6, 3, 1) if new_form else (0, 1, 9))[0]
                lo, hi = spec.automation
                offered = [c for c in spec.accommodations if rng.random() < OFFER_RATE]
                title = spec.titles[(k + i) % len(spec.titles)]
                if i == 0:
                    status = DEMO_EMPLOYER_STATUSES[k]
                else:
                    status = rng.choices(POSITION_STATUSES, (75, 8, 10, 7))[0]
                position = Position(
                    employer_id=org.id, title=title, status=status,
                    tasks=f"{title}：{'、'.join(spec.skills[:3])}。",
                    skills=rng.sample(spec.skills, rng.randint(2, 4)), work_type=work_type,
                    **{f"demand_{d}": v for d, v in demands.items()},
                    work_mode=mode, region=org.region, hours_per_week=rng.choice(spec.hours),
                    monthly_pay=round(rng.randint(*spec.pay), -2),
                    social_insurance=rng.random() < (0.5 if new_form else 0.85),
                    contract_type=rng.choice(spec.contracts), openings=rng.randint(1, 5),
                    automation_exposure=round(rng.uniform(lo, hi), 2),
                    training_offered=rng.random() < 0.5,
                    accommodations=[self.catalogue[c] for c in offered if c in self.catalogue],
                    created_at=_at(posted, rng),
                )
                out.append((position, posted))
        self.session.add_all([p for p, _ in out])
        return out

    # -- seekers ----------------------------------------------------------------------------

    def seeker(self, agency: Organisation, region: str, archetype: Archetype,
               enrolled: dt.date, with_account: bool) -> tuple[SeekerProfile, Account | None]:
        """Return a profile drawn from `archetype`, and its account for a self-registered one."""
        rng = self.rng
        levels: dict[str, int | None] = {}
        for domain in DOMAINS:
            if domain in archetype.levels:
                levels[domain] = rng.randint(*archetype.levels[domain])
            else:
                levels[domain] = None if rng.random() < 0.07 else rng.choices((0, 1), (9, 1))[0]
        worst = max(v for v in levels.values() if v is not None)
        gender = rng.choices(("female", "male", "other"), (48, 50, 2))[0]
        name = self.name(gender if gender != "other" else None)
        affinity = rng.sample(archetype.affinity, min(2, len(archetype.affinity)))
        skills = [s for wt in affinity for s in rng.sample(WORK_TYPES[wt].skills, 2)]
        skills += rng.sample(COMMON_SKILLS, rng.randint(0, 2))
        hours_min = rng.choice((10, 15, 20, 20, 30))
        modes = [m for m in ("remote", "hybrid", "onsite") if rng.random() < 0.6] or ["remote"]
        if levels.get("walking") == 3 and "remote" not in modes:
            modes.insert(0, "remote")
        if rng.random() < 0.3:
            dibao: int | None = rng.choice((600, 750, 900, 1060, 1200))
        else:
            dibao = rng.choice((None, 0))
        needs = rng.sample(archetype.needs, rng.randint(1, min(2, len(archetype.needs))))
        profile = SeekerProfile(
            agency_id=agency.id, worker_id=rng.choice(self.workers[agency.id]).id,
            display_name=name,
            phone=f"137{(rng.randrange(10**8)):08d}" if rng.random() < 0.6 else None,
            gender=gender, birth_year=rng.randint(1966, 2006),
            disability_category=archetype.category,
            disability_grade=rng.choice(GRADES[worst]) if archetype.category else None,
            **levels,
            skills=list(dict.fromkeys(skills)),
            interests=rng.sample(INTERESTS, rng.randint(1, 3)),
            education=_pick(rng, EDUCATION),
            work_history=rng.choice(WORK_HISTORIES),
            assistive_technology=rng.choice(archetype.tech) if archetype.tech else None,
            work_modes=modes, region=region, hours_min=hours_min,
            hours_max=rng.choice([h for h in (20, 30, 40, 44) if h >= hours_min]),
            household_size=rng.randint(1, 6), carer_duties=rng.random() < 0.2,
            dibao_monthly=dibao,
            disability_allowance_monthly=rng.choice((None, 0, 80, 100, 150, 200, 300)),
            social_insurance=_pick(rng, INSURANCE), assisted=not with_account,
            consent_method="self" if with_account else rng.choice(("in_person", "paper")),
            accommodations=[self.catalogue[c] for c in needs if c in self.catalogue],
            created_at=_at(enrolled, rng),
        )
        account = None
        if with_account:
            email = f"seeker{self.n_accounts + 1}@{DOMAIN}" if rng.random() < 0.6 else None
            account = self.account("seeker", email, None, name=name,
                                   since=(self.today - enrolled).days)
        return profile, account

    def consents(self, profile: SeekerProfile, account: Account | None, enrolled: dt.date,
                 *, full: bool = False) -> list[ConsentEvent]:
        rng, events = self.rng, []
        recorder = account.id if account else profile.worker_id
        for purpose, share in (("matching", 0.93), ("share_employer", 0.7), ("research", 0.6)):
            if not full and rng.random() >= share:
                continue
            events.append(ConsentEvent(seeker_id=profile.id, purpose=purpose, granted=True,
                                       method=profile.consent_method or "self",
                                       recorded_by_id=recorder, created_at=_at(enrolled, rng)))
            gap = (self.today - enrolled).days
            if not full and gap > 30 and rng.random() < 0.05:
                events.append(ConsentEvent(
                    seeker_id=profile.id, purpose=purpose, granted=False,
                    method=profile.consent_method or "self", recorded_by_id=recorder,
                    created_at=_at(enrolled + dt.timedelta(days=rng.randint(20, gap)), rng)))
        return events

    # -- placements and follow-ups ----------------------------------------------------------

    def fits(self, seeker: SeekerProfile, position: Position) -> bool:
        """Apply DESIGN section 5's hard rules (apart from hours) to a historical placement."""
        if position.work_mode not in seeker.work_modes:
            return False
        if position.work_mode != "remote" and position.region != seeker.region:
            return False
        offered = {a.code for a in position.accommodations}
        if not {a.code for a in seeker.accommodations} <= offered:
            return False
        for domain in DOMAINS:
            level = getattr(seeker, domain)
            relief = sum(BUILTIN_ACCOMMODATIONS[c].get(domain, 0) for c in offered
                         if c in BUILTIN_ACCOMMODATIONS)
            if level is not None and getattr(position, f"demand_{domain}") - relief > 3 - level:
                return False
        return True

    def placement(self, seeker: SeekerProfile, position: Position, start: dt.date,
                  end: dt.date | None = None, cause: str | None = None) -> Placement:
        """Return a placement; unless `end` is given, decide by chance whether and why it ended."""
        rng = self.rng
        if end is None and (self.today - start).days > 45:
            days = (self.today - start).days
            automated = position.work_type == "data_annotation" and days > 150 and \
                position.automation_exposure >= 0.75 and rng.random() < 0.5
            if automated or rng.random() < 0.45 * min(1.0, days / 365):
                end = start + dt.timedelta(days=rng.randint(40 if automated else 20, days - 5))
                cause = "automation" if automated else \
                    rng.choices(list(EXIT_WEIGHTS), list(EXIT_WEIGHTS.values()))[0]
        prior = rng.choice((0, 0, 0, rng.randint(8, 20) * 100))
        return Placement(
            seeker_id=seeker.id, position_id=position.id, employer_id=position.employer_id,
            agency_id=seeker.agency_id, start_date=start, end_date=end, exit_cause=cause,
            monthly_pay_start=position.monthly_pay + rng.choice((-200, 0, 0, 100)),
            hours_start=position.hours_per_week,
            income_before=(seeker.dibao_monthly or 0) + (seeker.disability_allowance_monthly or 0)
            + prior, created_by_id=seeker.worker_id, created_at=_at(start, rng),
        )

    def follow_ups(self, p: Placement, seeker: SeekerProfile, volatility: float,
                   later: list[Placement], *, diligent: bool = False) -> list[FollowUp]:
        """Return the follow-ups due up to 60 days ahead, the past ones mostly answered."""
        rng, rows = self.rng, []
        lost = None  # the day dibao stopped because of this job, if it did
        if seeker.dibao_monthly and (p.monthly_pay_start or 0) > 2500 and rng.random() < 0.5:
            lost = p.start_date + dt.timedelta(days=rng.randint(30, 120))
        exit_reported = False
        for offset in FOLLOW_UP_OFFSETS:
            due = p.start_date + dt.timedelta(days=offset)
            if due > self.today + dt.timedelta(days=60):
                break
            row = FollowUp(placement_id=p.id, due_date=due, day_offset=offset)
            rows.append(row)
            recent = (self.today - due).days < 21
            if due >= self.today or (not diligent and rng.random() < (0.5 if recent else 0.1)):
                continue  # due, or overdue
            here = p.end_date is None or due < p.end_date
            elsewhere = [q for q in later if q.start_date <= due and
                         (q.end_date is None or due < q.end_date)]
            self.answer(row, seeker, p if here else next(iter(elsewhere), None), volatility)
            row.same_employer = here if row.employed else None
            row.benefits_status, row.benefits_date = self.benefits(seeker, p, lost, due)
            if here:
                row.job_quality = {
                    "contract": p.exit_cause != "discrimination" and rng.random() < 0.85,
                    "on_time_pay": rng.random() < 0.9, "social_insurance": rng.random() < 0.6}
            elif not exit_reported:
                row.exit_cause, exit_reported = p.exit_cause, True
        return rows

    def answer(self, row: FollowUp, seeker: SeekerProfile, job: Placement | None,
               volatility: float) -> None:
        """Fill a done follow-up for someone in `job` at its due date (None: out of work)."""
        rng = self.rng
        row.done_at = _at(min(row.due_date + dt.timedelta(days=rng.randint(-5, 14)),
                              self.today - dt.timedelta(days=1)), rng)
        row.recorded_by_id = seeker.worker_id
        row.employed = job is not None
        if job is None:
            row.hours_per_week = row.monthly_earnings = 0
        else:
            growth = 1 + 0.04 * row.day_offset / 365
            earnings = (job.monthly_pay_start or 0) * growth * max(0.3, rng.gauss(1, volatility))
            row.monthly_earnings = int(earnings) // 10 * 10
            row.hours_per_week = max(5, (job.hours_start or 0) + rng.choice((-5, 0, 0, 0, 5)))
            if seeker.accommodations:
                failing = job.exit_cause == "accommodation_failure"
                row.accommodation_provided = rng.random() < (0.4 if failing else 0.92)
        # WHO-5 items drift up while in work and down out of it, carried across placements.
        trend = 1 if row.employed else -1
        level = self.wellbeing.setdefault(seeker.id, rng.randint(1, 3))
        level = self.wellbeing[seeker.id] = max(0, min(4, level + rng.choice((0, 0, trend))))
        for item in range(1, 6):
            setattr(row, f"who5_{item}", max(0, min(5, level + rng.randint(-1, 1))))
        row.participation = {"social_activities": max(0, level + rng.randint(-1, 0)),
                             "community_events": rng.random() < 0.3 + 0.1 * trend}
        row.family_change = rng.choice(FAMILY_CHANGES) if rng.random() < 0.08 else None

    def benefits(self, seeker: SeekerProfile, p: Placement, lost: dt.date | None,
                 due: dt.date) -> tuple[str, dt.date | None]:
        """Return the dibao status at `due` and the date it last changed, if known."""
        if not seeker.dibao_monthly:
            return "none", None
        if lost is None or due < lost:
            return "kept", None
        if p.end_date is None or due < p.end_date:
            return "lost", lost
        if (due - p.end_date).days > 240:
            return "restored", p.end_date + dt.timedelta(days=self.rng.randint(180, 240))
        return "reapplied", p.end_date + dt.timedelta(days=self.rng.randint(7, 30))


def build_demo(
    session: Session, *, seed: int = 2026, today: dt.date | None = None
) -> dict[str, int]:
    """Fill an empty database with a bilingual synthetic population; return counts by kind."""
    rng = random.Random(seed)
    b = _Builder(session, rng, today or dt.date.today())
    agencies, ngo, employers = b.organisations()
    session.flush()
    b.staff(agencies, ngo, employers)
    posted = b.positions(employers)
    session.flush()

    seekers = [(*b.seeker(agencies[0], "北京", ARCHETYPES[0], b.days_ago(720), True),
                b.days_ago(720))]
    for _ in range(N_SEEKERS - 1):
        agency = rng.choice(agencies)
        region = rng.choice(AGENCIES[agencies.index(agency)][2])
        archetype = rng.choices(ARCHETYPES, [a.weight for a in ARCHETYPES])[0]
        enrolled = b.days_ago(rng.randint(15, 800))
        with_account = rng.random() < SEEKER_ACCOUNT_SHARE
        seekers.append((*b.seeker(agency, region, archetype, enrolled, with_account), enrolled))
    # seeker@demo.rongye: audio annotation automated away, then online customer service.
    demo, demo_account, _ = seekers[0]
    assert demo_account is not None
    demo_account.email, demo_account.display_name = f"seeker@{DOMAIN}", DEMO_SEEKER["display_name"]
    demo.worker_id = b.workers[agencies[0].id][0].id
    for field, value in DEMO_SEEKER.items():
        setattr(demo, field, value)
    session.add_all([a for _, a, _ in seekers if a is not None])
    session.flush()
    for profile, account, _ in seekers:
        profile.account_id = account.id if account else None
    session.add_all([p for p, _, _ in seekers])
    session.flush()

    consents = [e for i, (p, a, enrolled) in enumerate(seekers)
                for e in b.consents(p, a, enrolled, full=i == 0)]
    demo_positions = {p.work_type: p for p, _ in posted if p.employer_id == employers[0].id}
    placements: dict[int, list[Placement]] = {
        demo.id: [b.placement(demo, demo_positions["data_annotation"], b.days_ago(700),
                              b.days_ago(390), "automation"),
                  b.placement(demo, demo_positions["customer_service"], b.days_ago(340))]}
    active = Counter(p.position_id for p in placements[demo.id] if p.end_date is None)
    total = 2
    pool = [(p, e) for p, _, e in seekers[1:] if (b.today - e).days > 20]
    rng.shuffle(pool)
    for seeker, enrolled in pool:
        if total >= N_PLACEMENTS:
            break
        start = b.days_ago(rng.randint(10, min(730, (b.today - enrolled).days - 10)))
        while start < b.today - dt.timedelta(days=10) and total < N_PLACEMENTS:
            options = [p for p, day in posted if day <= start and p.status != "draft"
                       and active[p.id] < p.openings and b.fits(seeker, p)]
            if not options:
                break
            placement = b.placement(seeker, rng.choice(options), start)
            placements.setdefault(seeker.id, []).append(placement)
            active[placement.position_id] += placement.end_date is None
            total += 1
            if placement.end_date is None or rng.random() < 0.5:
                break
            start = placement.end_date + dt.timedelta(days=rng.randint(14, 120))
    session.add_all([p for rows in placements.values() for p in rows])
    session.add_all(consents)
    session.flush()

    by_id = {p.id: p for p, _, _ in seekers}
    spec_of = {p.id: WORK_TYPES[p.work_type] for p, _ in posted}
    follow_ups = [
        row
        for seeker_id, rows in placements.items()
        for i, p in enumerate(rows)
        for row in b.follow_ups(p, by_id[seeker_id], spec_of[p.position_id or 0].volatility,
                                rows[i + 1:], diligent=seeker_id == demo.id)
    ]
    session.add_all(follow_ups)
    admin = session.scalar(select(Account).where(Account.email == f"admin@{DOMAIN}"))
    session.add(AuditEvent(actor_id=admin.id if admin else None, action="demo.load",
                           detail={"seed": seed, "today": b.today.isoformat()}))
    session.commit()
    return {
        "organisations": len(agencies) + 1 + len(employers),
        "accounts": b.n_accounts,
        "seekers": len(seekers),
        "positions": len(posted),
        "placements": total,
        "follow_ups": len(follow_ups),
        "consent_events": len(consents),
    }
