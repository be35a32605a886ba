"""Codings indexed in source order within a project, so that a retrieval's page is read
from the index rather than by sorting every coding of the project

Revision ID: e5a1c7f3b9d2
Revises: e5a1c7d3b9f2
Create Date: 2026-12-07 18:05:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5a1c7f3b9d2'
down_revision = 'e5a1c7d3b9f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_codings_project_source_start', 'codings',
                    ['project_id', 'source_id', 'start'])


def downgrade():
    op.drop_index('ix_codings_project_source_start', table_name='codings')
