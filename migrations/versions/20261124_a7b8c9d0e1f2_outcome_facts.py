"""outcome facts

`outcome_fact` (one row per placement) and `follow_up_fact` (one narrow row per follow-up,
clustered by day: WITHOUT ROWID on SQLite) hold what the outcome indicators need, already reduced, so that the analyst dashboard answers
in under a second at programme scale. Both are derived data: rongye.services.outcome_facts
keeps them current in the transaction of every write, and `flask outcomes rebuild` recomputes
them.

The data step fills them for the placements already recorded, with the same SQL as the rebuild
(rongye.services.outcome_facts.rebuild, as of this revision). An empty database (a new
installation, the tests) skips it. Should a later revision change these tables, it must
rebuild them itself, and the call here must then become a frozen copy of today's SQL (or be
replaced by "run `flask outcomes rebuild`").

Revision ID: a7b8c9d0e1f2
Revises: f6a7b8c9d0e1
Create Date: 2026-11-24 06:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7b8c9d0e1f2'
down_revision = 'f6a7b8c9d0e1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outcome_fact',
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('seeker_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('exit_cause', sa.String(length=30), nullable=True),
    sa.Column('income_before', sa.Integer(), nullable=True),
    sa.Column('research', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('region', sa.String(length=80), nullable=True),
    sa.Column('gender', sa.String(length=10), nullable=True),
    sa.Column('disability_category', sa.String(length=20), nullable=True),
    sa.Column('disability_grade', sa.SmallInteger(), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('dibao_monthly', sa.Integer(), nullable=True),
    sa.Column('disability_allowance_monthly', sa.Integer(), nullable=True),
    sa.Column('work_type', sa.String(length=20), nullable=True),
    sa.Column('first_year_days', sa.SmallInteger(), nullable=True),
    sa.Column('volatility_pairs', sa.Integer(), server_default='0', nullable=False),
    sa.Column('volatility_sum', sa.Float(), server_default='0', nullable=False),
    sa.Column('volatility_drops', sa.Integer(), server_default='0', nullable=False),
    sa.Column('allowance_reported', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('allowance_lost', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('income_back_on', sa.Date(), nullable=True),
    sa.Column('reemployed_90', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('who5_first_day', sa.Integer(), nullable=True),
    sa.Column('who5_first', sa.SmallInteger(), nullable=True),
    sa.Column('social_first_day', sa.Integer(), nullable=True),
    sa.Column('social_first', sa.SmallInteger(), nullable=True),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_outcome_fact_placement_id_placement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('placement_id', name=op.f('pk_outcome_fact'))
    )
    with op.batch_alter_table('outcome_fact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_fact_seeker_id'), ['seeker_id'], unique=False)

    op.create_table('follow_up_fact',
    sa.Column('day_offset', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('done', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('monthly_earnings', sa.Integer(), nullable=True),
    sa.Column('net_change', sa.Integer(), nullable=True),
    sa.Column('who5', sa.SmallInteger(), nullable=True),
    sa.Column('who5_change', sa.SmallInteger(), nullable=True),
    sa.Column('social', sa.SmallInteger(), nullable=True),
    sa.Column('social_change', sa.SmallInteger(), nullable=True),
    sa.Column('community', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_follow_up_fact_placement_id_placement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('day_offset', 'placement_id', name=op.f('pk_follow_up_fact')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('follow_up_fact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_fact_placement_id'), ['placement_id'], unique=False)

    connection = op.get_bind()
    if connection.scalar(sa.text('SELECT 1 FROM placement LIMIT 1')):
        from rongye.services import outcome_facts

        outcome_facts.rebuild(connection)


def downgrade():
    with op.batch_alter_table('follow_up_fact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_fact_placement_id'))

    op.drop_table('follow_up_fact')
    with op.batch_alter_table('outcome_fact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_fact_seeker_id'))

    op.drop_table('outcome_fact')
