"""The index of codings in source order also holds each coding's end, code and coder, so
that the codes that overlap are counted from the index alone, without reading the table

Revision ID: c7d2e9a4f1b3
Revises: e5a1c7f3b9d2
Create Date: 2026-12-08 00:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c7d2e9a4f1b3'
down_revision = 'e5a1c7f3b9d2'
branch_labels = None
depends_on = None

IN_SOURCE_ORDER = 'ix_codings_project_source_start'


def upgrade():
    op.drop_index(IN_SOURCE_ORDER, table_name='codings')
    op.create_index(IN_SOURCE_ORDER, 'codings',
                    ['project_id', 'source_id', 'start', 'end', 'code_id', 'coder_id'])


def downgrade():
    op.drop_index(IN_SOURCE_ORDER, table_name='codings')
    op.create_index(IN_SOURCE_ORDER, 'codings', ['project_id', 'source_id', 'start'])
