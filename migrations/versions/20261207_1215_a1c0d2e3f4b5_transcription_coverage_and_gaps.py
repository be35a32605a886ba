"""transcription jobs: speech heard, speech covered by text, gaps; a project's default
transcription model and language

Revision ID: a1c0d2e3f4b5
Revises: 4ce534b7514d
Create Date: 2026-12-07 12:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c0d2e3f4b5'
down_revision = '4ce534b7514d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('transcription_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('speech_seconds', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('covered_seconds', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('gap_count', sa.Integer(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('interview_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transcription_model', sa.String(length=200),
                                      nullable=False, server_default='base'))
        batch_op.add_column(sa.Column('transcription_language', sa.String(length=12),
                                      nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('interview_settings', schema=None) as batch_op:
        batch_op.drop_column('transcription_language')
        batch_op.drop_column('transcription_model')
    with op.batch_alter_table('transcription_jobs', schema=None) as batch_op:
        batch_op.drop_column('gap_count')
        batch_op.drop_column('covered_seconds')
        batch_op.drop_column('speech_seconds')
