"""English versions of transcripts: the transcript a version translates, the language a
machine translated it from; a project's choice to make them

Revision ID: b7e4c1a9d2f0
Revises: a1c0d2e3f4b5
Create Date: 2026-12-08 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e4c1a9d2f0'
down_revision = 'a1c0d2e3f4b5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('transcripts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translation_of_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('translated_from', sa.String(length=12), nullable=False,
                                      server_default=''))
        batch_op.create_unique_constraint(batch_op.f('uq_transcripts_translation_of_id'),
                                          ['translation_of_id'])
        batch_op.create_foreign_key(batch_op.f('fk_transcripts_translation_of_id_transcripts'),
                                    'transcripts', ['translation_of_id'], ['id'],
                                    ondelete='CASCADE')
    with op.batch_alter_table('interview_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translate_to_english', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('interview_settings', schema=None) as batch_op:
        batch_op.drop_column('translate_to_english')
    with op.batch_alter_table('transcripts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_transcripts_translation_of_id_transcripts'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_transcripts_translation_of_id'), type_='unique')
        batch_op.drop_column('translated_from')
        batch_op.drop_column('translation_of_id')
