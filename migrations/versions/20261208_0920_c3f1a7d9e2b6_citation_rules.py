"""Citation rules: a project's citation template and what "role only" consent may show

Revision ID: c3f1a7d9e2b6
Revises: 0d022801d7dd
Create Date: 2026-12-07 14:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3f1a7d9e2b6'
down_revision = '0d022801d7dd'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('interview_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('citation_template', sa.String(length=200), nullable=False,
                                      server_default='{who} ({date}) [{code}, {locator}]'))
        batch_op.add_column(sa.Column('role_shows_title', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('role_shows_city', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('role_date', sa.String(length=10), nullable=False,
                                      server_default='none'))


def downgrade():
    with op.batch_alter_table('interview_settings', schema=None) as batch_op:
        batch_op.drop_column('role_date')
        batch_op.drop_column('role_shows_city')
        batch_op.drop_column('role_shows_title')
        batch_op.drop_column('citation_template')
