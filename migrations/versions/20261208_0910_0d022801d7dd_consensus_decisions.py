"""consensus of two coders: the lead's decision on each disagreement, and the project's
consensus coder

Revision ID: 0d022801d7dd
Revises: b7e4c1a9d2f0
Create Date: 2026-12-07 14:30:00

"""
from alembic import op
import sqlalchemy as sa

import fieldwork.dbtypes


# revision identifiers, used by Alembic.
revision = '0d022801d7dd'
down_revision = 'b7e4c1a9d2f0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'consensus_decisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=False),
        sa.Column('coder_a_id', sa.Integer(), nullable=False),
        sa.Column('coder_b_id', sa.Integer(), nullable=False),
        sa.Column('segment', sa.Text(), nullable=False),
        sa.Column('action', sa.String(length=10), nullable=False),
        sa.Column('settled_by_id', sa.Integer(), nullable=True),
        sa.Column('settled_at', fieldwork.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['coder_a_id'], ['users.id'], ),
        sa.ForeignKeyConstraint(['coder_b_id'], ['users.id'], ),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['settled_by_id'], ['users.id'], ),
        sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('consensus_decisions', schema=None) as batch_op:
        batch_op.create_index('ix_consensus_decisions_project_id', ['project_id'], unique=False)
        batch_op.create_index('ix_consensus_decisions_source_pair',
                              ['source_id', 'coder_a_id', 'coder_b_id'], unique=False)
    with op.batch_alter_table('coding_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consensus_coder_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_coding_settings_consensus_coder_id_users',
                                    'users', ['consensus_coder_id'], ['id'])


def downgrade():
    with op.batch_alter_table('coding_settings', schema=None) as batch_op:
        batch_op.drop_constraint('fk_coding_settings_consensus_coder_id_users',
                                 type_='foreignkey')
        batch_op.drop_column('consensus_coder_id')
    with op.batch_alter_table('consensus_decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_consensus_decisions_source_pair')
        batch_op.drop_index('ix_consensus_decisions_project_id')
    op.drop_table('consensus_decisions')
