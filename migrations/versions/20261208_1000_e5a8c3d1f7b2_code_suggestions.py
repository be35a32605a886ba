"""code suggestions offered to a coder: pending, accepted (with the coding made) or rejected

Revision ID: e5a8c3d1f7b2
Revises: b7e4f2a9c1d6
Create Date: 2026-12-07 18:00:00

"""
from alembic import op
import sqlalchemy as sa

import fieldwork.dbtypes


# revision identifiers, used by Alembic.
revision = 'e5a8c3d1f7b2'
down_revision = 'b7e4f2a9c1d6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'code_suggestions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=False),
        sa.Column('code_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('start', sa.Integer(), nullable=False),
        sa.Column('end', sa.Integer(), nullable=False),
        sa.Column('text_version', sa.Integer(), nullable=False),
        sa.Column('quote', sa.Text(), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('like_coding_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('coding_id', sa.Integer(), nullable=True),
        sa.Column('created_at', fieldwork.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column('decided_at', fieldwork.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['code_id'], ['codes.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['coding_id'], ['codings.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['like_coding_id'], ['codings.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('code_suggestions', schema=None) as batch_op:
        batch_op.create_index('ix_code_suggestions_project_id', ['project_id'], unique=False)
        batch_op.create_index('ix_code_suggestions_coding_id', ['coding_id'], unique=False)
        batch_op.create_index('ix_code_suggestions_source_user_status',
                              ['source_id', 'user_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('code_suggestions', schema=None) as batch_op:
        batch_op.drop_index('ix_code_suggestions_source_user_status')
        batch_op.drop_index('ix_code_suggestions_coding_id')
        batch_op.drop_index('ix_code_suggestions_project_id')
    op.drop_table('code_suggestions')
