"""REFI-QDA GUIDs kept on codes, sources, codings and memos; coder identities of a project;
users without sign-in (external coders of imported files)

Revision ID: b7e4f2a9c1d6
Revises: b3e7c9d1f2a4
Create Date: 2026-12-07 14:30:00

"""
from alembic import op
import sqlalchemy as sa

import fieldwork.dbtypes


# revision identifiers, used by Alembic.
revision = 'b7e4f2a9c1d6'
down_revision = 'b3e7c9d1f2a4'
branch_labels = None
depends_on = None

GUID_TABLES = ('codes', 'sources', 'codings', 'memos')


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    for table in GUID_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('guid', sa.String(length=36), nullable=True))
            if table == 'codings':
                batch_op.add_column(sa.Column('selection_guid', sa.String(length=36),
                                              nullable=True))
            batch_op.create_unique_constraint(f'uq_{table}_project_guid',
                                              ['project_id', 'guid'])
    op.create_table(
        'coder_identities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('guid', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('origin', sa.String(length=200), nullable=False),
        sa.Column('created_at', fieldwork.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('project_id', 'guid', name='uq_coder_identities_project_guid'),
        sa.UniqueConstraint('project_id', 'user_id', name='uq_coder_identities_project_user'),
    )


def downgrade():
    op.drop_table('coder_identities')
    for table in reversed(GUID_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'uq_{table}_project_guid', type_='unique')
            if table == 'codings':
                batch_op.drop_column('selection_guid')
            batch_op.drop_column('guid')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('external')
