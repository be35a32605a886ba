"""Import locks: a project closed while a background import fills it in short transactions

Revision ID: e5a1c7d3b9f2
Revises: e5a8c3d1f7b2
Create Date: 2026-12-08 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import fieldwork.dbtypes


# revision identifiers, used by Alembic.
revision = 'e5a1c7d3b9f2'
down_revision = 'e5a8c3d1f7b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'import_locks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('marks', sa.JSON(), nullable=False),
        sa.Column('started_at', fieldwork.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['task_id'], ['background_tasks.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('project_id'),
        sa.UniqueConstraint('task_id'),
    )


def downgrade():
    op.drop_table('import_locks')
