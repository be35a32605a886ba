"""transcript reliability: each segment's estimated word error and who checked it; the
transcript's estimate over what no one checked; a project's review threshold

Revision ID: b3e7c9d1f2a4
Revises: c3f1a7d9e2b6
Create Date: 2026-12-07 14:40:00

"""
from alembic import op
import sqlalchemy as sa

import fieldwork.dbtypes


# revision identifiers, used by Alembic.
revision = 'b3e7c9d1f2a4'
down_revision = 'c3f1a7d9e2b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('transcript_segments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('estimated_word_error', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('checked_at', fieldwork.dbtypes.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('checked_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_transcript_segments_checked_by_id_users', 'users',
                                    ['checked_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index('ix_transcript_segments_review',
                              ['transcript_id', 'checked_at', 'estimated_word_error', 'start',
                               'end'], unique=False)
    with op.batch_alter_table('transcripts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('estimated_word_error', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('checked_share', sa.Float(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('reliability_basis', sa.JSON(), nullable=False,
                                      server_default='[]'))
    with op.batch_alter_table('interview_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_threshold', sa.Float(), nullable=False,
                                      server_default='0.25'))


def downgrade():
    with op.batch_alter_table('interview_settings', schema=None) as batch_op:
        batch_op.drop_column('review_threshold')
    with op.batch_alter_table('transcripts', schema=None) as batch_op:
        batch_op.drop_column('reliability_basis')
        batch_op.drop_column('checked_share')
        batch_op.drop_column('estimated_word_error')
    with op.batch_alter_table('transcript_segments', schema=None) as batch_op:
        batch_op.drop_index('ix_transcript_segments_review')
        batch_op.drop_constraint('fk_transcript_segments_checked_by_id_users',
                                 type_='foreignkey')
        batch_op.drop_column('checked_by_id')
        batch_op.drop_column('checked_at')
        batch_op.drop_column('estimated_word_error')
