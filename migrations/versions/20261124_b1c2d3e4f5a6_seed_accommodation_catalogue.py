"""Seed the built-in accommodation catalogue in both languages.

The rows are written out here rather than imported from the application, so that this
revision keeps doing the same thing whatever later code says. The mitigation levels must
agree with matching/catalogue.py; a test checks that they do.

Revision ID: b1c2d3e4f5a6
Revises: 65c4ffd81c72
Create Date: 2026-11-24 03:20:00

"""
from alembic import op
import sqlalchemy as sa

revision = "b1c2d3e4f5a6"
down_revision = "65c4ffd81c72"
branch_labels = None
depends_on = None

accommodation = sa.table(
    "accommodation",
    sa.column("code", sa.String),
    sa.column("name_zh", sa.String),
    sa.column("name_en", sa.String),
    sa.column("description_zh", sa.String),
    sa.column("description_en", sa.String),
    sa.column("mitigates", sa.JSON),
)

CATALOGUE = [
    ("screen_reader", "读屏软件支持", "Screen reader support",
     "电脑装有读屏软件（如 NVDA），工作系统可用读屏软件操作。",
     "A screen reader (such as NVDA) is installed and the work systems can be used with it.",
     {"seeing": 2}),
    ("screen_magnifier", "屏幕放大", "Screen magnification",
     "可以放大屏幕内容、调大字号和提高对比度。",
     "Screen content can be magnified, with larger text and higher contrast.",
     {"seeing": 1}),
    ("captioning", "字幕与文字记录", "Captions and transcripts",
     "会议和培训提供实时字幕或文字记录。",
     "Meetings and training come with live captions or written transcripts.",
     {"hearing": 2}),
    ("sign_language", "手语翻译", "Sign language interpreting",
     "需要时安排手语翻译。",
     "A sign language interpreter is arranged when needed.",
     {"hearing": 2, "communication": 1}),
    ("text_communication", "文字沟通代替电话", "Text instead of phone calls",
     "同事和客户可以用文字（聊天、邮件）代替电话沟通。",
     "Colleagues and customers communicate in writing (chat, email) instead of by phone.",
     {"hearing": 1, "communication": 1}),
    ("step_free", "无障碍通行", "Step-free access",
     "从入口到工位、卫生间都没有台阶，有坡道或电梯。",
     "There are no steps from the entrance to the workstation and toilets; ramps or lifts exist.",
     {"walking": 2}),
    ("accessible_toilet", "无障碍卫生间", "Accessible toilet",
     "工作场所有无障碍卫生间。",
     "The workplace has an accessible toilet.",
     {"walking": 1, "self_care": 1}),
    ("personal_assistant", "个人助理协助", "Personal assistance",
     "工作时间内有人协助吃饭、如厕等生活照料。",
     "Someone helps with personal care such as meals and toileting during working hours.",
     {"self_care": 2}),
    ("adapted_input", "辅助输入设备", "Adapted input devices",
     "提供替代键盘、鼠标或语音输入等辅助设备。",
     "Alternative keyboards, mice or voice input are provided.",
     {"upper_body": 2}),
    ("flexible_pace", "弹性节奏与时间", "Flexible pace and hours",
     "可以按自己的节奏工作，需要时休息，时间可调整。",
     "Work can be done at one's own pace, with breaks when needed and adjustable hours.",
     {"cognition": 1, "psychosocial": 1}),
    ("easy_read", "易读说明", "Easy-read instructions",
     "工作说明用简单的文字、图片和步骤写成。",
     "Work instructions are written in plain words, with pictures and steps.",
     {"cognition": 1}),
    ("quiet_space", "安静的工作空间", "Quiet workspace",
     "有安静、少干扰的地方可以工作或休息。",
     "There is a quiet place with few distractions to work or rest.",
     {"psychosocial": 1}),
    ("job_coach", "就业辅导员", "Job coach",
     "就业辅导员在入职初期和需要时提供现场或远程支持。",
     "A job coach supports the worker on site or remotely at the start and when needed.",
     {"cognition": 1, "psychosocial": 1, "communication": 1}),
]


def upgrade():
    op.bulk_insert(
        accommodation,
        [
            {
                "code": code,
                "name_zh": name_zh,
                "name_en": name_en,
                "description_zh": description_zh,
                "description_en": description_en,
                "mitigates": mitigates,
            }
            for code, name_zh, name_en, description_zh, description_en, mitigates in CATALOGUE
        ],
    )


def downgrade():
    codes = [row[0] for row in CATALOGUE]
    op.execute(accommodation.delete().where(accommodation.c.code.in_(codes)))
