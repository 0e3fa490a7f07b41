"""Outcomes: an organisation's own follow-up schedule, and an index for research consent.

`organisation.follow_up_days` holds the days after a placement's start when it is followed up
(NULL: the default 30, 90, 180 and 365 days, then yearly). The index on the consent ledger
(purpose, seeker, time, id) lets the outcome indicators find each person's latest research
consent without reading the whole ledger, which keeps the analyst dashboard fast at scale.

Revision ID: d4e5f6a7b8c9
Revises: c3d4e5f6a7b8
Create Date: 2026-11-24 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e5f6a7b8c9'
down_revision = 'c3d4e5f6a7b8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follow_up_days', sa.JSON(), nullable=True))

    with op.batch_alter_table('consent_event', schema=None) as batch_op:
        batch_op.create_index(
            'ix_consent_event_latest', ['purpose', 'seeker_id', 'created_at', 'id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('consent_event', schema=None) as batch_op:
        batch_op.drop_index('ix_consent_event_latest')

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('follow_up_days')
